"""Every change of state in a certification goes through a function here.

Each service takes keyword-only arguments, checks permission through ``certification.access``,
locks what it changes, checks the transition table, saves with ``update_fields`` and writes the
audit row in the same transaction. Background work is queued only after the commit.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from certification import access
from certification.exceptions import (
    FieldError,
    InvalidInput,
    InvalidTransition,
    NotPermitted,
    RuleSetImmutable,
    UploadRejected,
)
from certification.models import (
    AuditEvent,
    Dataset,
    Decision,
    Evaluation,
    Organisation,
    Product,
    RuleSet,
    Submission,
    User,
)
from certification.parsers.chamber import RawDataRejected as ChamberRejected
from certification.parsers.cycler import RawDataRejected as CyclerRejected
from certification.parsers.sheets import SheetRejected, parse_sheet
from certification.rules import RuleSetInvalid, load_ruleset, ruleset_files

S = Submission.Status

# The one table of allowed submission transitions (issue 3 adds the review decisions).
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

PDF_MAGIC = b"%PDF-"


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


def _transition(submission: Submission, new_status: str) -> None:
    allowed = SUBMISSION_TRANSITIONS.get(submission.status, frozenset())
    if new_status not in allowed:
        raise InvalidTransition(
            _("A submission that is %(current)s cannot become %(new)s.")
            % {"current": submission.get_status_display(), "new": S(new_status).label}
        )
    submission.status = new_status


# --- rule sets --------------------------------------------------------------------------------


def rulesets_sync() -> list[tuple[str, int, str]]:
    """Load the rule set files shipped in ``certification/rulesets`` into the database.

    A new (code, version) is added; an unused one whose file changed is updated; a used one whose
    file changed is refused (STANDARD.md section 2: a change is a new version).
    """
    report: list[tuple[str, int, str]] = []
    for path in ruleset_files():
        text = path.read_text(encoding="utf-8")
        try:
            parsed = load_ruleset(text)
        except RuleSetInvalid as exc:
            raise RuleSetInvalid(f"{path.name}: {exc}") from exc
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        fields = {
            "title": parsed.title,
            "standard_id": parsed.standard_id,
            "effective_from": parsed.effective_from,
            "effective_until": parsed.effective_until,
            "source_text": text,
            "sha256": digest,
        }
        with transaction.atomic():
            existing = (
                RuleSet.objects.select_for_update()
                .filter(code=parsed.code, version=parsed.version)
                .first()
            )
            if existing is None:
                RuleSet.objects.create(code=parsed.code, version=parsed.version, **fields)
                report.append((parsed.code, parsed.version, "added"))
            elif existing.sha256 == digest:
                report.append((parsed.code, parsed.version, "unchanged"))
            elif existing.first_used_at is not None:
                raise RuleSetImmutable(
                    f"{path.name}: rule set {parsed.code} v{parsed.version} was used by an "
                    "evaluation and cannot change; give the change a new version"
                )
            else:
                for name, value in fields.items():
                    setattr(existing, name, value)
                existing.save(update_fields=list(fields))
                report.append((parsed.code, parsed.version, "updated"))
    return report


def ruleset_in_force(*, code: str | None = None, day=None) -> RuleSet:
    """The newest version of the configured rule set whose effective period covers ``day``."""
    code = code or settings.CERTIFICATION_RULESET
    day = day or timezone.localdate()
    candidate = (
        RuleSet.objects.filter(code=code, effective_from__lte=day)
        .exclude(effective_until__lt=day)
        .order_by("-version")
        .first()
    )
    if candidate is None:
        raise InvalidTransition(
            _("No version of rule set %(code)s is in force on %(day)s.")
            % {"code": code, "day": day}
        )
    return candidate


# --- products and submissions -----------------------------------------------------------------

PRODUCT_FIELDS = (
    "model_number",
    "name",
    "electrolyte_family",
    "conducting_ion",
    "rated_capacity_ah",
    "nominal_voltage_v",
    "rated_energy_wh",
    "max_continuous_power_w",
    "cell_mass_g",
    "declared_liquid_electrolyte_pct",
)


def product_create(*, user: User, **fields: Any) -> Product:
    """A manufacturer registers a cell model (field validation is the form's or serializer's)."""
    if not access.can_register_products(user):
        raise NotPermitted(_("Only a manufacturer can register products."))
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown product fields: %s") % ", ".join(sorted(unknown)))
    if Product.objects.filter(
        manufacturer_id=user.organisation_id, model_number=fields.get("model_number")
    ).exists():
        raise InvalidInput(
            _("You already registered a product with this model number."),
            errors=[
                FieldError(_("This model number is already registered."), column="model_number")
            ],
        )
    with transaction.atomic():
        try:
            product = Product.objects.create(
                manufacturer_id=user.organisation_id, created_by=user, **fields
            )
        except IntegrityError as exc:  # a concurrent registration of the same model number
            raise InvalidInput(_("This product could not be registered: %s") % exc) from None
        audit(
            action="product.registered",
            actor=user,
            product=product,
            model_number=product.model_number,
        )
    return product


def submission_create(
    *, user: User, product: Product, claimed_class: str, lab: Organisation
) -> Submission:
    """The maker opens a submission for its product, claims a class, assigns an accredited lab."""
    if product.manufacturer_id != user.organisation_id or not access.can_register_products(user):
        raise NotPermitted(_("You can open submissions only for your own organisation's products."))
    if not access.labs_assignable_by(user).filter(pk=lab.pk).exists():
        raise InvalidInput(
            _("%(lab)s is not a laboratory with a valid accreditation.") % {"lab": lab},
            errors=[FieldError(_("Choose an accredited laboratory."), column="lab")],
        )
    with transaction.atomic():
        submission = Submission.objects.create(
            product=product, claimed_class=claimed_class, lab=lab, created_by=user
        )
        audit(
            action="submission.opened",
            actor=user,
            submission=submission,
            claimed_class=claimed_class,
            lab=lab.name,
        )
    return submission


def _locked_submission(submission_id: int) -> Submission:
    return Submission.objects.select_for_update().select_related("product").get(pk=submission_id)


def submission_submit(*, user: User, submission: Submission) -> Evaluation:
    """The maker submits; the rule set in force is fixed and an evaluation is queued.

    Idempotent against double submission: the row lock and the transition table let only the
    first request through; the second is answered with ``InvalidTransition``.
    """
    if not access.can_manage_submission(user, submission):
        raise NotPermitted(_("Only the manufacturer can submit this submission."))
    ruleset = ruleset_in_force()
    with transaction.atomic():
        locked = _locked_submission(submission.pk)
        _transition(locked, S.EVALUATING)
        locked.attempt += 1
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "attempt", "submitted_at", "updated_at"])
        evaluation = Evaluation.objects.create(
            submission=locked, attempt=locked.attempt, ruleset=ruleset, stage=gettext_noop("Queued")
        )
        if ruleset.first_used_at is None:
            RuleSet.objects.filter(pk=ruleset.pk, first_used_at__isnull=True).update(
                first_used_at=timezone.now()
            )
        audit(
            action="submission.submitted",
            actor=user,
            submission=locked,
            attempt=locked.attempt,
            ruleset=f"{ruleset.code} v{ruleset.version}",
        )
        from certification.tasks import evaluate_submission

        transaction.on_commit(lambda: evaluate_submission.delay(evaluation.pk))
    submission.refresh_from_db()
    return evaluation


# --- evidence ---------------------------------------------------------------------------------


def _translated(template: str, params: dict, english: str) -> str:
    """A parser's message in the active language (the parsers mark templates for extraction)."""
    if not template:
        return english
    try:
        return _(template) % params if params else _(template)
    except (KeyError, TypeError, ValueError):
        return english


