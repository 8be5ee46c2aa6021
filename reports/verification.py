"""Public verification of certificates: selectors only, no writes.

STANDARD.md section 7: a verification answer never says "not found" for a certificate that
existed; it says "revoked on ..., because ...". A number that was never issued, and a string that
is not a certificate number at all, are told apart and said so in words.

The status shown is live: a valid or suspended certificate past its expiry date reads as expired
even before the hourly ``expire_certificates`` task has written it (``certificates_expire`` uses
the same rule: expired once today is after ``expires_on``).

A certificate file someone was sent (its PDF or its signed credential) is checked here too:
``check_document`` says whether it is the portal's, as issued, and gives the live status.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
import re
import time
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from certification.csvfile import csv_lines
from certification.exceptions import FieldError, InvalidInput, NotFound
from reports import links, livecache, signing
from reports.models import Certificate

C = Certificate.Status

BULK_MAX = 1000
# A CSV of 1,000 numbers is about 20 kB; anything far larger is not a list of numbers.
CSV_MAX_BYTES = 256 * 1024
# How much of a rejected input we echo back: enough to recognise it, never a wall of text.
ECHO_MAX = 40

# What the public may read from the frozen certificate content (not criteria, not evidence).
PUBLIC_CONTENT_KEYS = (
    "holder",
    "product",
    "determined_class",
    "may_label_solid_state",
    "permitted_labels",
    "forbidden_labels",
    "ruleset",
    "lab",
)
MODEL_FIELDS = (
    "number",
    "status",
    "status_reason",
    "status_changed_at",
    "issued_at",
    "valid_from",
    "expires_on",
    "pdf_sha256",
)
ROW_FIELDS = (*MODEL_FIELDS, "successor", "public_content")


class MalformedNumber(InvalidInput):
    code = "malformed_number"


class NeverIssued(NotFound):
    code = "never_issued"


# --- number format ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(prefix)}-[0-9]{{4}}-[0-9]{{6}}")


def example_number() -> str:
    return f"{settings.CERTIFICATE_NUMBER_PREFIX}-{timezone.localdate().year}-000123"


def normalise_number(raw: object) -> str:
    """The number as typed or scanned, made comparable: NFKC folds the full-width characters a
    Chinese input method produces (ＳＳＢ－２０２６) into ASCII; case and spaces do not matter."""
    if not isinstance(raw, str):
        return ""
    return unicodedata.normalize("NFKC", raw).strip().upper()


def is_well_formed(number: str) -> bool:
    return _pattern(settings.CERTIFICATE_NUMBER_PREFIX).fullmatch(number) is not None


def _echo(raw: object) -> str:
    text = raw if isinstance(raw, str) else repr(raw)
    text = " ".join(text.split())
    return text if len(text) <= ECHO_MAX else text[: ECHO_MAX - 1] + "…"


def malformed_message(raw: object) -> str:
    if isinstance(raw, str) and not raw.strip():
        return _("Enter a certificate number, such as %(example)s.") % {"example": example_number()}
    return _(
        "“%(given)s” is not a certificate number. Certificate numbers look like %(example)s."
    ) % {"given": _echo(raw), "example": example_number()}


def never_issued_message(number: str) -> str:
    return _(
        "No certificate numbered %(number)s has ever been issued. If this number is printed on a "
        "label or in a QR code, the marking is not genuine: do not rely on it, and report it to "
        "the certification body."
    ) % {"number": number}


def _well_formed_or_raise(raw: object) -> str:
    number = normalise_number(raw)
    if not is_well_formed(number):
        message = malformed_message(raw)
        raise MalformedNumber(message, errors=[FieldError(message, column="number")])
    return number


# --- status -----------------------------------------------------------------------------------


_day: tuple[float, dt.date] = (0.0, dt.date.min)  # (when the local day ends, the day)


def today() -> dt.date:
    """``timezone.localdate()``, worked out once a local day: the verification hot path needs
    it on every request, and it costs as much as the rest of a kept answer."""
    global _day
    ends, day = _day
    now = time.time()
    if now >= ends:
        local = timezone.localtime(dt.datetime.fromtimestamp(now, dt.UTC))
        day = local.date()
        midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), local.tzinfo)
        _day = (midnight.timestamp(), day)
    return day


@receiver(setting_changed)
def _forget_the_day(*, setting, **kwargs):
    global _day
    if setting in ("TIME_ZONE", "USE_TZ"):
        _day = (0.0, dt.date.min)


def live_status(status: str, expires_on: dt.date, today: dt.date) -> str:
    """The status as of ``today``: valid and suspended certificates lapse after ``expires_on``."""
    if status in (C.VALID, C.SUSPENDED) and expires_on < today:
        return C.EXPIRED
    return status


def _statement(
    status: str, *, reason: str, changed_on: str | None, row: dict[str, Any], issued_on: str
) -> str:
    values = {
        "date": changed_on or "—",
        # The sentence ends the reason itself: "because audit pending." not "pending..".
        "reason": reason.rstrip(" .。") or "—",
        "issued": issued_on,
        "expires": row["expires_on"].isoformat(),
        "successor": row["successor"] or "—",
    }
    if status == C.VALID:
        return _("Valid: issued on %(issued)s, valid until %(expires)s.") % values
    if status == C.SUSPENDED:
        return (
            _(
                "Suspended on %(date)s, because %(reason)s. While suspended the certificate does "
                "not attest conformity."
            )
            % values
        )
    if status == C.WITHDRAWN:
        return _("This certificate was withdrawn on %(date)s, because %(reason)s.") % values
    if status == C.REVOKED:
        return _("This certificate was revoked on %(date)s, because %(reason)s.") % values
    if status == C.EXPIRED:
        return _("This certificate expired: its validity ended on %(expires)s.") % values
    return (
        _(
            "This certificate was superseded on %(date)s by certificate %(successor)s; check "
            "that one."
        )
        % values
    )


@functools.cache
def _select_sql(by: str = "number") -> str:
    """The one query behind every lookup, written out: the ORM spends ~2 ms compiling the
    equivalent ``annotate(KeyTransform...).values()`` on every call where this takes ~0.3 ms in
    all (bench/verify_load.py), and verification is the portal's hot path. Only the public keys
    of the frozen content are read (it also holds criteria and evidence hashes).
    Identifiers come from the model; the only values, the numbers (or, ``by="pdf_sha256"``, the
    hashes), are query parameters."""
    meta = Certificate._meta
    table = connection.ops.quote_name(meta.db_table)
    column = {f.name: connection.ops.quote_name(f.column) for f in meta.concrete_fields}
    fields = ", ".join(f"c.{column[name]}" for name in MODEL_FIELDS)
    # One JSON object of the public keys (SQLite, the demo's database, spells it json_object).
    build = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    pairs = ", ".join(f"'{key}', c.{column['content']} -> '{key}'" for key in PUBLIC_CONTENT_KEYS)
    return (
        f"SELECT {fields}, s.{column['number']}, {build}({pairs}) "  # noqa: S608 -- no input
        f"FROM {table} c LEFT JOIN {table} s ON s.{column['id']} = c.{column['superseded_by']} "
        f"WHERE c.{column[by]} IN "
    )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # PostgreSQL answers aware datetimes; SQLite (the demo's database) naive ones in UTC.
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, dt.UTC)
    return value


def _fetch(values: list[str], *, by: str = "number") -> list[dict[str, Any]]:
    """The rows whose ``by`` (the number, or the PDF's SHA-256) is one of ``values``: one query."""
    placeholders = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(f"{_select_sql(by)}({placeholders})", values)
        rows = cursor.fetchall()
    out = []
    for row in rows:
        record = dict(zip(ROW_FIELDS, row, strict=True))
        record["public_content"] = _json(record["public_content"]) or {}
        record["status_changed_at"] = _aware(record["status_changed_at"])
        record["issued_at"] = _aware(record["issued_at"])
        for name in ("valid_from", "expires_on"):  # SQLite without type detection: ISO text
            if isinstance(record[name], str):
                record[name] = dt.date.fromisoformat(record[name])
        out.append(record)
    return out


def _rows(numbers: list[str]) -> list[dict[str, Any]]:
    """The rows of the given numbers that exist: from this process's copy where it may answer
    (``reports.livecache``: kept current by change notifications), the rest in one query.
    A number that was never issued is remembered too, until a certificate is next written."""
    if not numbers:
        return []
    copy = livecache.certificates
    if not copy.usable():
        return _fetch(numbers)
    kept = {number: copy.get(("row", number)) for number in numbers}
    missing = [number for number, row in kept.items() if row is livecache.MISSING]
    if missing:
        generation = copy.generation
        fetched = {row["number"]: row for row in _fetch(missing)}
        for number in missing:
            kept[number] = fetched.get(number)
            copy.put(("row", number), kept[number], generation)
    return [row for row in kept.values() if row is not None]


def public_certificate(row: dict[str, Any], *, today: dt.date) -> dict[str, Any]:
    """What anyone may read about a certificate, with its status as of ``today``."""
    stored = row["status"]
    status = live_status(stored, row["expires_on"], today)
    if status != stored:  # lapsed, but the hourly task has not written it yet
        changed_on = (row["expires_on"] + dt.timedelta(days=1)).isoformat()
        reason = f"validity ended on {row['expires_on'].isoformat()}"
    else:
        changed_at = row["status_changed_at"]
        changed_on = timezone.localdate(changed_at).isoformat() if changed_at else None
        reason = row["status_reason"] if status != C.VALID else ""
    issued_on = timezone.localdate(row["issued_at"]).isoformat()
    number = row["number"]
    content = row["public_content"]
    return {
        "number": number,
        "status": status,
        "status_display": str(C(status).label),
        "is_valid": status == C.VALID,
        "statement": _statement(
            status, reason=reason, changed_on=changed_on, row=row, issued_on=issued_on
        ),
        "status_changed_on": changed_on if status != C.VALID else None,
        "status_reason": reason,
        "superseded_by": row["successor"] if status == C.SUPERSEDED else None,
        **{key: content.get(key) or {} for key in PUBLIC_CONTENT_KEYS},
        "may_label_solid_state": content.get("may_label_solid_state"),
        "issued_on": issued_on,
        "valid_from": row["valid_from"].isoformat(),
        "expires_on": row["expires_on"].isoformat(),
        "pdf_sha256": row["pdf_sha256"],
        "verification_url": links.verification_url(number),
    }


# --- lookups ----------------------------------------------------------------------------------


def verify_number(raw: object) -> dict[str, Any]:
    """One certificate's public record (one query); ``MalformedNumber`` or ``NeverIssued``."""
    number = _well_formed_or_raise(raw)
    rows = _rows([number])
    if not rows:
        message = never_issued_message(number)
        raise NeverIssued(message, errors=[FieldError(message, column="number")])
    return public_certificate(rows[0], today=today())


def certificate_for_number(raw: object) -> Certificate:
    """The certificate itself (for a watchlist), with the same errors as ``verify_number``."""
    number = _well_formed_or_raise(raw)
    certificate = Certificate.objects.filter(number=number).only("pk", "number").first()
    if certificate is None:
        message = never_issued_message(number)
        raise NeverIssued(message, errors=[FieldError(message, column="number")])
    return certificate


def public_certificates(numbers: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The public records of the given (well-formed) numbers that exist, by number: one query."""
    wanted = set(numbers)
    if not wanted:
        return {}
    day = today()
    return {row["number"]: public_certificate(row, today=day) for row in _rows(sorted(wanted))}


def verify_many(raws: list[object], *, lines: list[int] | None = None) -> dict[str, Any]:
    """Answer each of up to ``BULK_MAX`` numbers, in order, with one query for all of them.

    Every entry says what became of that line: ``found`` (with the certificate and its live
    status), ``never_issued`` or ``malformed``. ``lines`` are the file's line numbers when the
    numbers come from a CSV; otherwise entries are numbered from 1. ``checked_at`` is when the
    statuses were read (local time), for whoever files the answer away (``results_csv``).
    """
    if len(raws) > BULK_MAX:
        raise InvalidInput(
            _("Send at most %(max)s numbers at once; this request has %(count)s. Split the list.")
            % {"max": f"{BULK_MAX:,}", "count": f"{len(raws):,}"}
        )
    numbers = [normalise_number(raw) for raw in raws]
    found = public_certificates(n for n in numbers if is_well_formed(n))
    results = []
    summary: dict[str, int] = {}
    for index, (raw, number) in enumerate(zip(raws, numbers, strict=True)):
        line = lines[index] if lines is not None else index + 1
        certificate = found.get(number)
        if certificate is not None:
            outcome, status, message = "found", certificate["status"], certificate["statement"]
        elif is_well_formed(number):
            outcome, status, message = "never_issued", None, never_issued_message(number)
        else:
            outcome, status, message, number = "malformed", None, malformed_message(raw), None
        summary[status or outcome] = summary.get(status or outcome, 0) + 1
        results.append(
            {
                "line": line,
                "input": raw if isinstance(raw, str) else _echo(raw),
                "number": number,
                "outcome": outcome,
                "status": status,
                "message": message,
                "certificate": certificate,
            }
        )
    checked_at = timezone.localtime().isoformat(timespec="seconds")
    return {"count": len(results), "summary": summary, "checked_at": checked_at, "results": results}


# --- CSV upload -------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise InvalidInput(_("This file is not a text file. Upload a CSV with one number a line."))
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in a Chinese locale saves CSV as GB18030
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(_("This file is not UTF-8 text. Upload a CSV with one number a line."))


def numbers_from_csv(data: bytes) -> tuple[list[str], list[int]]:
    """The numbers of a CSV upload (first column, one a line, header optional) and their lines.

    Blank lines are skipped; a first line with no digit in it is taken as a header.
    """
    if len(data) > CSV_MAX_BYTES:
        raise InvalidInput(
            _("This file is too large for a list of numbers (at most %(kb)s kB).")
            % {"kb": CSV_MAX_BYTES // 1024}
        )
    text = _decode(data)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        message = _("This file cannot be read as CSV: %(error)s") % {"error": exc}
        raise InvalidInput(message) from None
    numbers: list[str] = []
    lines: list[int] = []
    for line, row in enumerate(rows, start=1):
        cell = next((c.strip() for c in row if c.strip()), "")
        if not cell:
            continue
        if not lines and line == 1 and not any(ch.isdigit() for ch in cell):
            continue  # a header such as "number" or "证书编号"
        numbers.append(cell)
        lines.append(line)
    if not numbers:
        raise InvalidInput(_("This file has no certificate numbers in it."))
    if len(numbers) > BULK_MAX:
        raise InvalidInput(
            _("This file has %(count)s numbers; check at most %(max)s at once.")
            % {"count": f"{len(numbers):,}", "max": f"{BULK_MAX:,}"}
        )
    return numbers, lines


# --- CSV download -----------------------------------------------------------------------------


def results_csv(answer: dict[str, Any]) -> bytes:
    """The answer of ``verify_many`` as a CSV file for the records, one row per line checked.

    The header and the statement are in the active language; ``outcome`` and ``status`` are the
    API's codes (``found``, ``revoked``...), so files in either language sort and filter alike.
    UTF-8 with a byte-order mark: without it Excel in a Chinese locale reads a CSV as GB18030.
    A text cell that a spreadsheet would run as a formula gets a leading apostrophe.
    """
    chinese = (get_language() or "").startswith("zh")
    header = [
        _("Line"),
        _("Input"),
        _("Certificate number"),
        _("Outcome"),
        _("Status"),
        _("Statement"),
        _("Holder"),
        _("Product model"),
        _("Class"),
        _("Expires on"),
        _("Checked at"),
    ]
    rows = []
    for result in answer["results"]:
        certificate = result["certificate"] or {}
        product_class = certificate.get("determined_class") or {}
        row = [
            result["line"],
            result["input"],
            result["number"],
            result["outcome"],
            result["status"],
            result["message"],
            (certificate.get("holder") or {}).get("name"),
            (certificate.get("product") or {}).get("model_number"),
            product_class.get("name_zh" if chinese else "name_en"),
            certificate.get("expires_on"),
            answer["checked_at"],
        ]
        rows.append(row)
    return b"".join(csv_lines(header, rows))


def results_csv_name(answer: dict[str, Any]) -> str:
    """The download's file name: when it was checked, so files of several checks sort by date."""
    stamp = re.sub(r"[^0-9T]", "", answer["checked_at"][:19])
    return f"verification-{stamp}.csv"


# --- a certificate file someone was sent ------------------------------------------------------

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
    # Not through this process's copy of rows (``_rows``): that one is keyed by number.
    rows = _fetch([digest], by="pdf_sha256")
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
    values = {"number": certificate["number"], "status": certificate["status_display"]}
    message = (
        _(
            "This is the signed credential of certificate %(number)s: the portal's signature is "
            "intact, so nothing in it was changed. Its status now: %(status)s."
        )
        % values
    )
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
    )


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
