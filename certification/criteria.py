"""The evaluation engine: a rule set and the evidence in, a reproducible outcome out.

Pure: frozen dataclasses in, frozen dataclasses out; no ORM, no settings, no I/O. Every number it
compares with comes from the ``RuleSet`` (``certification/rulesets/*.toml``); this module holds the
decision order of STANDARD.md section 5 and nothing numeric of the domain:

1. evidence: only rows of an assigned lab accredited on the row's test date count (section 4.5);
   the maker's rows are declarations, shown beside the lab values and flagged when they disagree;
2. test conditions valid, else the test is invalid: ``incomplete``, never ``fail`` (section 4.1);
3. class from the lab-measured liquid electrolyte content and the vacuum weight loss
   (section 3; a cell in a weight-loss-gated band that fails the gate drops to the class the rule
   set names, flagged);
4. energy density floor of that class (section 4.3), then its safety tests (section 4.4);
5. certifiable only when the class is certifiable and every criterion it requires passed on
   complete, valid data. Missing data or invalid conditions make the evaluation incomplete.

Values are compared unrounded (GB/T 8170 full-value comparison). Each computed quantity is formed
with a single final division (e.g. loss % = (m0 − m1) × 100 / m0), so a value exactly on a limit
compares equal to it: 10.00 g → 9.95 g is a loss of exactly 0.5 %.

Every sentence is a template in ``MESSAGES`` with ``{placeholders}``; results carry the id, the
parameters (JSON-safe: Decimals as strings, dates ISO) and the rendered English text. A parameter
that is itself words (a failed test condition, a content band, "(+3 more)") is not English text
but a *text value*: a fragment id of ``FRAGMENTS`` with its own parameters, or a list of them, so
``render`` puts the whole sentence into whichever language the display layer's ``translate`` gives.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import Any

from certification.rules import ClassRule, LabelSet, Limit, RateCurrentLimit, RuleSet
from certification.vocabulary import (
    CLASSES,
    CONDUCTING_IONS,
    ELECTROLYTE_FAMILIES,
    EVIDENCE_SOURCES,
    SAFETY_FAILURE_INDICATORS,
)


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation without translating it.

    Django's own ``gettext_noop`` reads settings when called, which a pure module must not do;
    ``makemessages`` finds strings by this function name, so marking works the same.
    """
    return message


SHEET_KINDS = ("weight_loss", "electrolyte_content", "energy_density", "safety")
OUTCOMES = ("pass", "fail", "incomplete", "not_applicable")
SEVERITIES = ("info", "warning", "error")
# Computed values (losses, densities, deviations) are shown with at most this many decimals; the
# comparison always uses the unrounded value. Presentation only, not a domain number.
DISPLAY_PLACES = 6
# How many sample ids a sentence lists before "(+N more)". Presentation only.
LISTED_IDS = 10

_DECIMAL_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN)
_DISPLAY_QUANTUM = Decimal(1).scaleb(-DISPLAY_PLACES)
_SECONDS_PER_HOUR = Decimal(3600)
_GRAMS_PER_KG = Decimal(1000)

MESSAGES: dict[str, str] = {
    # --- vacuum weight loss
    "weight_loss.pass": gettext_noop(
        "Vacuum weight loss passes: the highest loss is {max_loss_pct} % (limit {comparator} "
        "{limit} %, n = {sample_count}) and no sample shows visible leakage."
    ),
    "weight_loss.fail": gettext_noop(
        "Vacuum weight loss fails: the highest loss is {max_loss_pct} % (limit {comparator} "
        "{limit} %, n = {sample_count}); samples over the limit: {over_limit_count}; samples with "
        "visible leakage: {leakage_count}."
    ),
    "weight_loss.no_data": gettext_noop(
        "Vacuum weight loss is incomplete: there is no result from an assigned lab accredited on "
        "the test date."
    ),
    "weight_loss.missing_values": gettext_noop(
        "Vacuum weight loss is incomplete: samples {sample_ids} lack valid values for {columns}."
    ),
    "weight_loss.invalid_conditions": gettext_noop(
        "Vacuum weight loss is invalid, not failed: the test conditions were not met "
        "({conditions}) for samples {sample_ids}."
    ),
    "weight_loss.too_few_samples": gettext_noop(
        "Vacuum weight loss is incomplete: n = {sample_count}, and at least {min_samples} samples "
        "are required."
    ),
    "weight_loss.invalid_chamber_log": gettext_noop(
        "Vacuum weight loss is invalid, not failed: chamber log {dataset_ref} does not show the "
        "required hold ({conditions})."
    ),
    "weight_loss.not_required": gettext_noop(
        "No vacuum weight-loss result; the {class_name} class does not require one."
    ),
    # --- liquid electrolyte content
    "electrolyte_content.pass": gettext_noop(
        "Liquid electrolyte content is {content_pct} % (highest value, n = {sample_count}), in the "
        "{band_class_name} band ({band})."
    ),
    "electrolyte_content.fail": gettext_noop(
        "Liquid electrolyte content is {content_pct} % (highest value, n = {sample_count}), in the "
        "{band_class_name} band ({band}), which this rule set does not certify."
    ),
    "electrolyte_content.no_data": gettext_noop(
        "Liquid electrolyte content is incomplete: there is no result from an assigned lab "
        "accredited on the test date."
    ),
    "electrolyte_content.missing_values": gettext_noop(
        "Liquid electrolyte content is incomplete: samples {sample_ids} lack a valid "
        "liquid_electrolyte_pct between 0 and 100."
    ),
    "electrolyte_content.too_few_samples": gettext_noop(
        "Liquid electrolyte content is incomplete: n = {sample_count}, and at least {min_samples} "
        "samples are required."
    ),
    # --- energy density
    "energy_density.pass": gettext_noop(
        "Energy density passes: the lowest value is {min_energy_density_wh_per_kg} Wh/kg "
        "(n = {sample_count}; floor of the {class_name} class {comparator} {limit} Wh/kg)."
    ),
    "energy_density.fail": gettext_noop(
        "Energy density fails: the lowest value is {min_energy_density_wh_per_kg} Wh/kg, and "
        "{below_floor_count} of {sample_count} samples are below the floor of the {class_name} "
        "class ({comparator} {limit} Wh/kg)."
    ),
    "energy_density.no_data": gettext_noop(
        "Energy density is incomplete: there is no result from an assigned lab accredited on the "
        "test date."
    ),
    "energy_density.missing_values": gettext_noop(
        "Energy density is incomplete: samples {sample_ids} lack valid values for {columns}."
    ),
    "energy_density.invalid_conditions": gettext_noop(
        "The energy density test is invalid, not failed: the test conditions were not met "
        "({conditions}) for samples {sample_ids}."
    ),
    "energy_density.too_few_samples": gettext_noop(
        "Energy density is incomplete: n = {sample_count}, and at least {min_samples} samples are "
        "required."
    ),
    "energy_density.cycler_mismatch": gettext_noop(
        "Energy density is incomplete: the discharge energy on the sheet is not confirmed by the "
        "cycler files ({dataset_refs})."
    ),
    "energy_density.no_floor": gettext_noop(
        "No energy density floor applies to the {class_name} class in this rule set."
    ),
    "energy_density.class_undetermined": gettext_noop(
        "Energy density is not judged: no class was determined, so no floor applies."
    ),
    # --- abuse safety, one result per required test
    "safety.pass": gettext_noop("{test}: no {indicators} in any sample (n = {sample_count})."),
    "safety.fail": gettext_noop(
        "{test} fails: {indicators} in {failed_count} of {sample_count} samples."
    ),
    "safety.no_data": gettext_noop(
        "{test} is incomplete: the {class_name} class requires it and there is no result from an "
        "assigned lab accredited on the test date."
    ),
    "safety.missing_values": gettext_noop(
        "{test} is incomplete: samples {sample_ids} lack valid values for {columns}."
    ),
    "safety.too_few_samples": gettext_noop(
        "{test} is incomplete: n = {sample_count}, and at least {min_samples} samples are required."
    ),
    "safety.class_undetermined": gettext_noop(
        "Safety tests are not judged: no class was determined."
    ),
    "safety.not_required": gettext_noop(
        "Safety tests are not judged: the {class_name} class requires none in this rule set."
    ),
    # --- flags: evidence
    "flag.lab_unknown": gettext_noop(
        "Sheet {dataset_ref} is marked as lab evidence but names no lab; rows ignored: {row_count}."
    ),
    "flag.lab_not_assigned": gettext_noop(
        "Sheet {dataset_ref} comes from {lab}, which is not assigned to this submission; rows "
        "ignored: {row_count}."
    ),
    "flag.accreditation_invalid": gettext_noop(
        "Sheet {dataset_ref} has results tested on dates when {lab}'s accreditation "
        "{accreditation_number} was not valid (valid {valid_from} to {valid_until}); rows "
        "ignored: {row_count}."
    ),
    "flag.test_date_missing": gettext_noop(
        "Sheet {dataset_ref} has results without a test date, so the lab's accreditation cannot "
        "be checked; rows ignored: {row_count}."
    ),
    "flag.maker_only_evidence": gettext_noop(
        "Only the maker's own {kind} results were provided; they are shown as declarations, and "
        "an independent lab result is required."
    ),
    "flag.declared_result_disagrees": gettext_noop(
        "The maker's own {kind} results ({declared_outcome}) disagree with the lab's "
        "({lab_outcome})."
    ),
    "flag.declared_content_disagrees": gettext_noop(
        "The product's declared liquid electrolyte content of {declared_pct} % differs from the "
        "measured {measured_pct} % by more than {tolerance_pct} percentage points."
    ),
    "flag.maker_content_disagrees": gettext_noop(
        "The maker's own content results (highest {declared_pct} %) differ from the measured "
        "{measured_pct} % by more than {tolerance_pct} percentage points."
    ),
    "flag.declared_content_contradicted_by_weight_loss": gettext_noop(
        "A declared liquid electrolyte content of {declared_pct} % would place the cell in the "
        "{band_class_name} band, but the vacuum weight loss failed: the cell holds liquid."
    ),
    # --- flags: conditions and raw data
    "flag.invalid_test_conditions": gettext_noop(
        "The {kind} test did not meet its conditions ({conditions}); it is invalid, not failed, "
        "and must be repeated."
    ),
    "flag.condition_not_reported": gettext_noop(
        "The {kind} results do not report {conditions}; that condition was not verified."
    ),
    "flag.no_chamber_log": gettext_noop(
        "No chamber log was provided; the weight-loss conditions were judged from the result "
        "sheet's own columns."
    ),
    "flag.chamber_log_conditions_not_met": gettext_noop(
        "Chamber log {dataset_ref} does not show the required hold: {conditions}."
    ),
    "flag.no_cycler_data": gettext_noop(
        "No cycler file was provided; the sheet's discharge energy was not cross-checked against "
        "raw data."
    ),
    "flag.cycler_energy_mismatch": gettext_noop(
        "Cycler file {dataset_ref} gives {cycler_energy_wh} Wh, {deviation_pct} % from the "
        "sheet's {sheet_energy_wh} Wh (allowed {comparator} {tolerance_pct} %)."
    ),
    "flag.cycler_sample_unknown": gettext_noop(
        "Cycler file {dataset_ref} belongs to sample {sample_id}, which has no accepted energy "
        "result."
    ),
    # --- flags: class and claim
    "flag.class_undetermined_content": gettext_noop(
        "No class could be determined: there is no valid lab-measured liquid electrolyte content."
    ),
    "flag.class_undetermined_weight_loss": gettext_noop(
        "No class could be determined: the {band_class_name} class needs a valid vacuum weight "
        "loss result, and there is none."
    ),
    "flag.content_contradicted_by_weight_loss": gettext_noop(
        # xgettext: no-python-format  ("% lies" would read as a %-directive otherwise)
        "The measured content of {content_pct} % lies in the {band_class_name} band, but the "
        "vacuum weight loss failed or showed leakage, so the cell holds liquid and is classed "
        "{class_name}."
    ),
    "flag.not_gated_class": gettext_noop(
        "The vacuum weight loss failed or showed leakage: the cell holds liquid, so it is not in "
        "the {band_class_name} class, and this rule set cannot tell which class it is in."
    ),
    "flag.claim_not_supported": gettext_noop(
        "Claim not supported: the product is claimed as {claimed_class_name} but the evidence "
        "supports {class_name}."
    ),
    "flag.claim_below_determined_class": gettext_noop(
        "The product is claimed as {claimed_class_name}, but the evidence places it in "
        "{class_name}, and it is judged in that class."
    ),
    "flag.claimed_class_not_certifiable": gettext_noop(
        "This rule set does not certify the claimed class {claimed_class_name}."
    ),
    "flag.liquid_not_certifiable": gettext_noop(
        "The cell is a {class_name}: it is not certified under this scheme and may carry no "
        "solid-state wording."
    ),
    "flag.family_inconsistent": gettext_noop(
        "The declared electrolyte family {family} is not consistent with the {class_name} class."
    ),
    "flag.application_undetermined": gettext_noop(
        "The application sub-class cannot be determined: rated energy and maximum continuous power "
        "must both be positive."
    ),
    "flag.safety_failure_other_test": gettext_noop(
        "{test}, not required for this class, showed {indicators} in {failed_count} samples."
    ),
}

