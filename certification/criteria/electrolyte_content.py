"""Liquid electrolyte content: which class band the cell is in (STANDARD.md sections 3 and 4.2).

Implements ``[criteria.electrolyte_content]`` and the classes' ``content_pct`` bands of
certification/rulesets/gbt-ssb-2026.toml: the highest lab-measured content decides, and its band
names a class (> 20 % liquid, 5 to 20 % hybrid solid-liquid, < 5 % all-solid-state in the default
rule set). The criterion passes when that class is one the rule set certifies. At least
``min_samples`` samples, each with a value between 0 and 100, or the criterion is incomplete.

The maker's declared content (on the product, and any maker rows) is shown beside the measured
one and flagged when it differs by more than ``declared_tolerance_pct`` percentage points, or when
it would place the cell in a weight-loss-gated band that the failed weight loss contradicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from certification.criteria.evidence_independence import Pool, flag_maker_only
from certification.criteria.outcome import CriterionResult, Flag, Sentences
from certification.criteria.text import requirement, sample_ids
from certification.criteria.values import as_given, iso_day, sample_id_of, to_decimal
from certification.rules import RuleSetData
from certification.vocabulary import gettext_noop

MESSAGES: dict[str, str] = {
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
}
SENTENCES = Sentences(MESSAGES)


@dataclass(frozen=True)
class ContentFinding:
    """The content criterion, the deciding (highest) content and the class of its band; the
    last two are None when the content cannot be judged."""

    result: CriterionResult
    value: Decimal | None
    band: str | None


def band_of(ruleset: RuleSetData, content: Decimal) -> str | None:
    """The class whose ``content_pct`` band holds ``content``."""
    return next(
        (c.code for c in ruleset.classes if c.content_pct and c.content_pct.holds(content)),
        None,
    )


def evaluate_content(
    ruleset: RuleSetData, pool: Pool, declared_pct: Decimal | None, flags: list[Flag]
) -> ContentFinding:
    """The content criterion on the lab's rows; ``declared_pct`` is the product's declaration."""
    rule = ruleset.electrolyte_content
    samples = []
    values = []
    missing_ids = []
    for row, ref in pool.accepted:
        sid = sample_id_of(row)
        value = to_decimal(row.get("liquid_electrolyte_pct"))
        if value is None or not 0 <= value <= 100:
            missing_ids.append(sid)
        else:
            values.append(value)
        samples.append(
            {
                "sample_id": sid,
                "dataset_ref": ref,
                "test_date": iso_day(row.get("test_date")),
                "liquid_electrolyte_pct": as_given(value),
            }
        )
    content = max(values) if values and not missing_ids else None
    declared_values = [
        v
        for v in (to_decimal(r.get("liquid_electrolyte_pct")) for r, _ in pool.declared)
        if v is not None
    ]
    measured: dict[str, Any] = {
        "compared": "liquid_electrolyte_pct",
        "sample_count": len(samples),
        "liquid_electrolyte_pct": as_given(content),
        "samples": samples,
        "ignored_rows": pool.ignored,
        "declared": {
            "product_liquid_electrolyte_pct": as_given(to_decimal(declared_pct)),
            "maker_max_liquid_electrolyte_pct": as_given(max(declared_values))
            if declared_values
            else None,
            "maker_sample_count": len(pool.declared),
        },
    }
    params = {"sample_count": len(samples), "min_samples": int(rule.min_samples.value)}
    code = "electrolyte_content"
    if not samples:
        # The product form's declared percentage is no uploaded result: it is shown beside
        # the lab's value, and never makes "only the maker's results" true.
        flag_maker_only(code, flags, declared=bool(pool.declared))
        result = SENTENCES.result(
            code, "incomplete", f"{code}.no_data", measured=measured, **params
        )
        return ContentFinding(result, None, None)
    if missing_ids:
        result = SENTENCES.result(
            code,
            "incomplete",
            f"{code}.missing_values",
            measured=measured,
            **params,
            sample_ids=sample_ids(missing_ids),
        )
        return ContentFinding(result, None, None)
    if not rule.min_samples.holds(Decimal(len(samples))):
        result = SENTENCES.result(
            code, "incomplete", f"{code}.too_few_samples", measured=measured, **params
        )
        return ContentFinding(result, None, None)
    band = band_of(ruleset, content)
    band_rule = ruleset.class_rule(band)
    measured["band_class"] = band
    outcome = "pass" if band_rule.certifiable else "fail"
    result = SENTENCES.result(
        code,
        outcome,
        f"{code}.{outcome}",
        measured=measured,
        limit=band_rule.content_pct.limit_text,
        comparator=band_rule.content_pct.comparator,
        unit=band_rule.content_pct.unit,
        content_pct=as_given(content),
        band_class=band,
        band_class_name=band_rule.name_en,
        band=requirement(band_rule.content_pct),
        **params,
    )
    return ContentFinding(result, content, band)


def check_declarations(
    ruleset: RuleSetData,
    finding: ContentFinding,
    weight_loss: CriterionResult | None,
    declared_pct: Decimal | None,
    flags: list[Flag],
) -> None:
    """Flag declared contents (the product's, the maker's rows') that the lab's evidence
    contradicts: too far from the measured value, or in a band the failed weight loss rules out.
    """
    tolerance = ruleset.electrolyte_content.declared_tolerance_pct
    product_declared = to_decimal(declared_pct)
    maker = finding.result.measured["declared"]["maker_max_liquid_electrolyte_pct"]
    maker_value = Decimal(maker) if maker is not None else None
    measured_value = finding.value
    for code, declared in (
        ("declared_content_disagrees", product_declared),
        ("maker_content_disagrees", maker_value),
    ):
        if declared is None:
            continue
        if measured_value is not None and not tolerance.holds(abs(declared - measured_value)):
            flags.append(
                SENTENCES.flag(
                    code,
                    "warning",
                    declared_pct=as_given(declared),
                    measured_pct=as_given(measured_value),
                    tolerance_pct=tolerance.limit_text,
                )
            )
        band_rule = ruleset.class_rule(band_of(ruleset, declared))
        if (
            band_rule is not None
            and band_rule.weight_loss_gate
            and weight_loss is not None
            and weight_loss.outcome == "fail"
        ):
            flags.append(
                SENTENCES.flag(
                    "declared_content_contradicted_by_weight_loss",
                    "warning",
                    declared_pct=as_given(declared),
                    band_class_name=band_rule.name_en,
                )
            )
