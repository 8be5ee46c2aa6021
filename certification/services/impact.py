"""Impact analysis: what a proposed rule set would change (issue 8).

Every current certificate (valid or suspended) has its stored evidence re-evaluated under the
proposal, read-only, by a worker; the analysis lists the certificates whose determined class,
certifiability or permitted labels would differ, beside today's (the stored evaluation the
certificate was issued from). Nothing of the certificates, evaluations or files is touched.

The ``RuleSetImpact`` row is the hand-off, as for evaluations (``services/evaluations.py``):
sent after the commit, a lease renewed with every certificate examined, sent again by
``impact_analyses_sweep`` (Celery beat) when the broker or a worker lost it; the run is
idempotent and the first to finish writes the result.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from certification import access, handoff
from certification.evidence import EvidenceChanged, rule_data
from certification.exceptions import InvalidTransition, NotPermitted
from certification.models import Evaluation, RuleSet, RuleSetImpact, Submission, User
from certification.parsers.errors import RawDataRejected
from certification.parsers.sheets.errors import SheetRejected
from certification.services.common import audit, backoff, deadline, lease
from certification.services.whatif import changed_aspects, outcome_under, summary
from certification.timestamps import api_time

logger = logging.getLogger(__name__)

A = RuleSetImpact.Status
OWED = (A.QUEUED, A.RUNNING)
# reports.Certificate.Status values of a certificate in force (certification never imports
# reports; it follows Submission.certificate, the reverse of reports' foreign key).
CURRENT_CERTIFICATE_STATUSES = ("valid", "suspended")


def impact_request(*, user: User, ruleset: RuleSet) -> RuleSetImpact:
    """Ask the workers what ``ruleset`` (a proposal) would change. One analysis at a time per
    proposal: while one is queued or running, asking again returns it."""
    if not access.can_propose_rulesets(user):
        raise NotPermitted(_("Only regulators and the certification body analyse rule sets."))
    with transaction.atomic():
        locked = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
        if locked.status != RuleSet.Status.PROPOSED:
            raise InvalidTransition(_("Only a proposed rule set is analysed; this one is active."))
        owed = locked.impact_analyses.filter(status__in=OWED).first()
        if owed is not None:
            return owed
        analysis = RuleSetImpact.objects.create(ruleset=locked, requested_by=user)
        audit(
            action="ruleset.impact_requested",
            actor=user,
            object_type="ruleset",
            object_id=locked.pk,
            ruleset=locked.pk,
            code=locked.code,
            version=locked.version,
            analysis=analysis.pk,
        )
        transaction.on_commit(lambda: impact_hand_off(analysis_id=analysis.pk))
    return analysis


def impact_hand_off(*, analysis_id: int) -> bool:
    """Send the analysis to the workers and record when the broker took it."""
    sent = handoff.ANALYSE_RULESET_IMPACT.send(analysis_id)
    if sent:
        RuleSetImpact.objects.filter(pk=analysis_id).update(
            sent_at=timezone.now(), send_count=F("send_count") + 1
        )
    return sent


def stuck_impact_analyses(*, now: dt.datetime | None = None):
    """Analyses a worker should have taken or finished by now."""
    now = now or timezone.now()
    return RuleSetImpact.objects.filter(
        Q(status=A.QUEUED, requested_at__lt=now - deadline())
        | Q(status=A.RUNNING, lease_expires_at__lt=now)
    )


def impact_analyses_sweep(*, now: dt.datetime | None = None) -> int:
    """Send again every owed analysis past its back-off (beat). Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for analysis in stuck_impact_analyses(now=now).order_by("requested_at")[:100]:
        if analysis.sent_at is not None and analysis.sent_at >= now - backoff(analysis.send_count):
            continue
        if not impact_hand_off(analysis_id=analysis.pk):
            break  # the broker is away: the next sweep tries again
        sent += 1
    return sent


def current_certificates() -> list[dict[str, Any]]:
    """Every certificate in force, with the evaluation it was issued from (one query)."""
    rows = (
        Submission.objects.filter(certificate__status__in=CURRENT_CERTIFICATE_STATUSES)
        .order_by("certificate__number")
        .values(
            "pk",
            "claimed_class",
            "product__model_number",
            "product__manufacturer__name",
            "certificate__number",
            "certificate__status",
            "certificate__evaluation_id",
        )
    )
    return [
        {
            "submission": row["pk"],
            "claimed_class": row["claimed_class"],
            "model_number": row["product__model_number"],
            "holder": row["product__manufacturer__name"],
            "certificate": row["certificate__number"],
            "certificate_status": row["certificate__status"],
            "evaluation": row["certificate__evaluation_id"],
        }
        for row in rows
    ]


def _renew(analysis_id: int, **fields) -> None:
    # Outside the result transaction on purpose: the page shows progress while the worker runs,
    # and each step renews the lease.
    RuleSetImpact.objects.filter(pk=analysis_id, status=A.RUNNING).update(
        lease_expires_at=timezone.now() + lease(), **fields
    )


