"""Rule-set proposals: a new version (the final text of the standard, say) uploaded in the portal,
checked as strictly as a shipped file, and activated only by two approvals (four eyes).

A proposal is a ``RuleSet`` row with ``status = proposed``: stored byte for byte with its SHA-256
and never changed afterwards. ``ruleset_in_force`` and ``rulesets_sync`` ignore it. Each approval
is a ``RuleSetApproval`` row with its reason; the second, from another reviewer of the
certification body who did not propose it, sets the row ``active`` in the same transaction. An
activation changes no certificate and no evaluation: existing evaluations keep the rule set they
name, and the new version is used only by submissions evaluated from then on, on the days it is
in force. Every step is in the audit trail.
"""

from __future__ import annotations

import hashlib
from typing import NoReturn

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification import access
from certification.exceptions import (
    FieldError,
    InvalidInput,
    InvalidTransition,
    NotPermitted,
    RuleSetRefused,
)
from certification.models import RuleSet, RuleSetApproval, RuleSetImpact, User
from certification.rules import RuleSetData, RuleSetInvalid, load_ruleset
from certification.services.common import audit
from certification.timestamps import api_time

# The shipped files are about 15 KB; a proposal larger than this is no rule set.
MAX_PROPOSAL_BYTES = 256 * 1024
# Four eyes: two different people approve. A rule of the portal's governance, not a number of
# the standard, so it is not rule-set data (a proposal must not set its own quorum).
APPROVALS_TO_ACTIVATE = 2


def _refuse(message: str) -> NoReturn:
    """Refuse the upload: the message starts with the path of the bad value (``version: ...``,
    ``classes.liquid.content_pct: ...``, ``(file): ...`` for the file as a whole)."""
    path = message.split(": ", 1)[0] if ": " in message else "(file)"
    raise RuleSetRefused(message, errors=[FieldError(message=message, column=path)])


def proposal_text(content: bytes) -> tuple[str, RuleSetData]:
    """The uploaded bytes as rule-set text and its validated data, or ``RuleSetRefused``: too
    large, not UTF-8, or anything ``load_ruleset`` refuses for a shipped file."""
    if len(content) > MAX_PROPOSAL_BYTES:
        _refuse(
            _("(file): the file has %(size)s bytes; a rule set may have at most %(limit)s.")
            % {"size": len(content), "limit": MAX_PROPOSAL_BYTES}
        )
    if not content.strip():
        _refuse(_("(file): the file is empty."))
    try:
        # An editor's byte-order mark is no part of the text (TOML has none).
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _refuse(_("(file): not UTF-8 text (byte %(offset)s).") % {"offset": exc.start})
    try:
        return text, load_ruleset(text)
    except RuleSetInvalid as exc:
        _refuse(str(exc))


def _exists_message(parsed: RuleSetData) -> str:
    return _(
        "version: rule set %(code)s version %(version)s already exists; a proposal needs a new "
        "version (or a new code)."
    ) % {"code": parsed.code, "version": parsed.version}


def ruleset_propose(*, user: User, content: bytes, name: str = "") -> RuleSet:
    """Store an uploaded rule-set file as a proposal (never in force until activated).

    Validated as strictly as a shipped file (``certification.rules.load_ruleset``: unknown keys,
    wrong types, a source not declared in [[sources]], overlapping content bands ...), and a code
    and version that exist already are refused; every refusal names the path of the bad value
    and stores nothing.
    """
    if not access.can_propose_rulesets(user):
        raise NotPermitted(_("Only regulators and the certification body propose rule sets."))
    text, parsed = proposal_text(content)
    if RuleSet.objects.filter(code=parsed.code, version=parsed.version).exists():
        _refuse(_exists_message(parsed))
    now = timezone.now()
    try:
        with transaction.atomic():
            ruleset = RuleSet.objects.create(
                code=parsed.code,
                version=parsed.version,
                title=parsed.title,
                standard_id=parsed.standard_id,
                effective_from=parsed.effective_from,
                effective_until=parsed.effective_until,
                source_text=text,
                sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                status=RuleSet.Status.PROPOSED,
                proposed_by=user,
                proposed_at=now,
            )
            audit(
                action="ruleset.proposed",
                actor=user,
                object_type="ruleset",
                object_id=ruleset.pk,
                after=RuleSet.Status.PROPOSED,
                ruleset=ruleset.pk,
                code=ruleset.code,
                version=ruleset.version,
                sha256=ruleset.sha256,
                file_name=name[:255],
            )
    except IntegrityError:  # the same code and version proposed at the same moment
        _refuse(_exists_message(parsed))
    return ruleset


