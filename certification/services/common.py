"""What every certification service shares: the audit row, the submission transition table,
and the row lock a transition takes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification import audit_chain
from certification.exceptions import InvalidTransition
from certification.models import AuditEvent, Organisation, Product, Submission, User

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
    organisation: Organisation | None = None,
    object_type: str = "",
    object_id: str | int = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
    **detail: Any,
) -> AuditEvent:
    """Append one event to the audit chain, in the caller's transaction.

    Who (``actor``; None for the portal itself), their organisation (``organisation``, else the
    actor's), what (``action``), which object (``submission``, ``product``, or ``object_type``
    and ``object_id``), the state ``before`` and ``after``, the ``reason`` and any further
    facts (``detail``). Appends are serialised by a transaction-level advisory lock taken just
    before the head is read: a concurrent auditing transaction waits here until this one ends,
    so the chain never forks and ``seq`` has no gaps (a rolled-back event frees its number).
    """
    if organisation is None and actor is not None:
        organisation_id = actor.organisation_id
    else:
        organisation_id = organisation.pk if organisation is not None else None
    if product is None and submission is not None:
        product = submission.product
    event = AuditEvent(
        action=action,
        actor=actor,
        actor_organisation_id=organisation_id,
        submission=submission,
        product=product,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
        reason=reason or "",
        detail=detail,
    )
    return append_events([event])[0]


def append_events(events: list[AuditEvent], *, at: dt.datetime | None = None) -> list[AuditEvent]:
    """Chain and insert ``events`` in this order, at the head of the log, in the caller's
    transaction (``audit`` is the one caller outside tests and the migration; ``at`` is for
    tests that need events of another day).

    Their JSON values are put in the form the database gives back (``audit_chain.plain``), so
    that the hash computed now is the one a later walk recomputes from the row.
    """
    for event in events:  # before the transaction: a refused value leaves the caller's intact
        event.before = audit_chain.plain(event.before)
        event.after = audit_chain.plain(event.after)
        event.detail = audit_chain.plain(event.detail or {})
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [audit_chain.LOCK_KEY])
        # (SQLite, the development database, runs every write transaction alone.)
        seq, prev = audit_chain.head()
        now = at or timezone.now()
        for event in events:
            seq += 1
            event.seq, event.prev_hash, event.at = seq, prev, now
            event.hash = prev = audit_chain.event_hash(audit_chain.content_of_event(event))
        if len(events) == 1:
            events[0].save(force_insert=True)
        else:
            AuditEvent.objects.bulk_create(events)
    return events


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