def _examine(certificate: dict[str, Any], rules) -> dict[str, Any] | None:
    """The row of one certificate if anything would change (or it could not be re-read)."""
    evaluation = Evaluation.objects.select_related("ruleset", "submission__product").get(
        pk=certificate["evaluation"]
    )
    today = summary(evaluation.result or {})
    try:
        proposed = summary(outcome_under(evaluation, rules))
    except (EvidenceChanged, RawDataRejected, SheetRejected) as exc:
        return {**certificate, "today": today, "proposed": None, "changes": [], "error": str(exc)}
    changes = changed_aspects(today, proposed)
    if not changes:
        return None
    return {**certificate, "today": today, "proposed": proposed, "changes": changes, "error": ""}


def impact_analysis_run(*, analysis_id: int) -> RuleSetImpact:
    """Re-evaluate every current certificate's stored evidence under the proposal (read-only)
    and record the certificates whose class, certifiability or permitted labels would change.
    Idempotent: a finished analysis is left alone, a running one whose lease holds is another
    worker's."""
    with transaction.atomic():
        analysis = RuleSetImpact.objects.select_for_update().get(pk=analysis_id)
        now = timezone.now()
        if analysis.status in (A.DONE, A.ERROR):
            return analysis
        if analysis.status == A.RUNNING and (
            analysis.lease_expires_at is None or analysis.lease_expires_at > now
        ):
            return analysis
        analysis.status = A.RUNNING
        analysis.started_at = now
        analysis.lease_expires_at = now + lease()
        analysis.progress = 0
        analysis.examined = 0
        analysis.save(
            update_fields=["status", "started_at", "lease_expires_at", "progress", "examined"]
        )
    try:
        rules = rule_data(analysis.ruleset)
        certificates = current_certificates()
        _renew(analysis_id, total=len(certificates))
        changes: list[dict[str, Any]] = []
        for index, certificate in enumerate(certificates, start=1):
            row = _examine(certificate, rules)
            if row is not None:
                changes.append(row)
            _renew(analysis_id, examined=index, progress=int(99 * index / len(certificates)))
    except OperationalError:
        raise  # transient: the task retries, the lease lets another run take over
    except Exception as exc:  # noqa: BLE001 - recorded on the row, not lost in a log
        logger.exception("impact analysis %s failed", analysis_id)
        return _finish(analysis_id, status=A.ERROR, error=f"{type(exc).__name__}: {exc}")
    counts = {
        "examined": len(certificates),
        "changed": sum(1 for row in changes if row["changes"]),
        "class": sum(1 for row in changes if "class" in row["changes"]),
        "certifiable": sum(1 for row in changes if "certifiable" in row["changes"]),
        "label": sum(1 for row in changes if "label" in row["changes"]),
        "unreadable": sum(1 for row in changes if row["error"]),
    }
    return _finish(analysis_id, status=A.DONE, counts=counts, changes=changes)


def _finish(analysis_id: int, *, status: str, **fields) -> RuleSetImpact:
    with transaction.atomic():
        analysis = RuleSetImpact.objects.select_for_update().get(pk=analysis_id)
        if analysis.status in (A.DONE, A.ERROR):
            return analysis  # another run finished first
        analysis.status = status
        analysis.progress = 100
        analysis.lease_expires_at = None
        analysis.finished_at = timezone.now()
        for name, value in fields.items():
            setattr(analysis, name, value)
        analysis.save()
        audit(
            action="ruleset.impact_finished",
            actor=None,
            object_type="ruleset",
            object_id=analysis.ruleset_id,
            ruleset=analysis.ruleset_id,
            analysis=analysis.pk,
            status=status,
            counts=analysis.counts,
        )
    return analysis


# --- exports ----------------------------------------------------------------------------------


def impact_csv_header() -> list[str]:
    return [
        _("Certificate"),
        _("Status"),
        _("Holder"),
        _("Model number"),
        _("Submission"),
        _("What would change"),
        _("Class today"),
        _("Class under the proposal"),
        _("Certifiable today"),
        _("Certifiable under the proposal"),
        _("Permitted labels today"),
        _("Permitted labels under the proposal"),
        _("Could not be re-evaluated"),
    ]


def _labels(side: dict[str, Any] | None) -> str:
    if side is None:
        return ""
    labels = side["permitted_labels"]
    return " | ".join(labels["en"] + labels["zh"])


def impact_csv_rows(analysis: RuleSetImpact) -> Iterator[list[Any]]:
    for row in analysis.changes:
        today, proposed = row["today"], row["proposed"]
        yield [
            row["certificate"],
            row["certificate_status"],
            row["holder"],
            row["model_number"],
            row["submission"],
            " ".join(row["changes"]),
            today["determined_class"],
            proposed and proposed["determined_class"],
            today["certifiable"],
            proposed and proposed["certifiable"],
            _labels(today),
            _labels(proposed),
            row["error"],
        ]


def impact_json(analysis: RuleSetImpact) -> dict[str, Any]:
    """The analysis as the API and the page's poll give it."""
    return {
        "id": analysis.pk,
        "ruleset": analysis.ruleset_id,
        "status": analysis.status,
        "progress": analysis.progress,
        "examined": analysis.examined,
        "total": analysis.total,
        "requested_at": api_time(analysis.requested_at),
        "finished_at": api_time(analysis.finished_at),
        "counts": analysis.counts,
        "changes": analysis.changes,
        "error": analysis.error,
    }
