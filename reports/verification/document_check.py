"""A certificate file someone was sent (its PDF or its signed credential): is it the portal's,
as issued, and what is the certificate's status now (STANDARD.md section 7).

``check_document`` tells the two apart from the bytes: the PDF is found by its SHA-256 (one
query), the credential's signature is checked against the portal's current and retired keys.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.utils.translation import gettext as _

from certification.exceptions import FieldError, InvalidInput
from reports import links, signing, status_list
from reports.verification.lookup import (
    MalformedNumber,
    NeverIssued,
    fetch_rows,
    public_certificate,
    today,
    verify_number,
)

# A certificate PDF is a few hundred kB and its credential a few dozen: 20 MB is room for any
# PDF the portal renders, and bounds what one check holds in memory (reports/uploads.py).
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# PDF readers accept the "%PDF-" header anywhere in the first 1,024 bytes (ISO 32000-1, 7.5.2).
PDF_HEADER_WITHIN = 1024
# A compact JWS once whitespace is taken out (a credential pasted from an e-mail may be wrapped):
# base64url parts separated by dots. "=" is let through for verify_credential to name.
_JWS_LIKE = re.compile(r"[A-Za-z0-9_=-]+(?:\.[A-Za-z0-9_=-]*){2,}")
# What a photo or scan of a certificate usually is: its format, told in the message.
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)


class DocumentRejected(InvalidInput):
    """A file that is not a certificate document of this portal as issued, said in words.
    ``code`` is the outcome: ``empty_file``, ``file_too_large``, ``not_a_certificate_file``,
    ``unknown_pdf`` or ``invalid_credential`` (or, for a signed credential naming a number this
    portal does not know, ``never_issued`` or ``malformed_number``); ``detail`` (in ``errors``)
    the technical reason where there is one."""

    def __init__(self, message: str, *, code: str, detail: str = "") -> None:
        super().__init__(message, errors=[FieldError(detail or message, column="file")])
        self.code = code
        self.detail = detail


def _image_kind(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    return next((kind for magic, kind in _IMAGES if data.startswith(magic)), None)


def _credential_text(data: bytes) -> str | None:
    """The compact JWS in ``data`` (alone, with any whitespace around or inside it), if the
    file looks like one; None if it is something else."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    compact = "".join(text.split())
    return compact if _JWS_LIKE.fullmatch(compact) else None


def _genuine(kind: str, certificate: dict[str, Any], message: str, **extra) -> dict[str, Any]:
    return {
        "outcome": "genuine",
        "kind": kind,
        "message": message,
        **extra,
        "certificate": certificate,
    }


def _check_pdf(data: bytes) -> dict[str, Any]:
    digest = hashlib.sha256(data).hexdigest()
    # Not through this process's copy of rows: that one is keyed by number.
    rows = fetch_rows([digest], by="pdf_sha256")
    if not rows:
        raise DocumentRejected(
            _(
                "This PDF is not a certificate as this portal issued it: either the portal never "
                "issued it, or it was altered after issue. Do not rely on it. A copy downloaded "
                "after the certificate's status changed carries a status watermark and so differs "
                "from the issued file: check the certificate number printed on it at %(url)s."
            )
            % {"url": links.verification_page_url()},
            code="unknown_pdf",
        )
    # The PDF shows the number, which is unique: two certificates cannot share a PDF.
    certificate = public_certificate(rows[0], today=today())
    message = _(
        "This file is the PDF of certificate %(number)s exactly as the portal issued it. Its "
        "status now: %(status)s."
    ) % {"number": certificate["number"], "status": certificate["status_display"]}
    return _genuine("pdf", certificate, message, sha256=digest, pdf_sha256_matches=True)


def _credential_refused(exc: signing.CredentialInvalid) -> str:
    if exc.reason == "altered":
        return _(
            "This credential cannot be relied on: it was altered after it was signed, or it was "
            "not signed by this portal."
        )
    if exc.reason == "unknown_key":
        return _(
            "This credential cannot be relied on: it was signed with a key this portal has never "
            "used, so this portal did not issue it."
        )
    return _(
        "This is not a credential of this portal: the portal hands out signed credentials as a "
        "compact JWS (a .jwt file), and this is not one."
    )


