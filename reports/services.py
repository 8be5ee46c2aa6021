"""Certificates: issue after approval, change status with who/when/why, expire, supersede."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.evidence import rule_data
from certification.exceptions import FieldError, InvalidInput, InvalidTransition, NotPermitted
from certification.models import Decision, Evaluation, Submission, User
from certification.services import audit
from reports import access, didweb, handoffs, links, signing, status_list
from reports.documents import certificate_document
from reports.models import Certificate, CertificateCounter, CertificateEvent
from reports.pdf import render_certificate_pdf
from reports.transitions import CERTIFICATE_TRANSITIONS

C = Certificate.Status


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _next_number(year: int) -> str:
    counter, _ = CertificateCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{settings.CERTIFICATE_NUMBER_PREFIX}-{year}-{counter.last:06d}"


def _content(
    submission: Submission, evaluation: Evaluation, approvers: list[User]
) -> dict[str, Any]:
    """Everything the certificate states, frozen at issue (STANDARD.md section 7)."""
    result = evaluation.result
    ruleset = evaluation.ruleset
    rules = rule_data(ruleset)
    determined = rules.class_rule(evaluation.determined_class)
    product = result.get("product_snapshot", {})
    lab = submission.lab
    return {
        "holder": {"name": submission.product.manufacturer.name},
        "product": {
            **product,
            "application": result.get("application"),
            "classification_code": evaluation.classification_code,
        },
        "determined_class": {
            "code": evaluation.determined_class,
            "name_en": determined.name_en,
            "name_zh": determined.name_zh,
        },
        "claimed_class": submission.claimed_class,
        "may_label_solid_state": evaluation.may_label_solid_state,
        "permitted_labels": result.get("labels", {}).get("permitted", {}),
        "forbidden_labels": result.get("labels", {}).get("forbidden", {}),
        "criteria": [
            {
                k: c.get(k)
                for k in ("code", "outcome", "measured", "limit", "comparator", "unit", "message")
            }
            for c in result.get("criteria", [])
        ],
        "ruleset": {
            "code": ruleset.code,
            "version": ruleset.version,
            "standard_id": ruleset.standard_id,
            "title": ruleset.title,
            "effective_from": ruleset.effective_from.isoformat(),
            "effective_until": ruleset.effective_until.isoformat()
            if ruleset.effective_until
            else None,
            "sha256": ruleset.sha256,
        },
        "lab": {"name": lab.name, "accreditation_number": lab.accreditation_number},
        "reviewers": [u.get_full_name() or u.username for u in approvers],
        "evaluation": {
            "id": evaluation.pk,
            "attempt": evaluation.attempt,
            "engine_version": evaluation.engine_version,
            "inputs": evaluation.inputs,
        },
    }


def _sign(certificate: Certificate) -> str:
    """The certificate's signed credential: issued by the portal's ``did:web`` DID, with its
    two status list entries (allocated now if it has none: the certificate must be saved)."""
    content = certificate.content
    credential = signing.build_credential(
        number=certificate.number,
        issuer_url=didweb.did(),
        holder=content["holder"],
        product=content["product"],
        assessment={
            **certificate.evaluation.result,
            "reviewer": ", ".join(content["reviewers"]),
            "assessed_at": certificate.evaluation.finished_at,
        },
        ruleset=content["ruleset"],
        lab=content["lab"],
        issued_at=certificate.issued_at,
        valid_from=certificate.valid_from,
        valid_until=certificate.expires_on,
        pdf_sha256=certificate.pdf_sha256,
        verification_url=links.verification_url(certificate.number),
        status_url=links.status_api_url(certificate.number),
        pdf_url=links.pdf_url(certificate.number),
        status_entries=status_list.status_entries(certificate),
    )
    return signing.sign_credential(credential)


def certificate_resign(*, certificate: Certificate) -> Certificate:
    """Sign the credential of a certificate issued before the status lists again, now with its
    status list entries and the DID issuer (``manage.py status_lists_backfill``). The PDF and
    everything the certificate states stay as issued; the earlier credential stays verifiable."""
    with transaction.atomic():
        locked = (
            Certificate.objects.select_for_update()
            .select_related("evaluation")
            .get(pk=certificate.pk)
        )
        if locked.status_entries.exists():
            return locked
        locked.credential_jws = _sign(locked)
        locked.save(update_fields=["credential_jws"])
    return locked


def certificate_issue(*, submission_id: int) -> Certificate:
    """Issue the certificate of an approved submission, once; supersede the product's older one."""
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update()
            .select_related("product__manufacturer", "lab")
            .get(pk=submission_id)
        )
        existing = Certificate.objects.filter(submission=submission).first()
        if existing is not None:
            return existing
        if submission.status != Submission.Status.APPROVED:
            raise InvalidTransition(_("Only an approved submission receives a certificate."))
        evaluation = submission.evaluations.select_related("ruleset").get(
            attempt=submission.attempt
        )
        approvers = [
            d.reviewer
            for d in evaluation.decisions.filter(decision=Decision.Kind.APPROVE).select_related(
                "reviewer"
            )
        ]
        now = timezone.now()
        today = timezone.localdate(now)
        months = int(rule_data(evaluation.ruleset).certificate_validity_months.value)
        certificate = Certificate(
            number=_next_number(today.year),
            submission=submission,
            evaluation=evaluation,
            product=submission.product,
            holder=submission.product.manufacturer,
            issued_at=now,
            valid_from=today,
            expires_on=add_months(today, months),
            content=_content(submission, evaluation, approvers),
        )
        pdf = render_certificate_pdf(certificate_document(certificate, status=C.VALID))
        certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        certificate.pdf.save(f"{certificate.number}.pdf", ContentFile(pdf), save=False)
        try:
            certificate.save()
            # The credential names the certificate's status list indexes, allocated once the
            # row exists, in this transaction.
            certificate.credential_jws = _sign(certificate)
            certificate.save(update_fields=["credential_jws"])
            # Nobody can watch a certificate before it exists: its issue has no one to tell.
            CertificateEvent.objects.create(
                certificate=certificate,
                from_status="",
                to_status=C.VALID,
                notified_at=timezone.now(),
            )
            older = (
                Certificate.objects.select_for_update()
                .filter(product=submission.product, status__in=[C.VALID, C.SUSPENDED])
                .exclude(pk=certificate.pk)
            )
            for previous in older:
                _change(
                    previous,
                    C.SUPERSEDED,
                    actor=None,
                    reason=f"superseded by {certificate.number}",
                    superseded_by=certificate,
                )
            audit(
                action="certificate.issued",
                actor=None,
                submission=submission,
                object_type="certificate",
                object_id=certificate.number,
                after={"status": C.VALID},
                certificate=certificate.number,
                pdf_sha256=certificate.pdf_sha256,
            )
        except BaseException:
            certificate.pdf.delete(save=False)
            raise
    return certificate


