"""How a stored evaluation result reads on a page or a certificate: the measured record of a
criterion as its headline value (the one the engine says it compared), a sample table and the
details, and any stored value as plain text. Used by the templates (``portal_extras``) and by
``reports`` for the certificate."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from certification.evidence import rule_data
from certification.exceptions import InvalidTransition
from certification.parsers.sheets.columns import COLUMNS as SHEET_COLUMNS
from certification.parsers.sheets.columns import LABELS as SHEET_LABELS
from certification.parsers.sheets.conditions import allowed_values, conditions_for
from certification.rules import RuleSetData
from certification.services.rulesets import ruleset_in_force
from certification.vocabulary import CLASSES, CRITERIA, OUTCOMES, SAFETY_TESTS, SHEET_KINDS

# Computed quantities: the engine keeps six decimals (the comparison used the full value); a
# page shows them with the significant digits their inputs support (GB/T 8170 rounding).
_COMPUTED = frozenset(
    {
        "loss_pct",
        "max_loss_pct",
        "energy_density_wh_per_kg",
        "min_energy_density_wh_per_kg",
        "discharge_current_deviation_pct",
        "nominal_discharge_current_a",
        "cycler_discharge_energy_wh",
        "deviation_pct",
        "longest_hold_h",
        # sentence parameters of the same quantities
        "cycler_energy_wh",
        "hold_h",
    }
)
_PERCENT_DIGITS = 3  # a loss of 0.267 %, a deviation of 2.35 %
_COMPUTED_DIGITS = 4  # 530.3 Wh/kg, 16.67 A, 6.483 h
# Masses weighed on the balance the row names: shown with its resolution's decimals.
_WEIGHED = frozenset({"mass_before_g", "mass_after_g"})

# The engine's record keys other than the sheet columns (``columns.LABELS``), for table heads.
_LABELS = {
    "sample_count": gettext_noop("Samples"),
    "leakage_count": gettext_noop("Samples with leakage"),
    "failed_count": gettext_noop("Samples failed"),
    "ignored_rows": gettext_noop("Rows ignored"),
    "dataset_ref": gettext_noop("File"),
    "dataset_refs": gettext_noop("Files"),
    "loss_pct": gettext_noop("Loss (%)"),
    "max_loss_pct": gettext_noop("Highest loss (%)"),
    "conditions_met": gettext_noop("Conditions met"),
    "conditions": gettext_noop("Test conditions"),
    "energy_density_wh_per_kg": gettext_noop("Energy density (Wh/kg)"),
    "min_energy_density_wh_per_kg": gettext_noop("Lowest energy density (Wh/kg)"),
    "discharge_current_deviation_pct": gettext_noop("Current off 1 I3 (%)"),
    "nominal_discharge_current_a": gettext_noop("Nominal discharge current (A)"),
    "longest_hold_h": gettext_noop("Longest hold (h)"),
    "min_temperature_c": gettext_noop("Lowest temperature (°C)"),
    "max_pressure_pa": gettext_noop("Highest pressure (Pa)"),
    "format": gettext_noop("Format"),
    "cycler_discharge_energy_wh": gettext_noop("Cycler energy (Wh)"),
    "sheet_discharge_energy_wh": gettext_noop("Sheet energy (Wh)"),
    "deviation_pct": gettext_noop("Deviation (%)"),
    "within_tolerance": gettext_noop("Within tolerance"),
    "chamber_logs": gettext_noop("Chamber logs"),
    "cycler": gettext_noop("Cycler files"),
    "declared": gettext_noop("Maker's declarations"),
    "outcome": gettext_noop("Outcome"),
    "tests": gettext_noop("Tests"),
    "product_liquid_electrolyte_pct": gettext_noop("Declared on the product (%)"),
    "maker_max_liquid_electrolyte_pct": gettext_noop("Maker's highest value (%)"),
    "maker_sample_count": gettext_noop("Maker's samples"),
    "ambient_temperature_c": gettext_noop("Ambient temperature (°C)"),
    "band_class": gettext_noop("Class of the content band"),
}
# Codes among the values, named in the reader's language.
_CODE_VALUES = {"outcome": OUTCOMES, "test": SAFETY_TESTS, "band_class": CLASSES}
# Columns and details in a reading order (the stored records' key order is the database's):
# the sample, the sheet's columns, what the engine computed, the file last.
_ORDER = {
    key: rank
    for rank, key in enumerate(
        dict.fromkeys(
            [
                "sample_id",
                "test",
                *(column.name for kind in SHEET_COLUMNS for column in SHEET_COLUMNS[kind]),
                *_LABELS,
            ]
        )
    )
}
_ORDER["dataset_ref"] = len(_ORDER)


def _in_order(keys) -> list[str]:
    return sorted(keys, key=lambda key: _ORDER.get(key, len(_ORDER) - 1))


def column_label(key: str) -> str:
    """A record key as a table heading in the active language; an unknown key as it is."""
    label = _LABELS.get(key) or SHEET_LABELS.get(key)
    return _(label) if label else key


def measured_view(measured) -> dict:
    """A criterion's measured record as a headline value, a sample count and a sample table.

    The engine records everything it looked at (samples, conditions, declarations) and names,
    under ``compared``, the value its limit is compared with: that value is the table row's
    headline, and the details show the rest. An abuse test compares its count of failed
    samples, which reads "0 of 3 failed" and stays among the details. Headings are translated
    (``column_label``) and numbers shown with their precision (``value_text``); the stored
    record keeps the full values.
    """
    if not isinstance(measured, dict):
        return {"headline": value_text(measured), "has_value": measured not in (None, [], {})}
    compared = measured.get("compared")
    compared_value = measured.get(compared) if compared else None
    counts_failures = compared == "failed_count"
    if compared_value is None:
        headline = None
    elif counts_failures:
        headline = _("%(failed)s of %(total)s failed") % {
            "failed": compared_value,
            "total": measured.get("sample_count"),
        }
    else:
        headline = value_text(compared_value, key=compared)
    shown_apart = ("samples", "compared") if counts_failures else ("samples", "compared", compared)
    samples = [row for row in measured.get("samples") or [] if isinstance(row, dict)]
    keys: list[str] = []
    for row in samples:
        keys.extend(key for key in row if key not in keys)
    keys = _in_order(keys)
    details = {
        column_label(key): value_text(measured[key], key=key)
        for key in _in_order(measured)
        if key not in shown_apart and measured[key] not in (None, [], {}, "")
    }
    return {
        "headline": headline or "—",
        "has_value": headline is not None and not counts_failures,
        "sample_count": measured.get("sample_count"),
        "columns": [column_label(key) for key in keys],
        "column_keys": keys,
        "rows": [[_cell(row, key) for key in keys] for row in samples],
        "details": details,
    }


def _cell(row: dict, key: str) -> str:
    resolution = row.get("balance_resolution_g") if key in _WEIGHED else None
    return value_text(row.get(key), key=key, resolution=resolution)


def value_text(value, *, key: str | None = None, resolution=None) -> str:
    """A stored value as the text a table shows: "—" for nothing, yes/no, lists and records
    joined (record keys as headings), and numbers with the precision of their measurement:

    - a mass weighed on a balance (``resolution``, e.g. ``0.01``) with that many decimals;
    - a computed quantity (``key`` in ``_COMPUTED``) with 3 significant digits for a percentage
      and 4 otherwise (never more digits than stored, never padded);
    - any other number as given, without padding zeros.
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v, key=key) for v in value) if value else "—"
    if isinstance(value, dict):
        if not value:
            return "—"
        return "; ".join(
            f"{column_label(k)}: {value_text(value[k], key=k)}" for k in _in_order(value)
        )
    if key in _CODE_VALUES and value in _CODE_VALUES[key]:
        return _(_CODE_VALUES[key][value])
    number = _decimal(value)
    if number is None:
        return str(value)
    step = _decimal(resolution)
    if step is not None and step > 0 and key in _WEIGHED:
        exponent = min(step.normalize().as_tuple().exponent, 0)
        return format(number.quantize(Decimal(1).scaleb(exponent), ROUND_HALF_EVEN), "f")
    if key in _COMPUTED:
        digits = _PERCENT_DIGITS if key.endswith("_pct") else _COMPUTED_DIGITS
        return format(significant(number, digits), "f")
    if isinstance(value, str):
        return value  # a number as the lab wrote it
    return format(number.normalize(), "f")