def _check_credential(token: str) -> dict[str, Any]:
    try:
        credential = signing.verify_credential(token)
    except signing.CredentialInvalid as exc:
        raise DocumentRejected(
            _credential_refused(exc), code="invalid_credential", detail=str(exc)
        ) from None
    # As reports/signing.py build_credential writes them.
    subject = credential.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    number = subject.get("certificateNumber")
    if not isinstance(number, str):
        raise DocumentRejected(
            _(
                "This credential was signed by this portal but is not a certificate: it names no "
                "certificate number."
            ),
            code="invalid_credential",
        )
    try:
        certificate = verify_number(number)
    except (MalformedNumber, NeverIssued) as exc:
        raise DocumentRejected(exc.message, code=exc.code) from None
    link = subject.get("conformityCertificate")
    pdf_sha256 = link.get("hashDigest") if isinstance(link, dict) else None
    matches = pdf_sha256 == certificate["pdf_sha256"]
    listed = status_list.check(credential)
    if listed is not None and not listed["checked"]:
        # Never "valid" on a status nobody could read.
        certificate = {
            **certificate,
            "status": "unchecked",
            "status_display": _("Status could not be checked"),
            "is_valid": False,
            "statement": _(
                "The status of this credential could not be checked: %(why)s. Do not rely on "
                "it until its status is known."
            )
            % {"why": listed["reason"]},
        }
    values = {"number": certificate["number"], "status": certificate["status_display"]}
    if listed is None:
        message = (
            _(
                "This is the signed credential of certificate %(number)s: the portal's signature "
                "is intact, so nothing in it was changed. Its status now: %(status)s."
            )
            % values
        )
    elif not listed["checked"]:
        message = _(
            "This is the signed credential of certificate %(number)s: the portal's signature is "
            "intact, so nothing in it was changed. Its status could not be checked: %(why)s."
        ) % {**values, "why": listed["reason"]}
    else:
        message = _(
            "This is the signed credential of certificate %(number)s: the portal's signature is "
            "intact, so nothing in it was changed. Its status lists say: %(listed)s. Its status "
            "now: %(status)s."
        ) % {**values, "listed": _listed_status(listed)}
    if matches:
        pdf_message = _(
            "The PDF fingerprint (SHA-256) in the credential is that of the certificate's PDF "
            "as issued."
        )
    else:
        pdf_message = _(
            "The PDF fingerprint (SHA-256) in the credential differs from that of the "
            "certificate's PDF as issued: check the PDF itself here before relying on it."
        )
    return _genuine(
        "credential",
        certificate,
        message,
        sha256=pdf_sha256,
        pdf_sha256_matches=matches,
        pdf_message=pdf_message,
        status_list=listed,
    )


def _listed_status(listed: dict[str, Any]) -> str:
    if listed["revocation"]:
        return _("revoked (it has ended for good)")
    if listed["suspension"]:
        return _("suspended")
    return _("neither revoked nor suspended")


def check_document(data: bytes) -> dict[str, Any]:
    """What a certificate file someone was sent is, told from its bytes: the certificate PDF
    exactly as issued (found by its SHA-256, one query), or the signed credential (checked
    against the portal's current and retired keys, then its certificate read by number). Either
    way the answer carries the certificate's public record with its live status, since a
    genuine file of a revoked certificate is still a revoked certificate.

    ``data`` is the file's content, or its first ``DOCUMENT_MAX_BYTES + 1`` bytes. Anything
    else raises ``DocumentRejected`` saying what the file is and what to do. Pure reads.
    """
    if len(data) > DOCUMENT_MAX_BYTES:
        raise DocumentRejected(
            _(
                "This file is larger than %(mb)s MB: no certificate PDF or credential of this "
                "portal is that large."
            )
            % {"mb": DOCUMENT_MAX_BYTES // (1024 * 1024)},
            code="file_too_large",
        )
    if not data or data.isspace():
        raise DocumentRejected(
            _("This file is empty. Upload the certificate PDF or the credential file (.jwt)."),
            code="empty_file",
        )
    if b"%PDF-" in data[:PDF_HEADER_WITHIN]:
        return _check_pdf(data)
    token = _credential_text(data)
    if token is not None:
        return _check_credential(token)
    if (kind := _image_kind(data)) is not None:
        message = _(
            "This file is a %(kind)s image, not a certificate file: a photo or scan cannot be "
            "checked. Check the certificate number printed on it at %(url)s, or upload the "
            "certificate PDF or credential file itself."
        ) % {"kind": kind, "url": links.verification_page_url()}
    else:
        message = _(
            "This file is neither a certificate PDF nor a signed credential of this portal. "
            "Upload the certificate PDF or the credential file (.jwt) as you received them."
        )
    raise DocumentRejected(message, code="not_a_certificate_file")