# Words inside a sentence's parameters: each a template of its own, translated with the sentence.
# A text value is a plain value (a number, a sample id, a column name: shown as it is), a fragment
# ``{"fragment": id, "params": {...}}``, or a list ``{"fragment": id, "items": [...]}`` whose
# template joins the list so far and the next item (English ", ", Chinese "；" or "、").
FRAGMENTS: dict[str, str] = {
    # --- a limit as a requirement ("118 to 122 °C", ">= 6 h"); the unit rides on the number
    # Translators: an inclusive range; {high} carries the unit ("118 to 122 °C").
    "requirement.between": gettext_noop("{low} to {high}"),
    "requirement.at_most": gettext_noop("<= {value}"),
    "requirement.below": gettext_noop("< {value}"),
    "requirement.at_least": gettext_noop(">= {value}"),
    "requirement.above": gettext_noop("> {value}"),
    "requirement.rated_current": gettext_noop(
        "rated capacity / {rate_hours} h ± {tolerance_pct} %"
    ),
    # --- a test condition a sheet row did not meet (column name, then what the rule set requires)
    "condition.required": gettext_noop("{condition} required {requirement}"),
    # --- what a chamber log's longest hold showed, against what the rule set requires
    "chamber.hold": gettext_noop("hold {hold_h} h, required {requirement}"),
    "chamber.temperature": gettext_noop(
        "temperature {min_c} to {max_c} °C, required {requirement}"
    ),
    "chamber.pressure": gettext_noop("pressure up to {max_pa} Pa, required {requirement}"),
    # --- safety failure indicators (SAFETY_FAILURE_INDICATORS)
    "indicator.fire": gettext_noop("fire"),
    "indicator.explosion": gettext_noop("explosion"),
    # --- odds and ends
    "ids.more": gettext_noop("{ids} (+{more} more)"),
    "date.open_ended": gettext_noop("open-ended"),
    # --- lists: the list so far, then the next item
    # Translators: joins test conditions that were not met, each "<column> required <limit>".
    "list.conditions": gettext_noop("{conditions}, {condition}"),
    # Translators: joins what a chamber log showed for hold time, temperature and pressure.
    "list.chamber": gettext_noop("{conditions}; {condition}"),
    # Translators: joins names (columns, "fire" and "explosion") in an enumeration.
    "list.names": gettext_noop("{names}, {name}"),
}
_COMPARATOR_FRAGMENTS = {
    "between_inclusive": "requirement.between",
    "<=": "requirement.at_most",
    "<": "requirement.below",
    ">=": "requirement.at_least",
    ">": "requirement.above",
}

Translate = Callable[[str], str]


def _untranslated(message: str) -> str:
    return message


def render(message_id: str, params: Mapping[str, Any], translate: Translate = _untranslated) -> str:
    """The sentence ``message_id`` with ``params``, in the language ``translate`` gives.

    The engine renders English (the default); the display layer passes Django's ``gettext`` after
    naming codes in the active language. Raises ``KeyError`` for an unknown id or placeholder.
    """
    values = {key: render_text(value, translate) for key, value in params.items()}
    return translate(MESSAGES[message_id]).format(**values)


def render_text(value: Any, translate: Translate = _untranslated) -> str:
    """One text value (see ``FRAGMENTS``) as words; anything else as ``str.format`` shows it."""
    if not isinstance(value, dict):
        return str(value)
    template = translate(FRAGMENTS[value["fragment"]])
    if "items" not in value:
        params = value.get("params") or {}
        return template.format(**{k: render_text(v, translate) for k, v in params.items()})
    # The English template names the list first and the item second; a translation may reorder.
    names = [name for _, name, _, _ in string.Formatter().parse(FRAGMENTS[value["fragment"]])]
    so_far, item = [name for name in names if name]
    texts = [render_text(v, translate) for v in value["items"]]
    joined = texts[0] if texts else ""
    for text in texts[1:]:
        joined = template.format(**{so_far: joined, item: text})
    return joined


