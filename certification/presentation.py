"""How a stored evaluation result reads on a page or a certificate: the measured record of a
criterion as its headline value (the one the engine says it compared), a sample table and the
details, and any stored value as plain text. Used by the templates (``portal_extras``) and by
``reports`` for the certificate."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from certification.evidence import rule_data
from certification.exceptions import InvalidTransition
from certification.parsers.sheets.conditions import allowed_values, conditions_for
from certification.rules import RuleSetData
from certification.services.rulesets import ruleset_in_force
from certification.vocabulary import CRITERIA, SHEET_KINDS


def measured_view(measured) -> dict:
    """A criterion's measured record as a headline value, a sample count and a sample table.

    The engine records everything it looked at (samples, conditions, declarations) and names,
    under ``compared``, the value its limit is compared with: that value is the table row's
    headline, and the details show the rest. An abuse test compares its count of failed
    samples, which reads "0 of 3 failed" and stays among the details.
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
        headline = value_text(compared_value)
    shown_apart = ("samples", "compared") if counts_failures else ("samples", "compared", compared)
    samples = [row for row in measured.get("samples") or [] if isinstance(row, dict)]
    columns: list[str] = []
    for row in samples:
        columns.extend(key for key in row if key not in columns)
    details = {
        key: value_text(value)
        for key, value in measured.items()
        if key not in shown_apart and value not in (None, [], {}, "")
    }
    return {
        "headline": headline or "—",
        "has_value": headline is not None and not counts_failures,
        "sample_count": measured.get("sample_count"),
        "columns": columns,
        "rows": [[value_text(row.get(c)) for c in columns] for row in samples],
        "details": details,
    }


def value_text(value) -> str:
    """A stored value as the text a table shows: "—" for nothing, yes/no, numbers without
    padding zeros, lists and records joined."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float | Decimal):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v) for v in value) if value else "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {value_text(v)}" for k, v in value.items()) if value else "—"
    return str(value)


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
