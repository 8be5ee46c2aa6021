"""What every certification service shares: the audit row, the submission transition table,
and the row lock a transition takes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from certification.exceptions import InvalidTransition
from certification.models import AuditEvent, Product, Submission, User

S = Submission.Status

# The one table of allowed submission transitions.
SUBMISSION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.EVALUATING}),
    S.RETURNED: frozenset({S.EVALUATING}),
    S.EVALUATION_FAILED: frozenset({S.EVALUATING}),
    S.EVALUATING: frozenset({S.AWAITING_REVIEW, S.EVALUATION_FAILED}),
    S.AWAITING_REVIEW: frozenset({S.APPROVED, S.REJECTED, S.RETURNED}),
    S.APPROVED: frozenset(),
    S.REJECTED: frozenset(),
}
# Evidence may be added or withdrawn only while the maker holds the submission.
EDITABLE_STATUSES = frozenset({S.DRAFT, S.RETURNED, S.EVALUATION_FAILED})


def audit(
    *,
    action: str,
    actor: User | None,
    submission: Submission | None = None,
    product: Product | None = None,
    **detail: Any,
) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_organisation_id=actor.organisation_id if actor is not None else None,
        submission=submission,
        product=product or (submission.product if submission is not None else None),
        detail=detail,
    )


def transition(submission: Submission, new_status: str) -> None:
    allowed = SUBMISSION_TRANSITIONS.get(submission.status, frozenset())
    if new_status not in allowed:
        raise InvalidTransition(
            _("A submission that is %(current)s cannot become %(new)s.")
            % {"current": submission.get_status_display(), "new": S(new_status).label}
        )
    submission.status = new_status


def locked_submission(submission_id: int) -> Submission:
    return Submission.objects.select_for_update().select_related("product").get(pk=submission_id)


# While the broker stays away, each further send of one piece of work waits twice as long, up to
# this many hand-off deadlines (a minute, two, four ... then every 32 minutes).
MAX_BACKOFF_STEPS = 5


def deadline() -> dt.timedelta:
    """How long queued work may wait for a worker before the sweep sends it again."""
    return dt.timedelta(seconds=settings.HANDOFF_DEADLINE_SECONDS)


def lease() -> dt.timedelta:
    """How long a worker holds running work without reporting progress."""
    return dt.timedelta(seconds=settings.EVALUATION_LEASE_SECONDS)


def backoff(send_count: int) -> dt.timedelta:
    """The wait before sending work again that was already sent ``send_count`` times."""
    return deadline() * 2 ** min(max(send_count - 1, 0), MAX_BACKOFF_STEPS)
