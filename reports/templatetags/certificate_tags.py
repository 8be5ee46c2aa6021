"""Template tags for certificates: their status as a badge or a word, and their links."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from reports import links
from reports.models import Certificate

register = template.Library()


@register.filter
def certificate_status_badge(value: str | None) -> str:
    try:
        label = Certificate.Status(value).label
    except ValueError:
        label = value or "—"
    return format_html('<span class="badge badge-cert-{}">{}</span>', value or "none", label)


@register.filter
def certificate_status_label(value: str | None) -> str:
    try:
        return str(Certificate.Status(value).label)
    except ValueError:
        return value or "—"


@register.simple_tag
def certificate_links(number: str) -> dict[str, str]:
    """``{% certificate_links certificate.number as links %}``: page, PDF, credential, verify."""
    return links.certificate_links(number)
