"""Evaluation: a worker evaluates one submitted attempt against its rule set, once (STANDARD.md
section 5), and nothing a broker or a worker loses is lost for good.

The evaluation row is the hand-off (``certification/handoff.py``). ``evaluation_hand_off`` sends
it to the broker after the commit and records whether the broker took it. A worker that starts
it holds a lease, renewed with every progress step; a worker killed mid-run lets the lease lapse.
``evaluations_sweep`` (Celery beat, every minute) sends again every evaluation still queued past
the hand-off deadline (backing off while the broker stays away) and every running one whose lease
lapsed. ``evaluation_run`` is idempotent: a finished evaluation is left alone, a running one whose
lease holds is another worker's, and of two runs that race, the first to finish writes the result.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from certification import access, handoff
from certification.evidence import EvidenceChanged, evaluate_evidence, reproduce
from certification.exceptions import InvalidTransition, NotPermitted
from certification.models import Evaluation, Submission, User
from certification.services.common import (
    S,
    audit,
    backoff,
    deadline,
    lease,
    locked_submission,
    transition,
)

logger = logging.getLogger(__name__)

E = Evaluation.Status
OWED = (E.QUEUED, E.RUNNING)


def evaluation_hand_off(*, evaluation_id: int) -> bool:
    """Send the evaluation to the workers and record it: ``sent_at`` when the broker took it,
    else the stage ``waiting_for_workers`` (the page and the API say so; the sweep sends it)."""
    sent = handoff.EVALUATE_SUBMISSION.send(evaluation_id)
    rows = Evaluation.objects.filter(pk=evaluation_id)
    if sent:
        rows.update(sent_at=timezone.now(), send_count=F("send_count") + 1)
        rows.filter(status=E.QUEUED, stage=Evaluation.Stage.WAITING_FOR_WORKERS).update(
            stage=Evaluation.Stage.QUEUED, stage_params={}
        )
    else:
        rows.filter(status=E.QUEUED).update(
            stage=Evaluation.Stage.WAITING_FOR_WORKERS, stage_params={}
        )
    return sent


def owed_evaluations(*, now: dt.datetime | None = None) -> list[Evaluation]:
    """Evaluations to send again now: queued past the hand-off deadline, or running with a
    lapsed lease, and not sent within their back-off (a minute after the first send, two after
    the second ... so a long outage does not pile up messages)."""
    now = now or timezone.now()
    candidates = (
        stuck_evaluations(now=now)
        .only("pk", "status", "sent_at", "send_count", "queued_at")
        .order_by("queued_at")[:1000]
    )
    return [e for e in candidates if e.sent_at is None or e.sent_at < now - backoff(e.send_count)]


def stuck_evaluations(*, now: dt.datetime | None = None):
    """Evaluations a worker should have taken or finished by now (the operations page)."""
    now = now or timezone.now()
    return Evaluation.objects.filter(
        Q(status=E.QUEUED, queued_at__lt=now - deadline())
        | Q(status=E.RUNNING, lease_expires_at__lt=now)
    )


def evaluations_sweep(*, now: dt.datetime | None = None) -> int:
    """Send again every owed evaluation (beat, every minute). Returns how many were sent."""
    sent = 0
    for evaluation in owed_evaluations(now=now):
        if evaluation_hand_off(evaluation_id=evaluation.pk):
            sent += 1
        else:
            break  # the broker is away: the next sweep tries again
    if sent:
        logger.info("sweep sent %d owed evaluation(s) again", sent)
    return sent


def evaluation_requeue(*, user: User, evaluation: Evaluation) -> bool:
    """The certification body sends a stuck evaluation again by hand (the operations page).

    Only a queued or running evaluation can be re-queued; a running one is taken over when a
    worker picks it up (its lease is ended now). Recorded in the audit trail."""
    if not access.can_operate(user):
        raise NotPermitted(_("Only the certification body can re-queue work."))
    with transaction.atomic():
        locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if locked.status not in OWED:
            raise InvalidTransition(
                _("This evaluation is %(status)s; only queued or running work can be re-queued.")
                % {"status": locked.get_status_display()}
            )
        if locked.status == E.RUNNING:
            locked.lease_expires_at = timezone.now()
            locked.save(update_fields=["lease_expires_at"])
        audit(
            action="evaluation.requeued",
            actor=user,
            submission=locked.submission,
            evaluation=locked.pk,
            attempt=locked.attempt,
            status=locked.status,
        )
    # The row exists and was committed long ago; only the ended lease above is new, and the
    # block has committed it by now.
    return evaluation_hand_off(evaluation_id=evaluation.pk)


def _set_progress(evaluation_id: int, progress: int, stage: str, params: dict) -> None:
    # Outside the result transaction on purpose: the page shows progress while the worker runs.
    # Each step renews the lease: a worker that stops stepping lets it lapse.
    Evaluation.objects.filter(pk=evaluation_id, status=E.RUNNING).update(
        progress=min(progress, 100),
        stage=stage,
        stage_params=params,
        lease_expires_at=timezone.now() + lease(),
    )


def evaluation_run(*, evaluation_id: int) -> Evaluation:
    """Evaluate one submitted attempt against its rule set, once (STANDARD.md section 5).

    Re-running a finished evaluation is a no-op, so a retried or duplicated task leaves one
    result; a running one whose lease holds belongs to the worker that holds it. Every input
    file is re-read from storage and its SHA-256 checked against the upload.
    """
    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update().get(pk=evaluation_id)
        now = timezone.now()
        if evaluation.status in (E.DONE, E.ERROR):
            return evaluation
        if evaluation.status == E.RUNNING and (
            evaluation.lease_expires_at is None or evaluation.lease_expires_at > now
        ):
            return evaluation
        if evaluation.status == E.RUNNING:
            logger.warning("evaluation %s: lease lapsed, running it again", evaluation_id)
        evaluation.status = E.RUNNING
        evaluation.started_at = now
        evaluation.lease_expires_at = now + lease()
        evaluation.stage = Evaluation.Stage.READING_EVIDENCE
        evaluation.stage_params = {}
        evaluation.save(
            update_fields=["status", "started_at", "lease_expires_at", "stage", "stage_params"]
        )

    def progress(pct: int, stage: str, **params) -> None:
        _set_progress(evaluation_id, pct, stage, params)

    try:
        outcome, inputs, engine_version = evaluate_evidence(evaluation, progress=progress)
    except EvidenceChanged as exc:
        return _evaluation_fail(evaluation_id, str(exc))

    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update().get(pk=evaluation_id)
        if evaluation.status in (E.DONE, E.ERROR):
            return evaluation
        submission = locked_submission(evaluation.submission_id)
        evaluation.status = E.DONE
        evaluation.progress = 100
        evaluation.stage = Evaluation.Stage.DONE
        evaluation.stage_params = {}
        evaluation.lease_expires_at = None
        evaluation.finished_at = timezone.now()
        evaluation.determined_class = outcome["determined_class"] or ""
        evaluation.certifiable = outcome["certifiable"]
        evaluation.may_label_solid_state = outcome["may_label_solid_state"]
        evaluation.claim_supported = outcome["claim_supported"]
        evaluation.classification_code = outcome.get("classification_code") or ""
        evaluation.result = outcome
        evaluation.inputs = inputs
        evaluation.engine_version = engine_version
        evaluation.save()
        previous = submission.status
        if submission.status == S.EVALUATING and submission.attempt == evaluation.attempt:
            transition(submission, S.AWAITING_REVIEW)
            submission.save(update_fields=["status", "updated_at"])
        audit(
            action="evaluation.finished",
            actor=None,
            submission=submission,
            before={"status": previous},
            after={"status": submission.status},
            evaluation=evaluation.pk,
            attempt=evaluation.attempt,
            determined_class=evaluation.determined_class,
            certifiable=evaluation.certifiable,
        )
    return evaluation


def _evaluation_fail(evaluation_id: int, reason: str) -> Evaluation:
    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update().get(pk=evaluation_id)
        if evaluation.status in (E.DONE, E.ERROR):
            return evaluation
        submission = locked_submission(evaluation.submission_id)
        evaluation.status = E.ERROR
        evaluation.error = reason
        evaluation.lease_expires_at = None
        evaluation.finished_at = timezone.now()
        evaluation.save(update_fields=["status", "error", "lease_expires_at", "finished_at"])
        previous = submission.status
        if submission.status == S.EVALUATING and submission.attempt == evaluation.attempt:
            transition(submission, S.EVALUATION_FAILED)
            submission.save(update_fields=["status", "updated_at"])
        audit(
            action="evaluation.failed",
            actor=None,
            submission=submission,
            before={"status": previous},
            after={"status": submission.status},
            reason=reason,
        )
    return evaluation


def evaluation_reproduce(*, user: User, submission: Submission) -> dict:
    """Re-run the latest finished evaluation (STANDARD.md section 5: a regulator can reproduce
    it years later) and record that it was done and whether the outcome was identical."""
    if not access.can_audit(user):
        raise NotPermitted(_("Only regulators and the certification body re-run evaluations."))
    evaluation = submission.evaluations.filter(status=E.DONE).select_related("ruleset").first()
    if evaluation is None:
        raise InvalidTransition(_("This submission has no finished evaluation to reproduce."))
    try:
        report = reproduce(evaluation)
    except EvidenceChanged as exc:
        report = {"identical": False, "differences": {}, "error": str(exc)}
    report = {"evaluation": evaluation.pk, "attempt": evaluation.attempt, **report}
    audit(
        action="evaluation.reproduced",
        actor=user,
        submission=submission,
        evaluation=evaluation.pk,
        identical=report["identical"],
    )
    return report
