"""What the register shows of a certificate, and nothing more: the facts verification already
makes public (``verification.lookup.PUBLIC_CONTENT_KEYS``), named in the reader's language from
the one vocabulary, with the links to the certificate's page, PDF and verification.

A status reason is public where the verification page shows it: the reason a certificate became
suspended, withdrawn, revoked, expired or superseded. The reason it was reinstated (made valid
again) is the certification body's own and is never shown; neither is who changed a status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import BatteryClass, ConductingIon, ElectrolyteFamily
from reports import links
from reports.models import Certificate, CertificateEvent

C = Certificate.Status

# (key, column title): the rows of the list, the API and the downloads, in this order.
FIELDS = (
    ("number", _("Certificate")),
    ("status", _("Status")),
    ("status_display", _("Status (in words)")),
    ("holder", _("Holder")),
    ("model_number", _("Model number")),
    ("product_name", _("Name")),
    ("determined_class", _("Determined class")),
    ("determined_class_display", _("Determined class (in words)")),
    ("may_label_solid_state", _("May be labelled solid-state")),
    ("electrolyte_family", _("Electrolyte family")),
    ("electrolyte_family_display", _("Electrolyte family (in words)")),
    ("issued_on", _("Issued on")),
    ("expires_on", _("Expires on")),
    ("url", _("Register page")),
    ("verification_url", _("Verification")),
    ("pdf_url", _("PDF")),
)
KEYS = tuple(key for key, _title in FIELDS)


def _label(choices, code: str | None) -> str:
    if not code:
        return ""
    try:
        return str(choices(code).label)
    except ValueError:  # a code the vocabulary no longer has: shown as stored
        return code


def register_url(number: str) -> str:
    return reverse("register-entry", args=[number])


def public_row(row: dict[str, Any]) -> dict[str, Any]:
    """One row of the register (``search.as_row``) as the public sees it."""
    number = row["number"]
    status = row["status"]
    return {
        "number": number,
        "status": status,
        "status_display": _label(C, status),
        "holder": row["register_holder"] or "",
        "model_number": row["register_model"] or "",
        "product_name": row["register_name"] or "",
        "determined_class": row["register_class"] or "",
        "determined_class_display": _label(BatteryClass, row["register_class"]),
        "may_label_solid_state": row["register_label"],
        "electrolyte_family": row["register_family"] or "",
        "electrolyte_family_display": _label(ElectrolyteFamily, row["register_family"]),
        "issued_on": timezone.localdate(row["issued_at"]).isoformat(),
        "expires_on": row["expires_on"].isoformat(),
        "url": links.absolute(register_url(number)),
        "verification_url": links.verification_url(number),
        "pdf_url": links.pdf_url(number),
    }


def is_public_reason(to_status: str) -> bool:
    return to_status != C.VALID


def public_history(number: str, *, record: dict[str, Any]) -> list[dict[str, Any]]:
    """The certificate's status changes, oldest first: day, from, to, and the reason where it is
    public. ``record`` is its public record (``lookup.public_certificate``): a certificate past
    its expiry date that the hourly task has not yet marked gets the change verification states."""
    events = CertificateEvent.objects.filter(certificate__number=number).order_by("at", "id")
    history = [
        _change(
            day=timezone.localdate(at),
            before=before,
            after=after,
            reason=reason if is_public_reason(after) else "",
        )
        for at, before, after, reason in events.values_list(
            "at", "from_status", "to_status", "reason"
        )
    ]
    last = history[-1]["to_status"] if history else None
    if record["status"] == C.EXPIRED and last != C.EXPIRED and record["status_changed_on"]:
        history.append(
            _change(
                day=dt.date.fromisoformat(record["status_changed_on"]),
                before=last or "",
                after=C.EXPIRED,
                reason=record["status_reason"],
            )
        )
    return history


def _change(*, day: dt.date, before: str, after: str, reason: str) -> dict[str, Any]:
    return {
        "on": day.isoformat(),
        "from_status": before or None,
        "from_status_display": _label(C, before) if before else "",
        "to_status": after,
        "to_status_display": _label(C, after),
        "reason": reason,
    }


def public_entry(record: dict[str, Any]) -> dict[str, Any]:
    """A product page's facts: the verification record (live status, statement, holder,
    product, class, labels, rule set, lab, dates) with the labels named and the links."""
    number = record["number"]
    product = record.get("product") or {}
    return {
        **record,
        "determined_class_display": _label(
            BatteryClass, (record.get("determined_class") or {}).get("code")
        ),
        "electrolyte_family_display": _label(ElectrolyteFamily, product.get("electrolyte_family")),
        "conducting_ion_display": _label(ConductingIon, product.get("conducting_ion")),
        "url": links.absolute(register_url(number)),
        "pdf_url": links.pdf_url(number),
        "credential_url": links.credential_url(number),
        "history": public_history(number, record=record),
    }