def approvals_needed(ruleset: RuleSet) -> int:
    """How many more approvals the proposal needs to become active (0 once active)."""
    if ruleset.status != RuleSet.Status.PROPOSED:
        return 0
    return max(APPROVALS_TO_ACTIVATE - ruleset.approvals.count(), 0)


def ruleset_approve(*, user: User, ruleset: RuleSet, reason: str) -> RuleSet:
    """One reviewer's approval of a proposal; the second one (of another reviewer, neither the
    proposer) activates it. Approving needs a finished impact analysis, so that whoever approves
    has seen what the new version would change. Activation changes no certificate and no
    evaluation, and is recorded in the audit trail with both approvers."""
    if not access.is_reviewer(user):
        raise NotPermitted(_("Only reviewers of the certification body can approve a rule set."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("Give a reason for the approval."),
            errors=[FieldError(_("This field is required."), column="reason")],
        )
    with transaction.atomic():
        locked = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
        if locked.status != RuleSet.Status.PROPOSED:
            raise InvalidTransition(_("This rule set is active already; it was not a proposal."))
        approver_ids = frozenset(locked.approvals.values_list("approver_id", flat=True))
        conflict = access.ruleset_approval_conflict(user, locked, approver_ids=approver_ids)
        if conflict:
            raise NotPermitted(_("You may not approve this rule set: %(why)s") % {"why": conflict})
        if not locked.impact_analyses.filter(status=RuleSetImpact.Status.DONE).exists():
            raise InvalidTransition(
                _("Run the impact analysis first: approve knowing what the rule set would change.")
            )
        approval = RuleSetApproval.objects.create(ruleset=locked, approver=user, reason=reason)
        audit(
            action="ruleset.approved",
            actor=user,
            object_type="ruleset",
            object_id=locked.pk,
            reason=reason,
            ruleset=locked.pk,
            code=locked.code,
            version=locked.version,
            sha256=locked.sha256,
            approval=approval.pk,
        )
        if len(approver_ids) + 1 >= APPROVALS_TO_ACTIVATE:
            locked.status = RuleSet.Status.ACTIVE
            locked.activated_at = timezone.now()
            locked.save(update_fields=["status", "activated_at"])
            approvers = list(
                locked.approvals.order_by("approved_at", "id").values_list(
                    "approver__username", flat=True
                )
            )
            audit(
                action="ruleset.activated",
                actor=user,
                object_type="ruleset",
                object_id=locked.pk,
                ruleset=locked.pk,
                code=locked.code,
                version=locked.version,
                sha256=locked.sha256,
                approvers=approvers,
                before=RuleSet.Status.PROPOSED,
                after=RuleSet.Status.ACTIVE,
            )
    return locked


def rulesets_for_whatif():
    """Every stored rule set a finished evaluation may be re-run under: active and proposed."""
    return RuleSet.objects.order_by("code", "-version")


def proposal_record(ruleset: RuleSet, *, with_text: bool = False) -> dict:
    """A rule set as the proposal pages and the API show it: header, state, approvals, the
    latest impact analysis's numbers."""
    approvals = list(ruleset.approvals.select_related("approver").order_by("approved_at", "id"))
    latest = ruleset.impact_analyses.order_by("-requested_at", "-id").first()
    record = {
        "id": ruleset.pk,
        "code": ruleset.code,
        "version": ruleset.version,
        "title": ruleset.title,
        "standard_id": ruleset.standard_id,
        "effective_from": ruleset.effective_from.isoformat(),
        "effective_until": ruleset.effective_until.isoformat() if ruleset.effective_until else None,
        "status": ruleset.status,
        "sha256": ruleset.sha256,
        "proposed_by": ruleset.proposed_by.username if ruleset.proposed_by_id else None,
        "proposed_at": api_time(ruleset.proposed_at),
        "activated_at": api_time(ruleset.activated_at),
        "approvals": [
            {
                "approver": a.approver.username,
                "reason": a.reason,
                "approved_at": api_time(a.approved_at),
            }
            for a in approvals
        ],
        "approvals_needed": 0
        if ruleset.status != RuleSet.Status.PROPOSED
        else max(APPROVALS_TO_ACTIVATE - len(approvals), 0),
        "impact": None
        if latest is None
        else {
            "id": latest.pk,
            "status": latest.status,
            "progress": latest.progress,
            "counts": latest.counts,
        },
    }
    if with_text:
        record["source_text"] = ruleset.source_text
    return record


def proposals_visible_to(user):
    """Every proposal, past and present (activated ones keep their approvals), to those who may
    propose; nothing to anyone else (the pages and API answer 403 first)."""
    if not access.can_propose_rulesets(user):
        return RuleSet.objects.none()
    return (
        RuleSet.objects.filter(proposed_at__isnull=False)
        .select_related("proposed_by")
        .order_by("-proposed_at", "-id")
    )
