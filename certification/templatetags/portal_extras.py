"""Presentation helpers for the portal's templates: labels, badges and number formatting."""

from __future__ import annotations

import json

from django import template
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification import access, criteria, selectors, vocabulary
from certification.models import Dataset, Decision, Evaluation, Submission
from certification.presentation import measured_view, value_text
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
def criterion_label(code: str | None) -> str:
    """``weight_loss`` -> "Vacuum weight loss", ``safety.nail_penetration`` -> its test's name."""
    family, _dot, test = (code or "").partition(".")
    if test and test in vocabulary.SAFETY_TESTS:
        return capfirst(_(vocabulary.SAFETY_TESTS[test]))
    if family in vocabulary.CRITERIA:
        return capfirst(_(vocabulary.CRITERIA[family]))
    return code or "—"


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
        return f"{value_text(limit)} {unit}" if unit and limit else value_text(limit)
    return criteria.render_text(criteria.limit_text(limit, criterion.get("comparator"), unit), _)


register.filter("measured_view", measured_view)


@register.filter
def plain(value) -> str:
    """A measured value, limit or list of them as readable text (lists, dicts, numbers)."""
    return value_text(value)


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
            rows.append({"what": what or value_text(item), "sha256": item.get("sha256", "")})
        else:
            rows.append({"what": str(item), "sha256": ""})
    return rows


# --- review and certificates --------------------------------------------------------------


@register.filter
def is_reviewer(user) -> bool:
    return access.is_reviewer(user)


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