def _fragment(fragment_id: str, **params: Any) -> dict[str, Any]:
    return {"fragment": fragment_id, "params": params}


def _joined(fragment_id: str, items: Iterable[Any]) -> dict[str, Any]:
    return {"fragment": fragment_id, "items": list(items)}


def _requirement(limit: Limit) -> dict[str, Any]:
    """``limit.describe()`` as a text value: the same English, and translatable."""
    unit = f" {limit.unit}" if limit.unit else ""
    if limit.comparator == "between_inclusive":
        return _fragment("requirement.between", low=str(limit.low), high=f"{limit.high}{unit}")
    return _fragment(_COMPARATOR_FRAGMENTS[limit.comparator], value=f"{limit.value}{unit}")


def _rated_current(current: RateCurrentLimit) -> dict[str, Any]:
    return _fragment(
        "requirement.rated_current",
        rate_hours=str(current.rate_hours.value),
        tolerance_pct=str(current.tolerance_pct.value),
    )


def limit_text(limit: str | None, comparator: str | None, unit: str | None) -> Any:
    """A criterion's stored ``limit`` and ``unit`` as one text value, for a table's limit column:
    ``0.5 %``, ``5 to 20 %``, or the safety indicators (``fire, explosion``) as words."""
    if not limit:
        return ""
    if comparator == "none_in_any_sample":
        return _joined(
            "list.names",
            (
                _fragment(f"indicator.{name}") if name in SAFETY_FAILURE_INDICATORS else name
                for name in limit.split(", ")
            ),
        )
    suffix = f" {unit}" if unit else ""
    low, sep, high = limit.partition(" to ")
    if comparator == "between_inclusive" and sep:
        return _fragment("requirement.between", low=low, high=f"{high}{suffix}")
    return f"{limit}{suffix}"


# --- sentences stored before their words were text values -------------------------------------
# Earlier engines stored these parameters as English text. ``upgrade_params`` reads that text back
# into today's text values (exactly: the English renders the same), so an old evaluation shows in
# every language and compares equal with its re-run. Text it cannot read stays as it was.

_CONDITION_LIST_MESSAGES = frozenset(
    {
        "weight_loss.invalid_conditions",
        "energy_density.invalid_conditions",
        "flag.invalid_test_conditions",
    }
)
_CHAMBER_MESSAGES = frozenset(
    {"weight_loss.invalid_chamber_log", "flag.chamber_log_conditions_not_met"}
)
_OLD_REQUIREMENTS = (
    (
        re.compile(r"rated capacity / (?P<rate_hours>\S+) h ± (?P<tolerance_pct>\S+) %"),
        "requirement.rated_current",
    ),
    (re.compile(r"(?P<low>\S+) to (?P<high>\S.*)"), "requirement.between"),
    *(
        (re.compile(re.escape(op) + r" (?P<value>\S.*)"), fragment_id)
        for op, fragment_id in _COMPARATOR_FRAGMENTS.items()
        if op != "between_inclusive"
    ),
)
_OLD_CONDITION = re.compile(r"(?P<condition>\w+) required (?P<requirement>\S.*)")
_OLD_CHAMBER = (
    (re.compile(r"hold (?P<hold_h>\S+) h, required (?P<requirement>\S.*)"), "chamber.hold"),
    (
        re.compile(
            r"temperature (?P<min_c>\S+) to (?P<max_c>\S+) °C, required (?P<requirement>\S.*)"
        ),
        "chamber.temperature",
    ),
    (
        re.compile(r"pressure up to (?P<max_pa>\S+) Pa, required (?P<requirement>\S.*)"),
        "chamber.pressure",
    ),
)
_OLD_MORE_IDS = re.compile(r"(?P<ids>.*) \(\+(?P<more>\d+) more\)")


def requirement_from_text(text: str) -> dict[str, Any] | None:
    """A ``Limit.describe()`` text (``118 to 122 °C``, ``>= 6 h``) as a text value, or None."""
    for pattern, fragment_id in _OLD_REQUIREMENTS:
        match = pattern.fullmatch(text)
        if match:
            return _fragment(fragment_id, **match.groupdict())
    return None


def _old_value(text: str) -> str | None:
    return None if text == "None" else text  # how str.format showed a missing reading


def _old_condition(text: str) -> dict[str, Any] | None:
    match = _OLD_CONDITION.fullmatch(text)
    requirement = requirement_from_text(match["requirement"]) if match else None
    if requirement is None:
        return None
    return _fragment("condition.required", condition=match["condition"], requirement=requirement)


def _old_chamber_item(text: str) -> dict[str, Any] | None:
    for pattern, fragment_id in _OLD_CHAMBER:
        match = pattern.fullmatch(text)
        requirement = requirement_from_text(match["requirement"]) if match else None
        if requirement is not None:
            values = {k: _old_value(v) for k, v in match.groupdict().items() if k != "requirement"}
            return _fragment(fragment_id, **values, requirement=requirement)
    return None


def _old_list(
    text: str, separator: str, item: Callable[[str], Any], fragment_id: str
) -> dict[str, Any] | None:
    items = [item(part) for part in text.split(separator)]
    return None if any(i is None for i in items) else _joined(fragment_id, items)


