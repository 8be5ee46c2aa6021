"""Presentation helpers for the portal's templates: labels, badges and number formatting."""

from __future__ import annotations

import json
from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification import access, criteria, selectors
from certification.models import Dataset, Decision, Evaluation, Submission
from certification.vocabulary import (
    APPLICATIONS,
    CONDUCTING_IONS,
    ELECTROLYTE_FAMILIES,
    OUTCOMES,
)

register = template.Library()

SEVERITIES = {
    "info": gettext_lazy("Info"),
    "warning": gettext_lazy("Warning"),
    "error": gettext_lazy("Error"),
}
COMPARATORS = {
    "<=": "≤",
    ">=": "≥",
    "<": "<",
    ">": ">",
    "==": "=",
    "=": "=",
    "none_in_any_sample": gettext_lazy("none in any sample"),
    "between_inclusive": gettext_lazy("between, limits included"),
}


@register.filter
def latest_evaluation(submission: Submission) -> Evaluation | None:
    return selectors.latest_evaluation(submission)


@register.filter
def class_label(value: str | None) -> str:
    return selectors.class_label(value) if value else "—"


@register.filter
def submission_status_label(value: str | None) -> str:
    try:
        return str(Submission.Status(value).label)
    except ValueError:
        return value or "—"


@register.filter
def evaluation_status_label(value: str | None) -> str:
    try:
        return str(Evaluation.Status(value).label)
    except ValueError:
        return value or "—"


@register.filter
def kind_label(value: str | None) -> str:
    try:
        return str(Dataset.Kind(value).label)
    except ValueError:
        return value or "—"


@register.filter
def status_badge(value: str | None) -> str:
    """A coloured badge for a submission or evaluation status."""
    label = submission_status_label(value)
    if label == value:
        label = evaluation_status_label(value)
    return format_html('<span class="badge badge-{}">{}</span>', value or "none", label)


@register.filter
def outcome_badge(value: str | None) -> str:
    label = capfirst(_(OUTCOMES[value])) if value in OUTCOMES else value or "—"
    return format_html('<span class="badge badge-{}">{}</span>', value or "none", label)


@register.filter
def severity_label(value: str | None) -> str:
    return str(SEVERITIES.get(value or "", value or ""))


@register.filter
def bool_badge(value: bool | None) -> str:
    """Yes / No / Not decided, as a badge."""
    if value is True:
        return format_html('<span class="badge badge-pass">{}</span>', _("Yes"))
    if value is False:
        return format_html('<span class="badge badge-fail">{}</span>', _("No"))
    return format_html('<span class="badge badge-none">{}</span>', _("Not decided"))


@register.filter
def comparator(value: str | None) -> str:
    return str(COMPARATORS.get(value or "", (value or "").replace("_", " ")))


@register.filter
def criterion_limit(criterion: dict) -> str:
    """A criterion's limit with its unit in the active language: ``0.5 %``, ``5 to 20 %``
    (``5～20 %``), the safety indicators ``fire, explosion`` (``起火、爆炸``)."""
    limit, unit = criterion.get("limit"), criterion.get("unit")
    if not isinstance(limit, str):  # not what the engine writes; shown as it is
        return f"{_as_text(limit)} {unit}" if unit and limit else _as_text(limit)
    return criteria.render_text(criteria.limit_text(limit, criterion.get("comparator"), unit), _)


@register.filter
def measured_view(measured) -> dict:
    """A criterion's measured record as a headline value, a sample count and a sample table.

    The engine records everything it looked at (samples, conditions, declarations) and names,
    under ``compared``, the value its limit is compared with: that value is the table row's
    headline, and the details show the rest. An abuse test compares its count of failed
    samples, which reads "0 of 3 failed" and stays among the details.
    """
    if not isinstance(measured, dict):
        return {"headline": _as_text(measured), "has_value": measured not in (None, [], {})}
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
        headline = _as_text(compared_value)
    shown_apart = ("samples", "compared") if counts_failures else ("samples", "compared", compared)
    samples = [row for row in measured.get("samples") or [] if isinstance(row, dict)]
    columns: list[str] = []
    for row in samples:
        columns.extend(key for key in row if key not in columns)
    details = {
        key: _as_text(value)
        for key, value in measured.items()
        if key not in shown_apart and value not in (None, [], {}, "")
    }
    return {
        "headline": headline or "—",
        "has_value": headline is not None and not counts_failures,
        "sample_count": measured.get("sample_count"),
        "columns": columns,
        "rows": [[_as_text(row.get(c)) for c in columns] for row in samples],
        "details": details,
    }


def _as_text(value) -> str:
    """A stored value as the text a table shows: "—" for nothing, yes/no, numbers without
    padding zeros, lists and records joined."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float | Decimal):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, list | tuple):
        return ", ".join(_as_text(v) for v in value) if value else "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_as_text(v)}" for k, v in value.items()) if value else "—"
    return str(value)


@register.filter
def plain(value) -> str:
    """A measured value, limit or list of them as readable text (lists, dicts, numbers)."""
    return _as_text(value)


@register.filter
def short_hash(value: str | None, length: int = 12) -> str:
    return (value or "")[: int(length)]


@register.filter
def input_rows(inputs) -> list[dict]:
    """The evaluation's inputs as rows of (what, sha256) for the audit table."""
    rows = []
    for item in inputs or []:
        if isinstance(item, dict):
            what = " · ".join(
                str(item[key])
                for key in ("kind", "source", "original_name", "name", "dataset", "id")
                if item.get(key) not in (None, "")
            )
            rows.append({"what": what or _as_text(item), "sha256": item.get("sha256", "")})
        else:
            rows.append({"what": str(item), "sha256": ""})
    return rows


# --- review and certificates --------------------------------------------------------------


@register.filter
def is_reviewer(user) -> bool:
    return access.is_reviewer(user)


@register.filter
def can_audit(user) -> bool:
    return access.can_audit(user)


@register.filter
def decision_badge(value: str | None) -> str:
    """A reviewer's decision as a badge: approve (green), reject (red), return (amber)."""
    tone = {"approve": "pass", "reject": "fail", "return": "returned"}.get(value or "", "none")
    try:
        label = Decision.Kind(value).label
    except ValueError:
        label = value or "—"
    return format_html('<span class="badge badge-{}">{}</span>', tone, label)


@register.filter
def as_json(value) -> str:
    """A stored value (audit detail, a differing result) as indented JSON for a <pre>."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


@register.filter
def choice_label(value: str | None, kind: str) -> str:
    """The label of a stored product choice: ``electrolyte_family``, ``conducting_ion`` or
    ``application`` (certificates keep the code, the page shows the word)."""
    if not value:
        return "—"
    labels = {
        "application": APPLICATIONS,
        "electrolyte_family": ELECTROLYTE_FAMILIES,
        "conducting_ion": CONDUCTING_IONS,
    }.get(kind, {})
    return _(labels[value]) if value in labels else value
