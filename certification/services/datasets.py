"""Evidence: the assigned lab's results and raw data, and the maker's declarations, checked
whole before anything is stored (STANDARD.md section 6)."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypdf import PdfReader

from certification import access
from certification.evidence import rule_data
from certification.exceptions import (
    FieldError,
    InvalidInput,
    InvalidTransition,
    NotPermitted,
    UploadRejected,
)
from certification.models import Dataset, Submission, User
from certification.parsers.sheets.errors import SheetRejected
from certification.parsers.sheets.parse import parse_sheet
from certification.services.common import EDITABLE_STATUSES, audit, locked_submission
from certification.services.parsing import parse_hand_off
from certification.services.rulesets import ruleset_in_force

PDF_MAGIC = b"%PDF-"
WITHDRAWAL_REASON_MAX = 1000


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
                kind,
                data,
                max_bytes=settings.SHEET_MAX_BYTES,
                max_rows=settings.SHEET_MAX_ROWS,
                today=timezone.localdate(),
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
        _check_plausible(sheet.rows, sheet.row_numbers)
        return {
            "file_format": sheet.file_format,
            "encoding": sheet.encoding or "",
            "row_count": len(sheet.rows),
            "summary": {"rows": [_jsonable_row(row) for row in sheet.rows]},
        }
    if kind == Dataset.Kind.TEST_REPORT:
        pages = _pdf_pages(upload)
        return {"file_format": "pdf", "encoding": "", "row_count": 0, "summary": {"pages": pages}}
    return _raw_record(kind)


def _jsonable_row(row: dict[str, Any]) -> dict[str, Any]:
    """A parsed sheet row as JSON (numbers as their exact text, dates ISO), kept with the
    upload so pages compare raw files with it without re-reading the sheet."""
    return {
        key: value if value is None or isinstance(value, bool | int | str) else str(value)
        for key, value in row.items()
    }


def _check_plausible(rows, row_numbers=()) -> None:
    """Every measured value within the physically possible range the rule set in force gives its
    column (``[plausibility]``); else the sheet is refused with each value's row and column."""
    ruleset = ruleset_in_force()
    rules = rule_data(ruleset)
    errors = []
    for index, row in enumerate(rows):
        for column, value in row.items():
            bounds = rules.plausible_range(column)
            if bounds is None or value is None or bounds.minimum <= value <= bounds.maximum:
                continue
            errors.append(
                FieldError(
                    _(
                        "%(column)s (%(value)s) is outside the physically possible range "
                        "%(min)s to %(max)s (rule set %(ruleset)s v%(version)s)."
                    )
                    % {
                        "column": column,
                        "value": value,
                        "min": bounds.minimum,
                        "max": bounds.maximum,
                        "ruleset": ruleset.code,
                        "version": ruleset.version,
                    },
                    # the line a spreadsheet shows (comment lines and the header counted)
                    row=row_numbers[index] if index < len(row_numbers) else index + 2,
                    column=column,
                )
            )
    if errors:
        raise UploadRejected(
            _("The result sheet was rejected: %(count)d problem(s).") % {"count": len(errors)},
            errors=errors,
        )


def _pdf_pages(upload) -> int:
    """The page count of a test report, read with a PDF parser: a file that merely contains
    ``%PDF-`` (an HTML page with it in a comment, a truncated download) is refused."""
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if not head.lstrip().startswith(PDF_MAGIC):
        message = _("A test report must be a PDF file.")
        raise UploadRejected(message, errors=[FieldError(message)])
    try:
        pages = len(PdfReader(upload, strict=True).pages)
    except Exception as exc:  # pypdf raises many kinds for a broken file; each means "refuse"
        message = _("A test report must be a PDF file; this one cannot be read (%(error)s).") % {
            "error": str(exc)[:200] or type(exc).__name__
        }
        raise UploadRejected(message, errors=[FieldError(message)]) from None
    finally:
        upload.seek(0)
    if pages < 1:
        message = _("A test report must be a PDF file with at least one page.")
        raise UploadRejected(message, errors=[FieldError(message)])
    return pages


def _raw_record(kind: str) -> dict[str, Any]:
    """A raw instrument file is read by a worker after the upload (``services.parsing``): here
    it is only stored, as queued work."""
    return {
        "file_format": kind[:16],
        "encoding": "",
        "row_count": 0,
        "summary": {},
        "parse_status": Dataset.ParseStatus.QUEUED,
        "parse_progress": 0,
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
            locked = locked_submission(submission.pk)
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
                name=original_name,
            )
            if kind in Dataset.RAW_KINDS:
                transaction.on_commit(lambda: parse_hand_off(dataset_id=dataset.pk))
    except BaseException:
        if stored_name:
            default_storage.delete(stored_name)
        raise
    return dataset


def refuse_while_reading(submission: Submission) -> None:
    """A submission cannot be submitted while a worker is still reading one of its raw files:
    the evaluation would miss it. Raises ``InvalidTransition`` naming the files."""
    unread = list(
        submission.datasets.filter(
            withdrawn_at__isnull=True,
            parse_status__in=(Dataset.ParseStatus.QUEUED, Dataset.ParseStatus.PARSING),
        ).values_list("original_name", flat=True)
    )
    if unread:
        raise InvalidTransition(
            _("Wait until the portal has read %(files)s; then submit.")
            % {"files": ", ".join(unread)}
        )


def withdrawal_refusal(*, user: User, dataset: Dataset, submission_status: str):
    """Why ``user`` may not withdraw ``dataset`` while its submission is ``submission_status``,
    as the error to raise, or None when they may: the one rule the page (to offer the button)
    and ``dataset_withdraw`` (under the row lock) both apply."""
    if not access.can_withdraw_dataset(user, dataset):
        return NotPermitted(_("Only the organisation that uploaded a file can withdraw it."))
    if submission_status not in EDITABLE_STATUSES:
        return InvalidTransition(_("Evidence cannot be withdrawn after submission."))
    return None


def dataset_withdraw(*, user: User, dataset: Dataset, reason: str) -> Dataset:
    """The uploader's organisation withdraws a file, saying why (kept for the audit trail, not
    evaluated). The audit record names the file."""
    if isinstance(
        refusal := withdrawal_refusal(
            user=user, dataset=dataset, submission_status=dataset.submission.status
        ),
        NotPermitted,
    ):
        raise refusal
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why the file is withdrawn.")
        raise InvalidInput(message, errors=[FieldError(message, column="reason")])
    if len(reason) > WITHDRAWAL_REASON_MAX:
        message = _("The reason is %(length)d characters long; at most %(max)d are kept.") % {
            "length": len(reason),
            "max": WITHDRAWAL_REASON_MAX,
        }
        raise InvalidInput(message, errors=[FieldError(message, column="reason")])
    with transaction.atomic():
        held = locked_submission(dataset.submission_id)
        if refusal := withdrawal_refusal(user=user, dataset=dataset, submission_status=held.status):
            raise refusal
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        if locked.withdrawn_at is not None:
            return locked
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = user
        locked.withdrawal_reason = reason
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        audit(
            action="dataset.withdrawn",
            actor=user,
            submission=held,
            dataset=locked.pk,
            name=locked.original_name,
            kind=locked.kind,
            reason=reason,
        )
    return locked
