"""Automakers' watchlists: which certificates an organisation watches, added one by one or from
a list, and read back with each certificate's live status.

A watched certificate's status changes are told to the organisation by ``reports.delivery``;
only automakers keep a watchlist (and webhooks, ``reports.webhooks``), for their organisation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certification.exceptions import FieldError, InvalidInput, NotFound, NotPermitted
from certification.models import Organisation, User
from certification.services import audit
from reports.models import Certificate, CertificateEvent, WatchedCertificate
from reports.verification import bulk, lookup

# --- access: one function per resource ---------------------------------------------------------


def can_keep_watchlist(user) -> bool:
    """Automakers keep watchlists and webhooks, for their organisation."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.organisation_id
        and user.organisation.kind == Organisation.Kind.AUTOMAKER
    )


def watchlist_of(user) -> QuerySet[WatchedCertificate]:
    if not can_keep_watchlist(user):
        return WatchedCertificate.objects.none()
    return WatchedCertificate.objects.filter(organisation_id=user.organisation_id)


def ensure_can_keep_watchlist(user) -> None:
    """``NotPermitted`` unless ``can_keep_watchlist(user)``: the services' own check."""
    if not can_keep_watchlist(user):
        raise NotPermitted(_("Only automakers keep a watchlist of certificates."))


# --- watchlist ---------------------------------------------------------------------------------


def _certificate_numbered(raw: object) -> Certificate:
    """The certificate to watch, with the errors verification gives for the number
    (``MalformedNumber``, ``NeverIssued``)."""
    number = lookup.well_formed_or_raise(raw)
    certificate = Certificate.objects.filter(number=number).only("pk", "number").first()
    if certificate is None:
        raise lookup.never_issued_error(number)
    return certificate


def watch_add(*, user: User, number: str, note: str = "") -> tuple[WatchedCertificate, bool]:
    """Watch a certificate for the user's organisation; adding it twice keeps the first entry."""
    ensure_can_keep_watchlist(user)
    certificate = _certificate_numbered(number)
    with transaction.atomic():
        entry, created = WatchedCertificate.objects.get_or_create(
            organisation_id=user.organisation_id,
            certificate=certificate,
            defaults={"added_by": user, "note": (note or "").strip()[:200]},
        )
        if created:
            audit(
                action="watchlist.added",
                actor=user,
                object_type="certificate",
                object_id=certificate.number,
                after={"watched": True, "note": entry.note},
            )
    return entry, created


class NumbersRejected(InvalidInput):
    """Some lines of a list are not numbers of certificates that were issued; nothing was done.
    ``errors`` has one entry per such line: its line (``row``) and what is wrong with it."""

    code = "numbers_rejected"


