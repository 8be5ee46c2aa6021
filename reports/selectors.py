"""Reads of certificates shaped for the API and the pages. Visibility is decided in
``reports.access``."""

from __future__ import annotations

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery

from reports.models import Certificate, CertificateEvent


def certificates_with_events(qs: QuerySet[Certificate]) -> QuerySet[Certificate]:
    """The certificates with their status changes, oldest first, and who made each: one query
    for the events and their actors together, whatever the number of certificates."""
    return qs.prefetch_related(
        Prefetch("events", queryset=CertificateEvent.objects.select_related("actor"))
    )


def status_mismatches() -> QuerySet[Certificate]:
    """Certificates whose status is not the one their last status event set: a row changed
    behind the services' back (every service change writes its event in the same transaction).
    Verification answers the row, so this is what an auditor reconciles; one query."""
    last = CertificateEvent.objects.filter(certificate=OuterRef("pk")).order_by("-at", "-id")
    return (
        Certificate.objects.annotate(recorded_status=Subquery(last.values("to_status")[:1]))
        .filter(Q(recorded_status__isnull=True) | ~Q(status=F("recorded_status")))
        .order_by("number")
    )
