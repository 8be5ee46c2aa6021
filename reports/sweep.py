"""What ``reports`` owes and the broker may have lost, found from the database and sent again.

The rows are the source of truth (``certification.handoff``): a submission approved without a
certificate, a certificate event whose watchers were not yet notified, a notification still
pending well past its due time. Celery beat runs ``reports_sweep`` every minute; each task is
idempotent, so a message that was not lost after all only costs a no-op.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from certification import handoff
from certification.models import Submission
from reports import handoffs
from reports.models import CertificateEvent, Notification

logger = logging.getLogger(__name__)

# At most this many of each kind a sweep; the rest wait for the next one.
BATCH = 500


def _deadline(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.HANDOFF_DEADLINE_SECONDS)


def approved_without_certificate(*, now: dt.datetime | None = None) -> QuerySet[Submission]:
    """Approved submissions still without their certificate past the hand-off deadline."""
    return Submission.objects.filter(
        status=Submission.Status.APPROVED,
        certificate__isnull=True,
        updated_at__lt=_deadline(now or timezone.now()),
    ).order_by("updated_at")


def events_not_notified(*, now: dt.datetime | None = None) -> QuerySet[CertificateEvent]:
    return CertificateEvent.objects.filter(
        notified_at__isnull=True, at__lt=_deadline(now or timezone.now())
    ).order_by("at")


def notifications_overdue(*, now: dt.datetime | None = None) -> QuerySet[Notification]:
    return Notification.objects.filter(
        Q(status=Notification.Status.PENDING), due_at__lt=_deadline(now or timezone.now())
    ).order_by("due_at")


def _resend_marked(ids, task, kind: str) -> tuple[int, bool]:
    """Send ``task`` again for each id not already sent by a sweep within the hand-off deadline
    (one re-send per deadline, not one per sweep, so a busy worker's queue does not fill with
    copies). Returns how many were sent, and False once the broker refuses one."""
    count = 0
    for pk in ids:
        marker = f"sweep-sent:{kind}:{pk}"
        if cache.get(marker) is not None:
            continue
        if not task.send(pk):
            return count, False
        cache.set(marker, 1, timeout=settings.HANDOFF_DEADLINE_SECONDS)
        count += 1
    return count, True


def reports_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send again what is owed; stops at the first refusal (the broker is away: next minute)."""
    now = now or timezone.now()
    sent = {"certificates": 0, "notifications": 0, "deliveries": 0}
    marked = (
        ("certificates", approved_without_certificate(now=now), handoff.ISSUE_CERTIFICATE),
        ("notifications", events_not_notified(now=now), handoffs.NOTIFY_WATCHERS),
    )
    for kind, owed, task in marked:
        sent[kind], taken = _resend_marked(owed.values_list("pk", flat=True)[:BATCH], task, kind)
        if not taken:
            return sent
    for note in notifications_overdue(now=now).only("pk", "channel")[:BATCH]:
        task = (
            handoffs.DELIVER_EMAIL
            if note.channel == Notification.Channel.EMAIL
            else handoffs.DELIVER_WEBHOOK
        )
        if not task.send(note.pk):
            return sent
        # Due again one deadline from now: the next sweep leaves it to the task just sent.
        Notification.objects.filter(pk=note.pk, status=Notification.Status.PENDING).update(
            due_at=now
        )
        sent["deliveries"] += 1
    if any(sent.values()):
        logger.info("sweep sent owed work again: %s", sent)
    return sent