def upgrade_params(message_id: str | None, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` of a stored sentence with any English-text parameter read back into a text value.

    Idempotent: today's parameters come back unchanged."""
    out = dict(params)
    conditions = out.get("conditions")
    if isinstance(conditions, str):
        upgraded = None
        if message_id in _CONDITION_LIST_MESSAGES:
            upgraded = _old_list(conditions, ", ", _old_condition, "list.conditions")
        elif message_id in _CHAMBER_MESSAGES:
            upgraded = _old_list(conditions, "; ", _old_chamber_item, "list.chamber")
        elif message_id == "flag.condition_not_reported":
            upgraded = _joined("list.names", conditions.split(", "))
        if upgraded is not None:
            out["conditions"] = upgraded
    if isinstance(out.get("band"), str):
        out["band"] = requirement_from_text(out["band"]) or out["band"]
    if isinstance(out.get("sample_ids"), str):
        match = _OLD_MORE_IDS.fullmatch(out["sample_ids"])
        if match:
            out["sample_ids"] = _fragment("ids.more", ids=match["ids"], more=int(match["more"]))
    if out.get("valid_until") == "open-ended":
        out["valid_until"] = _fragment("date.open_ended")
    return out


def upgrade_result(result: Mapping[str, Any]) -> dict[str, Any]:
    """A stored ``EvaluationOutcome.as_dict()`` with every sentence's parameters upgraded."""
    out = dict(result)
    for key in ("criteria", "flags"):
        if isinstance(out.get(key), list):
            out[key] = [
                {**item, "params": upgrade_params(item.get("message_id"), item["params"])}
                if isinstance(item, dict) and isinstance(item.get("params"), dict)
                else item
                for item in out[key]
            ]
    return out


# --- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabFacts:
    name: str
    accreditation_number: str
    accreditation_valid_from: date | None
    accreditation_valid_until: date | None
    assigned_to_submission: bool


@dataclass(frozen=True)
class ProductFacts:
    rated_capacity_ah: Decimal
    nominal_voltage_v: Decimal
    rated_energy_wh: Decimal
    max_continuous_power_w: Decimal
    cell_mass_g: Decimal
    declared_liquid_electrolyte_pct: Decimal | None
    electrolyte_family: str  # ELECTROLYTE_FAMILIES
    conducting_ion: str  # CONDUCTING_IONS


@dataclass(frozen=True)
class SheetEvidence:
    """One parsed result sheet (rows as ``certification.parsers.sheets.ParsedSheet.rows``)."""

    kind: str  # SHEET_KINDS
    source: str  # "lab" | "maker"
    dataset_ref: str
    rows: tuple[Mapping[str, Any], ...]
    lab: LabFacts | None = None


@dataclass(frozen=True)
class CyclerEvidence:
    """Summary of a cycler file. ``sample_id`` ties it to one sheet row; without it, the file must
    match at least one row of the energy sheet within the rule set's tolerance."""

    dataset_ref: str
    main_discharge_energy_wh: float
    format: str
    sample_id: str | None = None


@dataclass(frozen=True)
class ChamberEvidence:
    """Summary of a chamber log: the longest continuous hold, and the extreme temperature and
    pressure *during that hold* (not over the whole log, which includes the warm-up)."""

    dataset_ref: str
    longest_hold_s: float
    min_temperature_c: float | None
    max_temperature_c: float | None
    max_pressure_pa: float | None


@dataclass(frozen=True)
class EvaluationInput:
    claimed_class: str  # CLASSES
    product: ProductFacts
    sheets: tuple[SheetEvidence, ...] = ()
    cyclers: tuple[CyclerEvidence, ...] = ()
    chambers: tuple[ChamberEvidence, ...] = ()


# --- outputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    code: str
    severity: str  # SEVERITIES
    message_id: str
    params: dict[str, Any]
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message_id": self.message_id,
            "params": self.params,
            "message": self.message,
        }


@dataclass(frozen=True)
class CriterionResult:
    code: str  # "weight_loss", "electrolyte_content", "energy_density", "safety.<test>"
    outcome: str  # OUTCOMES
    measured: dict[str, Any] | list[Any]
    limit: str
    comparator: str
    unit: str
    message_id: str
    params: dict[str, Any]
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "outcome": self.outcome,
            "measured": self.measured,
            "limit": self.limit,
            "comparator": self.comparator,
            "unit": self.unit,
            "message_id": self.message_id,
            "params": self.params,
            "message": self.message,
        }


@dataclass(frozen=True)
class EvaluationOutcome:
    ruleset_code: str
    ruleset_version: int
    verdict: str  # "certifiable" | "not_certifiable" | "incomplete"
    determined_class: str | None
    certifiable: bool
    may_label_solid_state: bool
    claim_supported: bool
    classification_code: str | None
    application: str | None  # "high_energy" | "high_power" | None
    reviewer_approvals_required: int | None
    permitted_labels: LabelSet
    forbidden_labels: LabelSet
    flags: tuple[Flag, ...]
    criteria: tuple[CriterionResult, ...]

    def as_dict(self) -> dict[str, Any]:
        """The outcome as plain JSON values, as stored in ``Evaluation.result``."""
        return {
            "ruleset": {"code": self.ruleset_code, "version": self.ruleset_version},
            "verdict": self.verdict,
            "determined_class": self.determined_class,
            "certifiable": self.certifiable,
            "may_label_solid_state": self.may_label_solid_state,
            "claim_supported": self.claim_supported,
            "classification_code": self.classification_code,
            "application": self.application,
            "reviewer_approvals_required": self.reviewer_approvals_required,
            "labels": {
                "permitted": self.permitted_labels.as_dict(),
                "forbidden": self.forbidden_labels.as_dict(),
            },
            "flags": [f.as_dict() for f in self.flags],
            "criteria": [c.as_dict() for c in self.criteria],
        }


# --- the engine -------------------------------------------------------------------------------


def evaluate(ruleset: RuleSet, data: EvaluationInput) -> EvaluationOutcome:
    """Evaluate ``data`` against ``ruleset`` (STANDARD.md section 5; see the module docstring).

    Raises ``ValueError`` only for inputs the Django layer must never build (an unknown class,
    sheet kind or evidence source); missing or doubtful evidence is an outcome, not an error.
    """
    with localcontext(_DECIMAL_CONTEXT):
        return _Evaluation(ruleset, data).run()


def _num(value: Any) -> Decimal | None:
    """A row value as a finite Decimal, or None when absent or not a number."""
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    return None


def _raw(value: Decimal | None) -> str | None:
    """An input value exactly as given."""
    return None if value is None else format(value, "f")


def _show(value: Decimal | None) -> str | None:
    """A computed value; at most DISPLAY_PLACES decimals (the comparison used the full value)."""
    if value is None:
        return None
    if value.as_tuple().exponent < -DISPLAY_PLACES:
        value = value.quantize(_DISPLAY_QUANTUM)
    return format(value, "f")


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _iso(value: Any) -> str | None:
    day = _day(value)
    return day.isoformat() if day else None


def _ids(ids: Iterable[str]) -> str | dict[str, Any]:
    ids = list(dict.fromkeys(ids))
    shown = ", ".join(ids[:LISTED_IDS])
    if len(ids) <= LISTED_IDS:
        return shown
    return _fragment("ids.more", ids=shown, more=len(ids) - LISTED_IDS)


def _sample_id(row: Mapping[str, Any]) -> str:
    value = row.get("sample_id")
    return str(value) if value not in (None, "") else "?"


class _Pool:
    """Rows of one sheet kind, sorted by what they may prove."""

    __slots__ = ("accepted", "declared", "ignored")

    def __init__(self) -> None:
        self.accepted: list[tuple[Mapping[str, Any], str]] = []  # (row, dataset_ref)
        self.declared: list[tuple[Mapping[str, Any], str]] = []
        self.ignored = 0


@dataclass
class _Problems:
    """Why a criterion's data cannot be judged, collected over all rows."""

    missing_ids: list[str] = field(default_factory=list)
    missing_columns: dict[str, None] = field(default_factory=dict)
    bad_conditions: dict[str, list[str]] = field(default_factory=dict)  # condition -> sample ids
    unreported: dict[str, None] = field(default_factory=dict)  # optional conditions not reported

    def missing(self, sample_id: str, columns: list[str]) -> None:
        self.missing_ids.append(sample_id)
        self.missing_columns.update(dict.fromkeys(columns))

    def condition_text(self, requirements: dict[str, Any]) -> dict[str, Any]:
        """The failed conditions, each with what the rule set requires (text values by name)."""
        return _joined(
            "list.conditions",
            (
                _fragment("condition.required", condition=name, requirement=requirements[name])
                for name in self.bad_conditions
            ),
        )

    def check_conditions(
        self,
        row: Mapping[str, Any],
        sample_id: str,
        limits: dict[str, Limit],
        entry: dict[str, Any],
        missing: list[str],
    ) -> bool:
        """Record the row's test conditions in ``entry`` and whether each holds its limit.

        An unreported required condition is added to ``missing``, an unreported optional one
        noted; returns True when every reported condition holds."""
        met = True
        for name, cond in limits.items():
            value = _num(row.get(name))
            entry[name] = _raw(value)
            if value is None:
                if cond.optional:
                    self.unreported[name] = None
                else:
                    missing.append(name)
            elif not cond.holds(value):
                met = False
                self.bad_conditions.setdefault(name, []).append(sample_id)
        return met

    def bad_ids(self) -> list[str]:
        return [sid for ids in self.bad_conditions.values() for sid in ids]


class _Evaluation:
    def __init__(self, ruleset: RuleSet, data: EvaluationInput):
        self.rs = ruleset
        self.data = data
        self.flags: list[Flag] = []

    # -- helpers

    def flag(self, code: str, severity: str, **params: Any) -> None:
        message_id = f"flag.{code}"
        self.flags.append(Flag(code, severity, message_id, params, render(message_id, params)))

    def flag_unreported(self, kind: str, problems: _Problems) -> None:
        """Conditions the results leave out were not verified: said, not held against them."""
        if problems.unreported:
            self.flag(
                "condition_not_reported",
                "info",
                kind=kind,
                conditions=_joined("list.names", problems.unreported),
            )

    @staticmethod
    def result(
        code: str,
        outcome: str,
        message_id: str,
        *,
        measured: dict[str, Any],
        limit: str = "",
        comparator: str = "",
        unit: str = "",
        **params: Any,
    ) -> CriterionResult:
        params.setdefault("limit", limit)
        params.setdefault("comparator", comparator)
        params.setdefault("unit", unit)
        return CriterionResult(
            code=code,
            outcome=outcome,
            measured=measured,
            limit=limit,
            comparator=comparator,
            unit=unit,
            message_id=message_id,
            params=params,
            message=render(message_id, params),
        )

    def class_name(self, code: str | None) -> str:
        rule = self.rs.class_rule(code)
        if rule is not None:
            return rule.name_en
        return code.replace("_", " ") if code else "no class"

    # -- the decision order of STANDARD.md section 5

    def run(self) -> EvaluationOutcome:
        rs, data = self.rs, self.data
        self._check_input()
        pools = self._pool_evidence()

        weight_loss = self._weight_loss(pools["weight_loss"]) if rs.weight_loss else None
        content = self._content(pools["electrolyte_content"]) if rs.electrolyte_content else None
        determined = self._determine_class(content, weight_loss)
        class_rule = rs.class_rule(determined)
        if content is not None:
            self._content_declarations(content, weight_loss)
        if (
            weight_loss is not None
            and weight_loss.message_id == "weight_loss.no_data"
            and class_rule is not None
            and "weight_loss" not in class_rule.requires
        ):
            weight_loss = self.result(
                "weight_loss",
                "not_applicable",
                "weight_loss.not_required",
                measured=weight_loss.measured,
                limit=weight_loss.limit,
                comparator=weight_loss.comparator,
                unit=weight_loss.unit,
                class_name=class_rule.name_en,
            )
        energy = self._energy(pools["energy_density"], class_rule) if rs.energy_density else None
        safety = self._safety(pools["safety"], class_rule) if rs.safety else ()

        criteria = tuple(
            c for c in (content[0] if content else None, weight_loss, energy) if c is not None
        ) + tuple(safety)

        certifiable = bool(
            class_rule is not None
            and class_rule.certifiable
            and self._required_pass(class_rule, criteria)
        )
        verdict = self._verdict(class_rule, certifiable, criteria)
        claim_supported = self._claim(determined)
        if class_rule is not None and not class_rule.certifiable:
            self.flag("liquid_not_certifiable", "info", class_name=class_rule.name_en)
        if (
            class_rule is not None
            and class_rule.consistent_families is not None
            and data.product.electrolyte_family not in class_rule.consistent_families
        ):
            self.flag(
                "family_inconsistent",
                "warning",
                family=data.product.electrolyte_family,
                class_name=class_rule.name_en,
            )
        application = self._application()
        code = None
        if certifiable and application is not None:
            code = rs.classification_code.build(
                battery_class=determined,
                family=data.product.electrolyte_family,
                ion=data.product.conducting_ion,
                application=application,
            )
        permitted, forbidden = self._labels(class_rule, certifiable)
        approvals = (
            class_rule.reviewer_approvals.as_int()
            if class_rule is not None and class_rule.reviewer_approvals is not None
            else None
        )
        return EvaluationOutcome(
            ruleset_code=rs.code,
            ruleset_version=rs.version,
            verdict=verdict,
            determined_class=determined,
            certifiable=certifiable,
            may_label_solid_state=certifiable and determined == "all_solid_state",
            claim_supported=claim_supported,
            classification_code=code,
            application=application,
            reviewer_approvals_required=approvals,
            permitted_labels=permitted,
            forbidden_labels=forbidden,
            flags=tuple(self.flags),
            criteria=criteria,
        )

    def _check_input(self) -> None:
        data = self.data
        if data.claimed_class not in CLASSES:
            raise ValueError(f"unknown claimed class {data.claimed_class!r}")
        if data.product.electrolyte_family not in ELECTROLYTE_FAMILIES:
            raise ValueError(f"unknown electrolyte family {data.product.electrolyte_family!r}")
        if data.product.conducting_ion not in CONDUCTING_IONS:
            raise ValueError(f"unknown conducting ion {data.product.conducting_ion!r}")
        for sheet in data.sheets:
            if sheet.kind not in SHEET_KINDS:
                raise ValueError(f"{sheet.dataset_ref}: unknown sheet kind {sheet.kind!r}")
            if sheet.source not in EVIDENCE_SOURCES:
                raise ValueError(f"{sheet.dataset_ref}: unknown source {sheet.source!r}")

    # -- 1. independent evidence (STANDARD.md 4.5)

    def _pool_evidence(self) -> dict[str, _Pool]:
        policy = self.rs.evidence
        pools = {kind: _Pool() for kind in SHEET_KINDS}
        for sheet in self.data.sheets:
            pool = pools[sheet.kind]
            rows = [(row, sheet.dataset_ref) for row in sheet.rows]
            if sheet.source not in policy.accepted_sources:
                pool.declared.extend(rows)
                continue
            if sheet.source != "lab":
                pool.accepted.extend(rows)
                continue
            lab = sheet.lab
            checks_lab = policy.require_assigned_lab or policy.require_accreditation_on_test_date
            if lab is None and checks_lab:
                pool.ignored += len(rows)
                self.flag(
                    "lab_unknown", "warning", dataset_ref=sheet.dataset_ref, row_count=len(rows)
                )
                continue
            if policy.require_assigned_lab and not lab.assigned_to_submission:
                pool.ignored += len(rows)
                self.flag(
                    "lab_not_assigned",
                    "warning",
                    dataset_ref=sheet.dataset_ref,
                    lab=lab.name,
                    row_count=len(rows),
                )
                continue
            if not policy.require_accreditation_on_test_date:
                pool.accepted.extend(rows)
                continue
            start, end = lab.accreditation_valid_from, lab.accreditation_valid_until
            undated = invalid = 0
            for item in rows:
                day = _day(item[0].get("test_date"))
                if day is None:
                    undated += 1
                elif start is None or day < start or (end is not None and day > end):
                    invalid += 1
                else:
                    pool.accepted.append(item)
            pool.ignored += undated + invalid
            if invalid:
                self.flag(
                    "accreditation_invalid",
                    "warning",
                    dataset_ref=sheet.dataset_ref,
                    lab=lab.name,
                    accreditation_number=lab.accreditation_number,
                    valid_from=start.isoformat() if start else "?",
                    valid_until=end.isoformat() if end else _fragment("date.open_ended"),
                    row_count=invalid,
                )
            if undated:
                self.flag(
                    "test_date_missing", "warning", dataset_ref=sheet.dataset_ref, row_count=undated
                )
        return pools

    def _validity_gate(
        self,
        code: str,
        *,
        samples: list,
        problems: _Problems,
        min_samples: Limit,
        requirements: dict[str, Any],
        common: dict[str, Any],
        params: dict[str, Any],
    ) -> CriterionResult | None:
        """What makes a measured criterion *incomplete* before its limit is ever compared
        (STANDARD.md section 5: missing data or invalid test conditions are never a pass, and
        never a fail either): no lab samples, missing values, conditions outside the rule set's
        tolerances, too few samples. None when the data can be judged."""
        if not samples:
            return self.result(code, "incomplete", f"{code}.no_data", **common, **params)
        if problems.missing_ids:
            return self.result(
                code,
                "incomplete",
                f"{code}.missing_values",
                **common,
                **params,
                sample_ids=_ids(problems.missing_ids),
                columns=", ".join(problems.missing_columns),
            )
        if problems.bad_conditions:
            conditions = problems.condition_text(requirements)
            self.flag("invalid_test_conditions", "warning", kind=code, conditions=conditions)
            return self.result(
                code,
                "incomplete",
                f"{code}.invalid_conditions",
                **common,
                **params,
                conditions=conditions,
                sample_ids=_ids(problems.bad_ids()),
            )
        if not min_samples.holds(Decimal(len(samples))):
            return self.result(code, "incomplete", f"{code}.too_few_samples", **common, **params)
        return None

    def _no_lab_data(self, kind: str, pool: _Pool, *, product_declared: bool = False) -> None:
        if pool.declared or product_declared:
            self.flag("maker_only_evidence", "warning", kind=kind)

    # -- 2. vacuum weight loss (STANDARD.md 4.1)

    def _weight_loss(self, pool: _Pool) -> CriterionResult:
        rule = self.rs.weight_loss
        limit = rule.max_loss_pct
        limits = {c.name: c for c in rule.conditions}
        problems = _Problems()
        samples: list[dict[str, Any]] = []
        losses: list[Decimal] = []
        over = leaking = 0
        for row, ref in pool.accepted:
            sid = _sample_id(row)
            m0, m1 = _num(row.get("mass_before_g")), _num(row.get("mass_after_g"))
            leakage = row.get("leakage")
            entry: dict[str, Any] = {
                "sample_id": sid,
                "dataset_ref": ref,
                "test_date": _iso(row.get("test_date")),
                "mass_before_g": _raw(m0),
                "mass_after_g": _raw(m1),
                "leakage": leakage if isinstance(leakage, bool) else None,
            }
            missing = []
            if m0 is None or m0 <= 0:
                missing.append("mass_before_g")
            if m1 is None or m1 < 0:
                missing.append("mass_after_g")
            if not isinstance(leakage, bool):
                missing.append("leakage")
            conditions_met = problems.check_conditions(row, sid, limits, entry, missing)
            entry["conditions_met"] = conditions_met
            loss = None
            if "mass_before_g" not in missing and "mass_after_g" not in missing:
                loss = (m0 - m1) * 100 / m0
                losses.append(loss)
                if not limit.holds(loss):
                    over += 1
            if leakage is True:
                leaking += 1
            entry["loss_pct"] = _show(loss)
            if missing:
                problems.missing(sid, missing)
            samples.append(entry)

        measured: dict[str, Any] = {
            "sample_count": len(samples),
            "max_loss_pct": _show(max(losses)) if losses else None,
            "leakage_count": leaking,
            "samples": samples,
            "ignored_rows": pool.ignored,
            "conditions": {name: c.describe() for name, c in limits.items()},
            "chamber_logs": [],
        }
        declared = self._declared_weight_loss(pool)
        if declared is not None:
            measured["declared"] = declared
        chamber_problems = self._chamber_logs(limits, measured["chamber_logs"]) if samples else []
        self.flag_unreported("weight_loss", problems)
        params = {
            "sample_count": len(samples),
            "max_loss_pct": measured["max_loss_pct"],
            "over_limit_count": over,
            "leakage_count": leaking,
            "min_samples": int(rule.min_samples.value),
        }
        common = {
            "measured": measured,
            "limit": limit.limit_text,
            "comparator": limit.comparator,
            "unit": limit.unit,
        }
        if not samples:
            self._no_lab_data("weight_loss", pool)
        gate = self._validity_gate(
            "weight_loss",
            samples=samples,
            problems=problems,
            min_samples=rule.min_samples,
            requirements={name: _requirement(c) for name, c in limits.items()},
            common=common,
            params=params,
        )
        if gate is not None:
            return gate
        if chamber_problems:
            ref, conditions = chamber_problems[0]
            return self.result(
                "weight_loss",
                "incomplete",
                "weight_loss.invalid_chamber_log",
                **common,
                **params,
                dataset_ref=ref,
                conditions=conditions,
            )
        failed = over > 0 or (leaking > 0 and not rule.leakage_allowed)
        outcome = "fail" if failed else "pass"
        if declared is not None and declared["outcome"] not in (outcome, "incomplete"):
            self.flag(
                "declared_result_disagrees",
                "warning",
                kind="weight_loss",
                declared_outcome=declared["outcome"],
                lab_outcome=outcome,
            )
        return self.result("weight_loss", outcome, f"weight_loss.{outcome}", **common, **params)

    def _declared_weight_loss(self, pool: _Pool) -> dict[str, Any] | None:
        """The maker's own weight-loss numbers, judged by the same limit (conditions unchecked)."""
        if not pool.declared:
            return None
        rule = self.rs.weight_loss
        losses = []
        leaking = 0
        for row, _ref in pool.declared:
            m0, m1 = _num(row.get("mass_before_g")), _num(row.get("mass_after_g"))
            if m0 is not None and m0 > 0 and m1 is not None:
                losses.append((m0 - m1) * 100 / m0)
            if row.get("leakage") is True:
                leaking += 1
        if not losses:
            outcome = "incomplete"
        else:
            over = any(not rule.max_loss_pct.holds(x) for x in losses)
            outcome = "fail" if over or (leaking and not rule.leakage_allowed) else "pass"
        return {
            "sample_count": len(pool.declared),
            "max_loss_pct": _show(max(losses)) if losses else None,
            "leakage_count": leaking,
            "outcome": outcome,
            "dataset_refs": sorted({ref for _row, ref in pool.declared}),
        }

    def _chamber_logs(self, limits: dict[str, Limit], out: list) -> list[tuple[str, dict]]:
        """Check each chamber log's longest hold against the weight-loss conditions.

        Absent logs leave the decision to the sheet's own condition columns (flagged)."""
        if not self.data.chambers:
            self.flag("no_chamber_log", "info")
            return []
        problems = []
        duration = limits.get("duration_h")
        temperature = limits.get("temperature_c")
        pressure = limits.get("pressure_pa")
        for log in self.data.chambers:
            hold_h = _num(log.longest_hold_s)
            hold_h = hold_h / _SECONDS_PER_HOUR if hold_h is not None else None
            t_min, t_max = _num(log.min_temperature_c), _num(log.max_temperature_c)
            p_max = _num(log.max_pressure_pa)
            failed = []
            if duration is not None and (hold_h is None or not duration.holds(hold_h)):
                failed.append(
                    _fragment(
                        "chamber.hold", hold_h=_show(hold_h), requirement=_requirement(duration)
                    )
                )
            if temperature is not None and (
                t_min is None
                or t_max is None
                or not (temperature.holds(t_min) and temperature.holds(t_max))
            ):
                failed.append(
                    _fragment(
                        "chamber.temperature",
                        min_c=_raw(t_min),
                        max_c=_raw(t_max),
                        requirement=_requirement(temperature),
                    )
                )
            if pressure is not None and (p_max is None or not pressure.holds(p_max)):
                failed.append(
                    _fragment(
                        "chamber.pressure", max_pa=_raw(p_max), requirement=_requirement(pressure)
                    )
                )
            out.append(
                {
                    "dataset_ref": log.dataset_ref,
                    "longest_hold_h": _show(hold_h),
                    "min_temperature_c": _raw(t_min),
                    "max_temperature_c": _raw(t_max),
                    "max_pressure_pa": _raw(p_max),
                    "conditions_met": not failed,
                }
            )
            if failed:
                text = _joined("list.chamber", failed)
                problems.append((log.dataset_ref, text))
                self.flag(
                    "chamber_log_conditions_not_met",
                    "warning",
                    dataset_ref=log.dataset_ref,
                    conditions=text,
                )
        return problems

    # -- 3. liquid electrolyte content and the class (STANDARD.md sections 3, 4.2, 5)

    def _content(self, pool: _Pool) -> tuple[CriterionResult, Decimal | None, str | None]:
        """Returns the criterion, the deciding (highest) content and the class of its band."""
        rule = self.rs.electrolyte_content
        product_declared = self.data.product.declared_liquid_electrolyte_pct
        samples = []
        values = []
        missing_ids = []
        for row, ref in pool.accepted:
            sid = _sample_id(row)
            value = _num(row.get("liquid_electrolyte_pct"))
            if value is None or not 0 <= value <= 100:
                missing_ids.append(sid)
            else:
                values.append(value)
            samples.append(
                {
                    "sample_id": sid,
                    "dataset_ref": ref,
                    "test_date": _iso(row.get("test_date")),
                    "liquid_electrolyte_pct": _raw(value),
                }
            )
        content = max(values) if values and not missing_ids else None
        declared_values = [
            v
            for v in (_num(r.get("liquid_electrolyte_pct")) for r, _ in pool.declared)
            if v is not None
        ]
        measured: dict[str, Any] = {
            "sample_count": len(samples),
            "liquid_electrolyte_pct": _raw(content),
            "samples": samples,
            "ignored_rows": pool.ignored,
            "declared": {
                "product_liquid_electrolyte_pct": _raw(_num(product_declared)),
                "maker_max_liquid_electrolyte_pct": _raw(max(declared_values))
                if declared_values
                else None,
                "maker_sample_count": len(pool.declared),
            },
        }
        params = {"sample_count": len(samples), "min_samples": int(rule.min_samples.value)}
        if not samples:
            self._no_lab_data(
                "electrolyte_content", pool, product_declared=product_declared is not None
            )
            result = self.result(
                "electrolyte_content",
                "incomplete",
                "electrolyte_content.no_data",
                measured=measured,
                **params,
            )
            return result, None, None
        if missing_ids:
            result = self.result(
                "electrolyte_content",
                "incomplete",
                "electrolyte_content.missing_values",
                measured=measured,
                **params,
                sample_ids=_ids(missing_ids),
            )
            return result, None, None
        if not rule.min_samples.holds(Decimal(len(samples))):
            result = self.result(
                "electrolyte_content",
                "incomplete",
                "electrolyte_content.too_few_samples",
                measured=measured,
                **params,
            )
            return result, None, None
        band = self._band(content)
        band_rule = self.rs.class_rule(band)
        measured["band_class"] = band
        outcome = "pass" if band_rule.certifiable else "fail"
        result = self.result(
            "electrolyte_content",
            outcome,
            f"electrolyte_content.{outcome}",
            measured=measured,
            limit=band_rule.content_pct.limit_text,
            comparator=band_rule.content_pct.comparator,
            unit=band_rule.content_pct.unit,
            content_pct=_raw(content),
            band_class=band,
            band_class_name=band_rule.name_en,
            band=_requirement(band_rule.content_pct),
            **params,
        )
        return result, content, band

    def _band(self, content: Decimal) -> str | None:
        return next(
            (c.code for c in self.rs.classes if c.content_pct and c.content_pct.holds(content)),
            None,
        )

    def _gated_class(self) -> ClassRule:
        return next(c for c in self.rs.classes if c.weight_loss_gate)

    def _determine_class(self, content, weight_loss: CriterionResult | None) -> str | None:
        """Class from content and weight loss (STANDARD.md section 5)."""
        if self.rs.has_content_bands:
            _result, value, band = content
            if band is None:
                self.flag("class_undetermined_content", "warning")
                return None
            band_rule = self.rs.class_rule(band)
        else:
            value, band_rule = None, self._gated_class()
        if not band_rule.weight_loss_gate:
            return band_rule.code
        outcome = weight_loss.outcome if weight_loss is not None else "incomplete"
        if outcome == "pass":
            return band_rule.code
        if outcome == "fail":
            target = band_rule.on_weight_loss_fail
            if target is None:
                self.flag("not_gated_class", "warning", band_class_name=band_rule.name_en)
                return None
            self.flag(
                "content_contradicted_by_weight_loss",
                "warning",
                content_pct=_raw(value),
                band_class_name=band_rule.name_en,
                class_name=self.class_name(target),
            )
            return target
        self.flag("class_undetermined_weight_loss", "warning", band_class_name=band_rule.name_en)
        return None

    def _content_declarations(self, content, weight_loss: CriterionResult | None) -> None:
        """Flag declared contents that the lab's evidence contradicts (STANDARD.md 4.2)."""
        result, measured_value, _band = content
        tolerance = self.rs.electrolyte_content.declared_tolerance_pct
        product_declared = _num(self.data.product.declared_liquid_electrolyte_pct)
        maker = result.measured["declared"]["maker_max_liquid_electrolyte_pct"]
        maker_value = Decimal(maker) if maker is not None else None
        for code, declared in (
            ("declared_content_disagrees", product_declared),
            ("maker_content_disagrees", maker_value),
        ):
            if declared is None:
                continue
            if measured_value is not None and not tolerance.holds(abs(declared - measured_value)):
                self.flag(
                    code,
                    "warning",
                    declared_pct=_raw(declared),
                    measured_pct=_raw(measured_value),
                    tolerance_pct=tolerance.limit_text,
                )
            band = self._band(declared)
            band_rule = self.rs.class_rule(band)
            if (
                band_rule is not None
                and band_rule.weight_loss_gate
                and weight_loss is not None
                and weight_loss.outcome == "fail"
            ):
                self.flag(
                    "declared_content_contradicted_by_weight_loss",
                    "warning",
                    declared_pct=_raw(declared),
                    band_class_name=band_rule.name_en,
                )

    # -- 4. energy density floor of the class (STANDARD.md 4.3)

    def _energy(self, pool: _Pool, class_rule: ClassRule | None) -> CriterionResult:
        rule = self.rs.energy_density
        current = rule.discharge_current
        limits = {c.name: c for c in rule.conditions}
        capacity = _num(self.data.product.rated_capacity_ah)
        if capacity is not None and capacity <= 0:
            capacity = None
        floor = class_rule.energy_floor_wh_per_kg if class_rule is not None else None
        problems = _Problems()
        samples: list[dict[str, Any]] = []
        densities: list[Decimal] = []
        below = 0
        for row, ref in pool.accepted:
            sid = _sample_id(row)
            energy = _num(row.get("discharge_energy_wh"))
            mass = _num(row.get("cell_mass_g"))
            amps = _num(row.get("discharge_current_a"))
            entry: dict[str, Any] = {
                "sample_id": sid,
                "dataset_ref": ref,
                "test_date": _iso(row.get("test_date")),
                "discharge_energy_wh": _raw(energy),
                "cell_mass_g": _raw(mass),
                "discharge_current_a": _raw(amps),
            }
            missing = []
            if energy is None or energy < 0:
                missing.append("discharge_energy_wh")
            if mass is None or mass <= 0:
                missing.append("cell_mass_g")
            if amps is None:
                missing.append("discharge_current_a")
            if capacity is None:
                missing.append("rated_capacity_ah")
            conditions_met = problems.check_conditions(row, sid, limits, entry, missing)
            deviation = None
            if amps is not None and capacity is not None:
                deviation = current.deviation_pct(abs(amps), capacity)
                if deviation > current.tolerance_pct.value:
                    conditions_met = False
                    problems.bad_conditions.setdefault("discharge_current_a", []).append(sid)
            entry["discharge_current_deviation_pct"] = _show(deviation)
            entry["conditions_met"] = conditions_met
            density = None
            if energy is not None and energy >= 0 and mass is not None and mass > 0:
                # Wh / (g / 1000) written as one division: Wh × 1000 / g.
                density = energy * _GRAMS_PER_KG / mass
                densities.append(density)
                if floor is not None and not floor.holds(density):
                    below += 1
            entry["energy_density_wh_per_kg"] = _show(density)
            if missing:
                problems.missing(sid, missing)
            samples.append(entry)

        measured: dict[str, Any] = {
            "sample_count": len(samples),
            "min_energy_density_wh_per_kg": _show(min(densities)) if densities else None,
            "nominal_discharge_current_a": _show(current.nominal_a(capacity)) if capacity else None,
            "samples": samples,
            "ignored_rows": pool.ignored,
            "conditions": {
                **{name: c.describe() for name, c in limits.items()},
                "discharge_current_a": render_text(_rated_current(current)),
            },
            "cycler": [],
        }
        declared = self._declared_energy(pool, floor)
        if declared is not None:
            measured["declared"] = declared
        cycler_ok = self._cyclers(pool, measured["cycler"]) if samples else True
        self.flag_unreported("energy_density", problems)
        params = {
            "sample_count": len(samples),
            "min_energy_density_wh_per_kg": measured["min_energy_density_wh_per_kg"],
            "below_floor_count": below,
            "min_samples": int(rule.min_samples.value),
        }
        if not samples:
            self._no_lab_data("energy_density", pool)
        if class_rule is None:
            return self.result(
                "energy_density",
                "not_applicable",
                "energy_density.class_undetermined",
                measured=measured,
                **params,
            )
        common = {"measured": measured, "class_name": class_rule.name_en}
        if floor is None:
            return self.result(
                "energy_density", "not_applicable", "energy_density.no_floor", **common, **params
            )
        common.update(limit=floor.limit_text, comparator=floor.comparator, unit=floor.unit)
        requirements = {name: _requirement(c) for name, c in limits.items()}
        requirements["discharge_current_a"] = _rated_current(current)
        gate = self._validity_gate(
            "energy_density",
            samples=samples,
            problems=problems,
            min_samples=rule.min_samples,
            requirements=requirements,
            common=common,
            params=params,
        )
        if gate is not None:
            return gate
        if not cycler_ok:
            return self.result(
                "energy_density",
                "incomplete",
                "energy_density.cycler_mismatch",
                **common,
                **params,
                dataset_refs=", ".join(c.dataset_ref for c in self.data.cyclers),
            )
        outcome = "fail" if below else "pass"
        if declared is not None and declared["outcome"] not in (outcome, "incomplete"):
            self.flag(
                "declared_result_disagrees",
                "warning",
                kind="energy_density",
                declared_outcome=declared["outcome"],
                lab_outcome=outcome,
            )
        return self.result(
            "energy_density", outcome, f"energy_density.{outcome}", **common, **params
        )

    @staticmethod
    def _declared_energy(pool: _Pool, floor: Limit | None) -> dict[str, Any] | None:
        if not pool.declared:
            return None
        densities = []
        for row, _ref in pool.declared:
            energy, mass = _num(row.get("discharge_energy_wh")), _num(row.get("cell_mass_g"))
            if energy is not None and mass is not None and mass > 0:
                densities.append(energy * _GRAMS_PER_KG / mass)
        if not densities or floor is None:
            outcome = "incomplete" if not densities else "not_applicable"
        else:
            outcome = "pass" if all(floor.holds(d) for d in densities) else "fail"
        return {
            "sample_count": len(pool.declared),
            "min_energy_density_wh_per_kg": _show(min(densities)) if densities else None,
            "outcome": outcome,
            "dataset_refs": sorted({ref for _row, ref in pool.declared}),
        }

    def _cyclers(self, pool: _Pool, out: list) -> bool:
        """Cross-check the sheet's discharge energy with each cycler file (raw data)."""
        if not self.data.cyclers:
            self.flag("no_cycler_data", "info")
            return True
        tolerance = self.rs.energy_density.cycler_tolerance_pct
        ok = True
        for cycler in self.data.cyclers:
            raw = _num(cycler.main_discharge_energy_wh)
            raw = abs(raw) if raw is not None else None
            candidates = [
                (row, ref)
                for row, ref in pool.accepted
                if cycler.sample_id is None or _sample_id(row) == cycler.sample_id
            ]
            if not candidates:
                ok = False
                out.append({"dataset_ref": cycler.dataset_ref, "sample_id": cycler.sample_id})
                self.flag(
                    "cycler_sample_unknown",
                    "error",
                    dataset_ref=cycler.dataset_ref,
                    sample_id=cycler.sample_id,
                )
                continue
            best = None  # (deviation %, sheet energy, sample id)
            for row, _ref in candidates:
                sheet = _num(row.get("discharge_energy_wh"))
                if sheet is None or sheet <= 0 or raw is None:
                    continue
                deviation = abs(sheet - raw) * 100 / sheet
                if best is None or deviation < best[0]:
                    best = (deviation, sheet, _sample_id(row))
            within = best is not None and tolerance.holds(best[0])
            out.append(
                {
                    "dataset_ref": cycler.dataset_ref,
                    "format": cycler.format,
                    "sample_id": best[2] if best else cycler.sample_id,
                    "cycler_discharge_energy_wh": _show(raw),
                    "sheet_discharge_energy_wh": _raw(best[1]) if best else None,
                    "deviation_pct": _show(best[0]) if best else None,
                    "within_tolerance": within,
                }
            )
            if not within:
                ok = False
                self.flag(
                    "cycler_energy_mismatch",
                    "error",
                    dataset_ref=cycler.dataset_ref,
                    cycler_energy_wh=_show(raw),
                    sheet_energy_wh=_raw(best[1]) if best else None,
                    deviation_pct=_show(best[0]) if best else None,
                    comparator=tolerance.comparator,
                    tolerance_pct=tolerance.limit_text,
                )
        return ok

    # -- 5. abuse safety tests of the class (STANDARD.md 4.4)

    def _safety(self, pool: _Pool, class_rule: ClassRule | None) -> tuple[CriterionResult, ...]:
        indicators = self.rs.safety.failure_indicators
        indicator_text = " or ".join(indicators)
        by_test: dict[str, list[tuple[Mapping[str, Any], str]]] = {}
        for item in pool.accepted:
            by_test.setdefault(str(item[0].get("test")), []).append(item)
        declared_by_test: dict[str, list[Mapping[str, Any]]] = {}
        for row, _ref in pool.declared:
            declared_by_test.setdefault(str(row.get("test")), []).append(row)
        requirement = class_rule.safety if class_rule is not None else None
        required = requirement.tests if requirement is not None else ()

        for test, items in by_test.items():
            if test in required:
                continue
            failed = sum(1 for row, _ in items if any(row.get(i) is True for i in indicators))
            if failed:
                self.flag(
                    "safety_failure_other_test",
                    "warning",
                    test=test,
                    indicators=indicator_text,
                    failed_count=failed,
                )
        if class_rule is None or requirement is None:
            measured = {
                "tests": {
                    test: {"sample_count": len(items)} for test, items in sorted(by_test.items())
                },
                "ignored_rows": pool.ignored,
            }
            if class_rule is None:
                message_id, params = "safety.class_undetermined", {}
            else:
                message_id, params = "safety.not_required", {"class_name": class_rule.name_en}
            return (
                self.result("safety", "not_applicable", message_id, measured=measured, **params),
            )

        results = []
        for test in required:
            results.append(
                self._safety_test(
                    test,
                    by_test.get(test, []),
                    declared_by_test.get(test, []),
                    requirement.min_samples,
                    indicators,
                    class_rule,
                )
            )
        return tuple(results)

    def _safety_test(
        self,
        test: str,
        items: list[tuple[Mapping[str, Any], str]],
        declared: list[Mapping[str, Any]],
        min_samples: Limit,
        indicators: tuple[str, ...],
        class_rule: ClassRule,
    ) -> CriterionResult:
        """One required abuse test: passes only with no fire and no explosion in every sample."""
        indicator_text = " or ".join(indicators)
        samples = []
        missing_ids: list[str] = []
        missing_columns: dict[str, None] = {}
        failed = 0
        for row, ref in items:
            sid = _sample_id(row)
            entry = {"sample_id": sid, "dataset_ref": ref, "test_date": _iso(row.get("test_date"))}
            absent = []
            hit = False
            for name in indicators:
                value = row.get(name)
                entry[name] = value if isinstance(value, bool) else None
                if not isinstance(value, bool):
                    absent.append(name)
                elif value:
                    hit = True
            entry["max_temperature_c"] = _raw(_num(row.get("max_temperature_c")))
            if hit:
                failed += 1
            if absent:
                missing_ids.append(sid)
                missing_columns.update(dict.fromkeys(absent))
            samples.append(entry)
        measured: dict[str, Any] = {
            "test": test,
            "sample_count": len(samples),
            "failed_count": failed,
            "samples": samples,
        }
        if declared:
            declared_failed = sum(
                1 for row in declared if any(row.get(i) is True for i in indicators)
            )
            measured["declared"] = {
                "sample_count": len(declared),
                "failed_count": declared_failed,
                "outcome": "fail" if declared_failed else "pass",
            }
        code = f"safety.{test}"
        common = {
            "measured": measured,
            "limit": ", ".join(indicators),
            "comparator": "none_in_any_sample",
            "test": test,
            "indicators": indicator_text,
            "sample_count": len(samples),
            "failed_count": failed,
            "min_samples": int(min_samples.value),
            "class_name": class_rule.name_en,
        }
        # A fire or an explosion is decisive even if another sample lacks a value.
        if failed:
            outcome, message_id = "fail", "safety.fail"
        elif not samples:
            if declared:
                self.flag("maker_only_evidence", "warning", kind=code)
            outcome, message_id = "incomplete", "safety.no_data"
        elif missing_ids:
            return self.result(
                code,
                "incomplete",
                "safety.missing_values",
                **common,
                sample_ids=_ids(missing_ids),
                columns=", ".join(missing_columns),
            )
        elif not min_samples.holds(Decimal(len(samples))):
            outcome, message_id = "incomplete", "safety.too_few_samples"
        else:
            outcome, message_id = "pass", "safety.pass"
        if declared and outcome in ("pass", "fail") and measured["declared"]["outcome"] != outcome:
            self.flag(
                "declared_result_disagrees",
                "warning",
                kind=code,
                declared_outcome=measured["declared"]["outcome"],
                lab_outcome=outcome,
            )
        return self.result(code, outcome, message_id, **common)

    # -- 6. overall

    @staticmethod
    def _required(class_rule: ClassRule, criteria: tuple[CriterionResult, ...]):
        return [c for c in criteria if c.code.split(".", 1)[0] in class_rule.requires]

    def _required_pass(self, class_rule: ClassRule, criteria) -> bool:
        required = self._required(class_rule, criteria)
        present = {c.code.split(".", 1)[0] for c in required}
        return present == set(class_rule.requires) and all(c.outcome == "pass" for c in required)

    def _verdict(self, class_rule: ClassRule | None, certifiable: bool, criteria) -> str:
        if certifiable:
            return "certifiable"
        if class_rule is None:
            if any(c.outcome == "incomplete" for c in criteria):
                return "incomplete"
            return "not_certifiable"
        if not class_rule.certifiable:
            return "not_certifiable"
        required = self._required(class_rule, criteria)
        if any(c.outcome == "fail" for c in required):
            return "not_certifiable"
        return "incomplete"

    def _claim(self, determined: str | None) -> bool:
        claimed = self.data.claimed_class
        claimed_rule = self.rs.class_rule(claimed)
        names = {"claimed_class_name": self.class_name(claimed)}
        if claimed_rule is None or not claimed_rule.certifiable:
            self.flag("claimed_class_not_certifiable", "warning", **names)
        if determined is None:
            return False
        names["class_name"] = self.class_name(determined)
        rank = CLASSES.codes.index
        if rank(claimed) > rank(determined):
            self.flag("claim_not_supported", "warning", **names)
            return False
        if rank(claimed) < rank(determined):
            self.flag("claim_below_determined_class", "info", **names)
        return True

    def _application(self) -> str | None:
        """High-energy when max continuous power / rated energy meets the rule set's ratio."""
        product = self.data.product
        power, energy = _num(product.max_continuous_power_w), _num(product.rated_energy_wh)
        if power is None or energy is None or power <= 0 or energy <= 0:
            self.flag("application_undetermined", "warning")
            return None
        ratio = power / energy
        return (
            "high_energy"
            if self.rs.classification_code.high_energy_ratio.holds(ratio)
            else "high_power"
        )

    def _labels(self, class_rule: ClassRule | None, certifiable: bool) -> tuple[LabelSet, LabelSet]:
        """The wording the maker may and may not print.

        A certified class, or a class the scheme never certifies (liquid), gets its own wording.
        Otherwise nothing is permitted and every certifiable class's wording is forbidden too.
        """
        if class_rule is not None and (certifiable or not class_rule.certifiable):
            return class_rule.permitted, class_rule.forbidden
        # Without a certificate: no certifiable class's wording, and no solid-state wording at
        # all (the terms a never-certified class, i.e. liquid, forbids).
        sources = [class_rule] if class_rule is not None else []
        sources += [rule for rule in self.rs.classes if not rule.certifiable]
        forbidden: dict[str, tuple[str, ...]] = {}
        for lang in ("en", "zh"):
            items: list[str] = []
            for rule in self.rs.classes:
                if rule.certifiable:
                    items.extend(getattr(rule.permitted, lang))
            for rule in sources:
                items.extend(getattr(rule.forbidden, lang))
            forbidden[lang] = tuple(dict.fromkeys(items))
        return LabelSet((), ()), LabelSet(forbidden["en"], forbidden["zh"])