def _sha256_of(fileobj) -> str:
    digest = hashlib.sha256()
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def _clean_name(name: str) -> str:
    return PurePath(name or "upload").name[:200] or "upload"


def _validate_upload(*, kind: str, upload) -> dict[str, Any]:
    """Check an uploaded file completely, before anything is stored. Returns what to record."""
    size = upload.size or 0
    if size == 0:
        raise UploadRejected(_("The file is empty."), errors=[FieldError(_("The file is empty."))])
    limit = {
        **dict.fromkeys(Dataset.SHEET_KINDS, settings.SHEET_MAX_BYTES),
        **dict.fromkeys(Dataset.RAW_KINDS, settings.RAW_DATA_MAX_BYTES),
        Dataset.Kind.TEST_REPORT: settings.REPORT_MAX_BYTES,
    }[kind]
    if size > limit:
        message = _("The file is %(size).1f MB; the limit for this kind is %(limit).1f MB.") % {
            "size": size / 1_048_576,
            "limit": limit / 1_048_576,
        }
        raise UploadRejected(message, errors=[FieldError(message)])
    if kind in Dataset.SHEET_KINDS:
        upload.seek(0)
        data = upload.read()
        upload.seek(0)
        try:
            sheet = parse_sheet(
                kind, data, max_bytes=settings.SHEET_MAX_BYTES, max_rows=settings.SHEET_MAX_ROWS
            )
        except SheetRejected as exc:
            errors = [
                FieldError(
                    _translated(e.template, dict(e.params), e.message), row=e.row, column=e.column
                )
                for e in exc.errors
            ]
            raise UploadRejected(
                _("The result sheet was rejected: %(count)d problem(s).") % {"count": len(errors)},
                errors=errors,
            ) from None
        return {
            "file_format": sheet.file_format,
            "encoding": sheet.encoding or "",
            "row_count": len(sheet.rows),
            "summary": {},
        }
    if kind == Dataset.Kind.TEST_REPORT:
        upload.seek(0)
        head = upload.read(1024)
        upload.seek(0)
        if PDF_MAGIC not in head:
            message = _("A test report must be a PDF file.")
            raise UploadRejected(message, errors=[FieldError(message)])
        return {"file_format": "pdf", "encoding": "", "row_count": 0, "summary": {}}
    return _validate_raw(kind=kind, upload=upload)