def watch_add_many(
    *, user: User, numbers: list[object], note: str = "", lines: list[int] | None = None
) -> dict[str, Any]:
    """Watch up to ``bulk.BULK_MAX`` certificates at once, all or nothing.

    Each line is checked as the bulk verification checks it (``bulk.verify_many``, with
    its messages). If any line is not a certificate number or names one never issued, nothing is
    added and ``NumbersRejected`` lists every such line. A certificate that was issued is watched
    whatever its status (a revoked, expired or withdrawn one existed, and its entry says so).
    Otherwise the certificates not yet watched are added in one transaction; those already
    watched keep their entry and its note; a number given twice counts once. ``lines`` are the
    file's line numbers when the numbers come from a CSV. A constant number of queries, however
    many numbers.

    Returns the counts ``added`` and ``already_watched`` and the ``entries`` (as
    ``watchlist_entries`` gives them, with the ``line`` first naming the certificate and its
    ``outcome``: ``added`` or ``already_watched``), in the order of the list.
    """
    ensure_can_keep_watchlist(user)
    if not numbers:
        raise InvalidInput(_("The list of numbers is empty."))
    answer = bulk.verify_many(numbers, lines=lines)
    rejected = [r for r in answer["results"] if r["outcome"] != "found"]
    if rejected:
        message = ngettext(
            "Nothing was added: %(count)s line is not the number of a certificate that was "
            "issued. Correct it and send the whole list again.",
            "Nothing was added: %(count)s lines are not numbers of certificates that were "
            "issued. Correct them and send the whole list again.",
            len(rejected),
        ) % {"count": len(rejected)}
        errors = [FieldError(r["message"], row=r["line"], column="number") for r in rejected]
        raise NumbersRejected(message, errors=errors)
    first: dict[str, dict[str, Any]] = {}  # the first line naming each certificate
    for result in answer["results"]:
        first.setdefault(result["number"], result)
    org_id = user.organisation_id
    note = (note or "").strip()[:200]
    watched = watchlist_of(user)  # after the check above: the organisation's entries
    with transaction.atomic():
        certificates = Certificate.objects.filter(number__in=list(first)).annotate(
            watched=Exists(watched.filter(certificate_id=OuterRef("pk")))
        )
        found = {
            number: (pk, was)
            for number, pk, was in certificates.values_list("number", "pk", "watched")
        }
        # An entry another user adds meanwhile is kept as it is (ignore_conflicts: watch_once),
        # and counted here as added.
        WatchedCertificate.objects.bulk_create(
            [
                WatchedCertificate(
                    organisation_id=org_id, certificate_id=pk, added_by=user, note=note
                )
                for pk, was in found.values()
                if not was
            ],
            ignore_conflicts=True,
        )
        added = sorted(number for number, (_pk, was) in found.items() if not was)
        if added:
            audit(
                action="watchlist.added",
                actor=user,
                object_type="certificate",
                object_id=added[0] if len(added) == 1 else "",
                after={"watched": True, "note": note},
                numbers=added,
            )
        rows = {
            row["certificate_id"]: row
            for row in watched.filter(
                certificate_id__in=[pk for pk, _was in found.values()]
            ).values("id", "certificate_id", "note", "added_at")
        }
    entries = []
    for number, result in first.items():
        pk, was = found[number]
        row = rows.get(pk)
        if row is None:  # removed by another user since it was read: not on the list now
            continue
        entries.append(
            {
                "id": row["id"],
                "number": number,
                "note": row["note"],
                "added_at": row["added_at"],
                "certificate": result["certificate"],
                "line": result["line"],
                "outcome": "already_watched" if was else "added",
            }
        )
    already = sum(1 for e in entries if e["outcome"] == "already_watched")
    return {"added": len(entries) - already, "already_watched": already, "entries": entries}


def watch_remove(*, user: User, entry_id: int) -> None:
    ensure_can_keep_watchlist(user)
    with transaction.atomic():
        entry = watchlist_of(user).filter(pk=entry_id).select_related("certificate").first()
        if entry is None:
            raise NotFound(_("This certificate is not on your watchlist."))
        entry.delete()
        audit(
            action="watchlist.removed",
            actor=user,
            object_type="certificate",
            object_id=entry.certificate.number,
            before={"watched": True, "note": entry.note},
            after={"watched": False},
        )


def watchlist_entries(entries: Iterable[WatchedCertificate]) -> list[dict[str, Any]]:
    """Watchlist entries (with ``certificate`` loaded) and each certificate's live public record;
    the records come in one query."""
    entries = list(entries)
    found = lookup.public_certificates(e.certificate.number for e in entries)
    return [
        {
            "id": e.pk,
            "number": e.certificate.number,
            "note": e.note,
            "added_at": e.added_at,
            "certificate": found.get(e.certificate.number),
        }
        for e in entries
    ]


# --- status changes of watched certificates ----------------------------------------------------


def watched_changes(user) -> QuerySet[CertificateEvent]:
    """Status changes of the certificates the user's organisation watches, newest first (the
    issue itself included: it is the first status a certificate has). Empty for anyone who
    keeps no watchlist."""
    if not can_keep_watchlist(user):
        return CertificateEvent.objects.none()
    return (
        CertificateEvent.objects.filter(
            Exists(
                WatchedCertificate.objects.filter(
                    organisation_id=user.organisation_id, certificate_id=OuterRef("certificate_id")
                )
            )
        )
        .select_related("certificate")
        .order_by("-at", "-id")
    )


def change_row(event: CertificateEvent) -> dict[str, Any]:
    """One status change as the dashboard and the API show it: only public facts (the reason
    is the one verification shows), never who made the change."""
    certificate = event.certificate
    content = certificate.content or {}
    product = content.get("product") or {}
    Status = Certificate.Status
    return {
        "id": event.pk,
        "number": certificate.number,
        "holder": (content.get("holder") or {}).get("name", ""),
        "product": {
            "model_number": product.get("model_number", ""),
            "name": product.get("name", ""),
        },
        "from_status": event.from_status or None,
        "from_status_display": str(Status(event.from_status).label) if event.from_status else None,
        "to_status": event.to_status,
        "to_status_display": str(Status(event.to_status).label),
        "at": event.at,
        "reason": event.reason,
    }
