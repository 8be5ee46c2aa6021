"""Public verification of certificates: selectors only, no writes.

STANDARD.md section 7: a verification answer never says "not found" for a certificate that
existed; it says "revoked on ..., because ...". A number that was never issued, and a string that
is not a certificate number at all, are told apart and said so in words.

The status shown is live: a valid or suspended certificate past its expiry date reads as expired
even before the hourly ``expire_certificates`` task has written it (``certificates_expire`` uses
the same rule: expired once today is after ``expires_on``).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
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
from django.utils.translation import gettext as _

from certification.exceptions import FieldError, InvalidInput, NotFound
from reports import livecache
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


def verification_url(number: str) -> str:
    return f"{settings.SITE_URL}/verify/{number}"


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
        "reason": reason or "—",
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
def _select_sql() -> str:
    """The one query behind every lookup, written out: the ORM spends ~2 ms compiling the
    equivalent ``annotate(KeyTransform...).values()`` on every call where this takes ~0.3 ms in
    all (bench/verify_load.py), and verification is the portal's hot path. Only the public keys
    of the frozen content are read (it also holds criteria and evidence hashes).
    Identifiers come from the model; the only value, the number, is a query parameter."""
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
        f"WHERE c.{column['number']} IN "
    )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # PostgreSQL answers aware datetimes; SQLite (the demo's database) naive ones in UTC.
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, dt.UTC)
    return value


def _fetch(numbers: list[str]) -> list[dict[str, Any]]:
    """The rows of the given numbers that exist, in one query."""
    placeholders = ", ".join(["%s"] * len(numbers))
    with connection.cursor() as cursor:
        cursor.execute(f"{_select_sql()}({placeholders})", numbers)
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
        "verification_url": verification_url(number),
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
    numbers come from a CSV; otherwise entries are numbered from 1.
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
    return {"count": len(results), "summary": summary, "results": results}


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