def _validate_raw(*, kind: str, upload) -> dict[str, Any]:
    from certification.evidence import summarise_raw

    upload.seek(0)
    try:
        summary = summarise_raw(kind, upload, ruleset=ruleset_in_force())
    except (CyclerRejected, ChamberRejected) as exc:
        message = _translated(exc.template, dict(exc.params), exc.message)
        raise UploadRejected(
            message, errors=[FieldError(message, row=getattr(exc, "line", None))]
        ) from None
    finally:
        upload.seek(0)
    return {
        "file_format": summary.get("format", kind),
        "encoding": summary.get("encoding", ""),
        "row_count": summary.get("rows_read", 0),
        "summary": summary,
    }


def dataset_upload(*, user: User, submission: Submission, kind: str, upload: File) -> Dataset:
    """The assigned lab (evidence) or the maker (declaration) attaches a file to a submission.

    The file is checked whole before anything is stored; a rejected file leaves nothing behind,
    and a failure after the file was written removes it again.
    """
    source = access.upload_source_for(user, submission)
    if source is None:
        raise NotPermitted(_("Only the assigned laboratory or the manufacturer can upload here."))
    if kind not in Dataset.Kind.values:
        message = _("Unknown data kind %(kind)s; expected one of %(kinds)s.") % {
            "kind": kind,
            "kinds": ", ".join(Dataset.Kind.values),
        }
        raise UploadRejected(message, errors=[FieldError(message, column="kind")])
    if submission.status not in EDITABLE_STATUSES:
        raise InvalidTransition(
            _("Evidence cannot be added while the submission is %(status)s.")
            % {"status": submission.get_status_display()}
        )
    recorded = _validate_upload(kind=kind, upload=upload)
    sha256 = _sha256_of(upload)
    original_name = _clean_name(getattr(upload, "name", ""))
    stored_name = None
    try:
        with transaction.atomic():
            locked = _locked_submission(submission.pk)
            if locked.status not in EDITABLE_STATUSES:
                raise InvalidTransition(_("The submission was submitted meanwhile."))
            upload.seek(0)
            stored_name = default_storage.save(
                f"evidence/{locked.pk}/{uuid.uuid4().hex}{PurePath(original_name).suffix[:10]}",
                upload if hasattr(upload, "chunks") else ContentFile(upload.read()),
            )
            dataset = Dataset.objects.create(
                submission=locked,
                kind=kind,
                source=source,
                organisation_id=user.organisation_id,
                uploaded_by=user,
                file=stored_name,
                original_name=original_name,
                size_bytes=upload.size,
                sha256=sha256,
                **recorded,
            )
            audit(
                action="dataset.uploaded",
                actor=user,
                submission=locked,
                dataset=dataset.pk,
                kind=kind,
                source=source,
                sha256=sha256,
                rows=recorded["row_count"],
            )
    except BaseException:
        if stored_name:
            default_storage.delete(stored_name)
        raise
    return dataset


def dataset_withdraw(*, user: User, dataset: Dataset) -> Dataset:
    """The uploader's organisation withdraws a file (kept for the audit trail, not evaluated)."""
    if not access.can_withdraw_dataset(user, dataset):
        raise NotPermitted(_("Only the organisation that uploaded a file can withdraw it."))
    with transaction.atomic():
        locked_submission = _locked_submission(dataset.submission_id)
        if locked_submission.status not in EDITABLE_STATUSES:
            raise InvalidTransition(_("Evidence cannot be withdrawn after submission."))
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        if locked.withdrawn_at is not None:
            return locked
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = user
        locked.save(update_fields=["withdrawn_at", "withdrawn_by"])
        audit(
            action="dataset.withdrawn", actor=user, submission=locked_submission, dataset=locked.pk
        )
    return locked


