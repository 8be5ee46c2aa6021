"""Reads of certificates shaped for the API and the pages. Visibility is decided in
``certification.access``."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from reports.models import Certificate, CertificateEvent


def certificates_with_events(qs: QuerySet[Certificate]) -> QuerySet[Certificate]:
    """The certificates with their status changes, oldest first, and who made each: one query
    for the events and their actors together, whatever the number of certificates."""
    return qs.prefetch_related(
        Prefetch("events", queryset=CertificateEvent.objects.select_related("actor"))
    )
