"""Review: reviewers of the certification body approve, reject or return an evaluated
submission, four eyes, never their own organisation's work."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from certification import access, handoff
from certification.exceptions import FieldError, InvalidInput, InvalidTransition, NotPermitted
from certification.models import Decision, Submission, User
from certification.services.common import S, audit, locked_submission, transition


def submission_decide(
    *, user: User, submission: Submission, decision: str, reason: str
) -> Decision:
    """A reviewer approves, rejects or returns an evaluated submission (four eyes).

    Refused when the reviewer belongs to the maker's or the lab's organisation, opened the
    submission, or uploaded any of its data; approving a non-certifiable evaluation is refused;
    a second approval by the same reviewer does not count. The rule set (through the
    evaluation) says how many different reviewers must approve the determined class; when the
    last one does, the submission is approved and the certificate is issued after the commit.
    """
    reason = (reason or "").strip()
    if decision not in Decision.Kind.values:
        raise InvalidInput(
            _("Unknown decision %(decision)s; expected approve, reject or return.")
            % {"decision": decision},
            errors=[FieldError(_("Choose approve, reject or return."), column="decision")],
        )
    if not reason:
        raise InvalidInput(
            _("A decision needs a written reason."),
            errors=[FieldError(_("Write the reason for this decision."), column="reason")],
        )
    with transaction.atomic():
        locked = locked_submission(submission.pk)
        conflict = access.review_conflict(user, locked)
        if conflict:
            raise NotPermitted(_("You may not decide this submission: %(why)s") % {"why": conflict})
        if locked.status != S.AWAITING_REVIEW:
            raise InvalidTransition(
                _("Only a submission awaiting review can be decided; this one is %(status)s.")
                % {"status": locked.get_status_display()}
            )
        evaluation = locked.evaluations.get(attempt=locked.attempt)
        approvals = evaluation.decisions.filter(decision=Decision.Kind.APPROVE)
        if decision == Decision.Kind.APPROVE:
            if not evaluation.certifiable:
                raise InvalidTransition(
                    _("This evaluation is not certifiable, so it cannot be approved.")
                )
            if approvals.filter(reviewer=user).exists():
                raise InvalidTransition(
                    _(
                        "You have already approved this submission; "
                        "another reviewer must approve it."
                    )
                )
        record = Decision.objects.create(
            submission=locked,
            evaluation=evaluation,
            reviewer=user,
            decision=decision,
            reason=reason,
        )
        # How many different reviewers must approve is rule-set data for the determined class.
        required = evaluation.result.get("reviewer_approvals_required")
        if decision == Decision.Kind.APPROVE and not required:
            raise InvalidTransition(_("The rule set names no approval count for this class."))
        approved_by = approvals.values("reviewer").distinct().count()
        new_status = {
            Decision.Kind.REJECT: S.REJECTED,
            Decision.Kind.RETURN: S.RETURNED,
            Decision.Kind.APPROVE: S.APPROVED if required and approved_by >= required else None,
        }[decision]
        previous = locked.status
        if new_status:
            transition(locked, new_status)
            locked.save(update_fields=["status", "updated_at"])
        audit(
            action=f"submission.{decision}",
            actor=user,
            submission=locked,
            before={"status": previous},
            after={"status": locked.status},
            decision=record.pk,
            reason=reason,
            approvals=approved_by,
            approvals_required=required,
        )
        if new_status == S.APPROVED:
            # By name: the certificate is ``reports``' work. An approved submission without a
            # certificate is what ``reports``' sweep looks for if this message is lost.
            handoff.ISSUE_CERTIFICATE.on_commit(locked.pk)
    return record
