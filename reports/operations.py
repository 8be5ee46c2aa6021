"""The workers' backlog as the certification body sees it: work handed over but not done past
its deadline (evaluations and raw-file parses queued or with a lapsed lease, certificates of
approved submissions, watchers' notifications, deliveries), and the two ways to push it on by
hand; and certificates whose status no status event explains."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification import access, services
from certification.exceptions import NotPermitted
from certification.models import Evaluation, User
from reports import selectors, sweep

# At most this many rows of each kind on the page; the counts are exact.
SHOWN = 100


def _require_operator(user: User) -> None:
    if not access.can_operate(user):
        raise NotPermitted(
            _("Only the certification body sees and re-queues the workers' backlog.")
        )


def backlog(*, user: User) -> dict:
    """What is owed now, oldest first."""
    _require_operator(user)
    now = timezone.now()
    evaluations = services.stuck_evaluations(now=now).select_related(
        "submission__product__manufacturer"
    )
    parses = services.stuck_parses(now=now).select_related("submission")
    certificates = sweep.approved_without_certificate(now=now).select_related("product")
    notifications = sweep.events_not_notified(now=now).select_related("certificate")
    deliveries = sweep.notifications_overdue(now=now).select_related("event__certificate")
    mismatched = selectors.status_mismatches()
    return {
        "checked_at": now,
        "mismatched": {"count": mismatched.count(), "rows": list(mismatched[:SHOWN])},
        "evaluations": {
            "count": evaluations.count(),
            "rows": list(evaluations.order_by("queued_at")[:SHOWN]),
        },
        "parses": {"count": parses.count(), "rows": list(parses.order_by("uploaded_at")[:SHOWN])},
        "certificates": {"count": certificates.count(), "rows": list(certificates[:SHOWN])},
        "notifications": {"count": notifications.count(), "rows": list(notifications[:SHOWN])},
        "deliveries": {"count": deliveries.count(), "rows": list(deliveries[:SHOWN])},
    }


def requeue_evaluation(*, user: User, evaluation_id: int) -> bool:
    """Send one stuck evaluation to the workers again (audited); True when the broker took it."""
    _require_operator(user)
    evaluation = Evaluation.objects.get(pk=evaluation_id)
    return services.evaluation_requeue(user=user, evaluation=evaluation)


def sweep_now(*, user: User) -> dict[str, int]:
    """Run both sweeps at once instead of waiting for beat's next minute (audited)."""
    _require_operator(user)
    sent = {
        "evaluations": services.evaluations_sweep(),
        "parses": services.parses_sweep(),
        **sweep.reports_sweep(),
    }
    with transaction.atomic():
        services.audit(action="operations.swept", actor=user, **sent)
    return sent
