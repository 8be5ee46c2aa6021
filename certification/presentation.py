"""How a stored evaluation result reads on a page or a certificate: the measured record of a
criterion as its headline value (the one the engine says it compared), a sample table and the
details, and any stored value as plain text. Used by the templates (``portal_extras``) and by
``reports`` for the certificate."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _


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