# --- evaluation -------------------------------------------------------------------------------


def _set_progress(evaluation_id: int, progress: int, stage: str) -> None:
    # Outside the result transaction on purpose: the page shows progress while the worker runs.
    Evaluation.objects.filter(pk=evaluation_id, status=Evaluation.Status.RUNNING).update(
        progress=min(progress, 100), stage=stage[:200]
    )


def evaluation_run(*, evaluation_id: int) -> Evaluation:
    """Evaluate one submitted attempt against its rule set, once (STANDARD.md section 5).

    Re-running a finished evaluation is a no-op, so a retried or duplicated task leaves one
    result. Every input file is re-read from storage and its SHA-256 checked against the upload.
    """
    from certification.evidence import EvidenceChanged, evaluate_evidence

    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update().get(pk=evaluation_id)
        if evaluation.status in (Evaluation.Status.DONE, Evaluation.Status.ERROR):
            return evaluation
        evaluation.status = Evaluation.Status.RUNNING
        evaluation.started_at = timezone.now()
        evaluation.stage = gettext_noop("Reading evidence")
        evaluation.save(update_fields=["status", "started_at", "stage"])

    def progress(pct: int, stage: str) -> None:
        _set_progress(evaluation_id, pct, stage)

    try:
        outcome, inputs, engine_version = evaluate_evidence(evaluation, progress=progress)
    except EvidenceChanged as exc:
        return _evaluation_fail(evaluation_id, str(exc))

    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update().get(pk=evaluation_id)
        if evaluation.status == Evaluation.Status.DONE:
            return evaluation
        submission = _locked_submission(evaluation.submission_id)
        evaluation.status = Evaluation.Status.DONE
        evaluation.progress = 100
        evaluation.stage = gettext_noop("Done")
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
        if submission.status == S.EVALUATING and submission.attempt == evaluation.attempt:
            _transition(submission, S.AWAITING_REVIEW)
            submission.save(update_fields=["status", "updated_at"])
        audit(
            action="evaluation.finished",
            actor=None,
            submission=submission,
            evaluation=evaluation.pk,
            attempt=evaluation.attempt,
            determined_class=evaluation.determined_class,
            certifiable=evaluation.certifiable,
        )
    return evaluation


def _evaluation_fail(evaluation_id: int, reason: str) -> Evaluation:
    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update().get(pk=evaluation_id)
        if evaluation.status == Evaluation.Status.DONE:
            return evaluation
        submission = _locked_submission(evaluation.submission_id)
        evaluation.status = Evaluation.Status.ERROR
        evaluation.error = reason
        evaluation.finished_at = timezone.now()
        evaluation.save(update_fields=["status", "error", "finished_at"])
        if submission.status == S.EVALUATING and submission.attempt == evaluation.attempt:
            _transition(submission, S.EVALUATION_FAILED)
            submission.save(update_fields=["status", "updated_at"])
        audit(action="evaluation.failed", actor=None, submission=submission, reason=reason)
    return evaluation


# --- review -----------------------------------------------------------------------------------


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
        locked = _locked_submission(submission.pk)
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
        if new_status:
            _transition(locked, new_status)
            locked.save(update_fields=["status", "updated_at"])
        audit(
            action=f"submission.{decision}",
            actor=user,
            submission=locked,
            decision=record.pk,
            reason=reason,
            approvals=approved_by,
            approvals_required=required,
        )
        if new_status == S.APPROVED:
            from reports.tasks import issue_certificate

            transaction.on_commit(lambda: issue_certificate.delay(locked.pk))
    return record


def evaluation_reproduce(*, user: User, submission: Submission) -> dict:
    """Re-run the latest finished evaluation (STANDARD.md section 5: a regulator can reproduce
    it years later) and record that it was done and whether the outcome was identical."""
    from certification.evidence import EvidenceChanged, reproduce

    if not access.can_audit(user):
        raise NotPermitted(_("Only regulators and the certification body re-run evaluations."))
    evaluation = (
        submission.evaluations.filter(status=Evaluation.Status.DONE)
        .select_related("ruleset")
        .first()
    )
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
