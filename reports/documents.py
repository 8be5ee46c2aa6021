"""From a stored certificate to what its PDF prints, and the PDF served for its current status."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone
from django.utils.text import capfirst

from certification.presentation import measured_view
from reports import links
from reports.models import Certificate
from reports.pdf import (
    CertificateDocument,
    CriterionRow,
    in_both_languages,
    render_certificate_pdf,
)


def _criterion_row(criterion: dict) -> CriterionRow:
    # The certificate prints both languages whichever the worker runs in: a headline in words
    # ("0 of 3 failed") is written in each.
    measured = in_both_languages(lambda: measured_view(criterion.get("measured"))["headline"])
    return CriterionRow(
        code=criterion["code"],
        outcome=criterion["outcome"],
        measured=measured["en"],
        measured_zh=measured["zh"],
        comparator=criterion.get("comparator") or "",
        limit=str(criterion.get("limit") or ""),
        unit=criterion.get("unit") or "",
    )


def _parsed_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def certificate_document(
    certificate: Certificate, *, status: str | None = None
) -> CertificateDocument:
    """The printed certificate from the content frozen at issue (never from live records)."""
    content = certificate.content
    product = content["product"]
    ruleset = content["ruleset"]
    labels_permitted = content.get("permitted_labels") or {}
    labels_forbidden = content.get("forbidden_labels") or {}
    status = status or certificate.status
    inputs = content.get("evaluation", {}).get("inputs", [])
    inputs_digest = hashlib.sha256("".join(i["sha256"] for i in inputs).encode()).hexdigest()
    return CertificateDocument(
        number=certificate.number,
        status=status,
        holder_name=content["holder"]["name"],
        product_model_number=product.get("model_number", ""),
        product_name=product.get("name", ""),
        electrolyte_family=product.get("electrolyte_family", ""),
        conducting_ion=product.get("conducting_ion", ""),
        application=product.get("application"),
        classification_code=product.get("classification_code") or "",
        class_code=content["determined_class"]["code"],
        # A class named on its own begins with a capital, as everywhere else (the rule set's
        # name is lowercase for use inside sentences).
        class_name_en=capfirst(content["determined_class"]["name_en"]),
        class_name_zh=content["determined_class"]["name_zh"],
        permitted_labels_en=labels_permitted.get("en", []),
        permitted_labels_zh=labels_permitted.get("zh", []),
        forbidden_labels_en=labels_forbidden.get("en", []),
        forbidden_labels_zh=labels_forbidden.get("zh", []),
        ruleset_code=ruleset["code"],
        ruleset_version=ruleset["version"],
        standard_id=ruleset["standard_id"],
        ruleset_effective_from=_parsed_date(ruleset["effective_from"]),
        ruleset_effective_until=_parsed_date(ruleset.get("effective_until")),
        criteria=tuple(_criterion_row(c) for c in content.get("criteria", [])),
        lab_name=content["lab"]["name"],
        lab_accreditation_number=content["lab"].get("accreditation_number", ""),
        issue_date=timezone.localdate(certificate.issued_at),
        expiry_date=certificate.expires_on,
        reviewers=content.get("reviewers", []),
        verification_url=links.verification_url(certificate.number),
        evaluation_id=str(content.get("evaluation", {}).get("id", "")),
        inputs_hash_short=inputs_digest[:16],
        status_reason="" if status == Certificate.Status.VALID else certificate.status_reason,
        status_date=(
            timezone.localdate(certificate.status_changed_at)
            if status != Certificate.Status.VALID and certificate.status_changed_at
            else None
        ),
    )


def certificate_pdf(certificate: Certificate) -> bytes:
    """The issued PDF while valid (its hash is in the signed credential); once it is no longer
    valid, the same certificate re-rendered with its status stamped across every page."""
    if certificate.status == Certificate.Status.VALID:
        with certificate.pdf.open("rb") as handle:
            return handle.read()
    return render_certificate_pdf(certificate_document(certificate))