def _change(
    certificate: Certificate,
    new_status: str,
    *,
    actor: User | None,
    reason: str,
    superseded_by: Certificate | None = None,
) -> CertificateEvent:
    if new_status not in CERTIFICATE_TRANSITIONS[certificate.status]:
        raise InvalidTransition(
            _("A certificate that is %(current)s cannot become %(new)s.")
            % {"current": certificate.get_status_display(), "new": C(new_status).label}
        )
    event = CertificateEvent.objects.create(
        certificate=certificate,
        from_status=certificate.status,
        to_status=new_status,
        actor=actor,
        reason=reason,
    )
    certificate.status = new_status
    certificate.status_reason = reason
    certificate.status_changed_at = event.at
    fields = ["status", "status_reason", "status_changed_at"]
    if superseded_by is not None:
        certificate.superseded_by = superseded_by
        fields.append("superseded_by")
    certificate.save(update_fields=fields)
    audit(
        action=f"certificate.{new_status}",
        actor=actor,
        submission=certificate.submission,
        object_type="certificate",
        object_id=certificate.number,
        before={"status": event.from_status},
        after={"status": new_status},
        certificate=certificate.number,
        reason=reason,
    )
    handoffs.NOTIFY_WATCHERS.on_commit(event.pk)
    return event


def certificate_change_status(
    *, user: User, certificate: Certificate, new_status: str, reason: str
) -> CertificateEvent:
    """Suspend, reinstate, revoke (certification body) or withdraw (holder or body).

    Every change needs a written reason and is recorded with who and when."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("A status change needs a written reason."),
            errors=[FieldError(_("Write the reason for this change."), column="reason")],
        )
    if new_status not in access.certificate_statuses_settable_by(user, certificate):
        raise NotPermitted(
            _("You may not make this certificate %(status)s.") % {"status": new_status}
        )
    with transaction.atomic():
        locked = (
            Certificate.objects.select_for_update()
            .select_related("submission")
            .get(pk=certificate.pk)
        )
        return _change(locked, new_status, actor=user, reason=reason)


def certificates_expire(*, today: dt.date | None = None) -> int:
    """Mark every valid or suspended certificate past its expiry date as expired (daily task)."""
    today = today or timezone.localdate()
    count = 0
    due = Certificate.objects.filter(status__in=[C.VALID, C.SUSPENDED], expires_on__lt=today)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            locked = Certificate.objects.select_for_update().select_related("submission").get(pk=pk)
            if locked.status in (C.VALID, C.SUSPENDED) and locked.expires_on < today:
                _change(
                    locked, C.EXPIRED, actor=None, reason=f"validity ended on {locked.expires_on}"
                )
                count += 1
    return count