def _decimal(value) -> Decimal | None:
    """A stored number (the engine's text, a JSON float or int) as a finite Decimal."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int | float):
        number = Decimal(str(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def figure(value: Decimal | float | None, *, digits: int) -> str:
    """A computed number with ``digits`` significant digits (never an exponent), for reading."""
    if value is None:
        return "—"
    number = Decimal(str(value))
    if not number.is_finite():
        return str(number)
    if number == 0:
        return "0"
    places = max(digits - 1 - number.copy_abs().adjusted(), 0)
    return f"{number:.{places}f}"


def significant(number: Decimal, digits: int) -> Decimal:
    """``number`` with at most ``digits`` significant digits, rounded half to even (GB/T 8170);
    a number already that short is returned as it is (0.5 stays 0.5, not 0.500)."""
    if number == 0:
        return number
    quantum = Decimal(1).scaleb(number.adjusted() - digits + 1)
    if number.as_tuple().exponent >= quantum.as_tuple().exponent:
        return number
    return number.quantize(quantum, ROUND_HALF_EVEN)


def shown_params(params: dict) -> dict:
    """A sentence's parameters with computed numbers at their shown precision (the table's),
    inside text values too (a chamber hold's "hold 5.483333 h" reads "hold 5.483 h")."""
    out = {}
    for key, value in params.items():
        if isinstance(value, dict) and isinstance(value.get("params"), dict):
            value = {**value, "params": shown_params(value["params"])}
        elif isinstance(value, dict) and isinstance(value.get("items"), list):
            value = {
                **value,
                "items": [shown_params({"item": item})["item"] for item in value["items"]],
            }
        elif key in _COMPUTED and _decimal(value) is not None:
            value = value_text(value, key=key)
        out[key] = value
    return out


def rules_in_force() -> RuleSetData | None:
    """The rule set in force today, as labs test against it; None when none is."""
    try:
        return rule_data(ruleset_in_force())
    except InvalidTransition:
        return None


def chinese_headers() -> bool:
    """Whether the active language reads the sheets' Chinese headers (templates, the page)."""
    return (get_language() or "en").lower().startswith("zh")


def test_conditions_view(rules: RuleSetData | None) -> dict | None:
    """What a lab must know before it tests, in the active language: per sheet kind, the rule
    set's conditions and sample counts and the values the yes/no and choice columns accept
    (``parsers.sheets.conditions``, the same words the downloadable templates carry)."""
    if rules is None:
        return None
    chinese = chinese_headers()
    kinds = []
    for kind in SHEET_KINDS:
        conditions = [
            {
                "subject": item.subject_text(_),
                "requirement": item.requirement_text(_),
                "assumption": item.assumption,
            }
            for item in conditions_for(rules, kind)
        ]
        allowed = [
            {"subject": item.subject_text(_), "requirement": item.requirement_text(_)}
            for item in allowed_values(kind, chinese_headers=chinese)
        ]
        kinds.append(
            {"kind": kind, "label": _(CRITERIA[kind]), "conditions": conditions, "allowed": allowed}
        )
    return {
        "code": rules.code,
        "version": rules.version,
        "standard_id": rules.standard_id,
        "kinds": kinds,
    }
