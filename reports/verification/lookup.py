"""The verification hot path: one certificate's public record by its number.

``GET /api/v1/verify/<number>/`` (served ahead of most middleware by
``reports.middleware``, kept per process by ``reports.livecache``) reads through here, so this
module imports nothing it does not need for that answer: no CSV, no hashing, no signing keys.

STANDARD.md section 7: a verification answer never says "not found" for a certificate that
existed; it says "revoked on ..., because ...". A number that was never issued, and a string that
is not a certificate number at all, are told apart and said so in words.

The status shown is live: a valid or suspended certificate past its expiry date reads as expired
even before the hourly ``expire_certificates`` task has written it (``certificates_expire`` uses
the same rule: expired once today is after ``expires_on``).
"""

from __future__ import annotations

import datetime as dt
import functools
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
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from certification.exceptions import FieldError, InvalidInput, NotFound
from reports import links, livecache
from reports.models import Certificate

C = Certificate.Status

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
def _number_pattern(prefix: str) -> re.Pattern[str]:
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
    return _number_pattern(settings.CERTIFICATE_NUMBER_PREFIX).fullmatch(number) is not None


def echo(raw: object) -> str:
    text = raw if isinstance(raw, str) else repr(raw)
    text = " ".join(text.split())
    return text if len(text) <= ECHO_MAX else text[: ECHO_MAX - 1] + "…"


def malformed_message(raw: object) -> str:
    if isinstance(raw, str) and not raw.strip():
        return _("Enter a certificate number, such as %(example)s.") % {"example": example_number()}
    return _(
        "“%(given)s” is not a certificate number. Certificate numbers look like %(example)s."
    ) % {"given": echo(raw), "example": example_number()}


def never_issued_message(number: str) -> str:
    return _(
        "No certificate numbered %(number)s has ever been issued. If this number is printed on a "
        "label or in a QR code, the marking is not genuine: do not rely on it, and report it to "
        "the certification body."
    ) % {"number": number}


def never_issued_error(number: str) -> NeverIssued:
    message = never_issued_message(number)
    return NeverIssued(message, errors=[FieldError(message, column="number")])


def well_formed_or_raise(raw: object) -> str:
    """The number, normalised; ``MalformedNumber`` (with its message) if it is not one."""
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


def _parsed_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # PostgreSQL answers aware datetimes; SQLite (the demo's database) naive ones in UTC.
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, dt.UTC)
    return value


def fetch_rows(values: list[str], *, by: str = "number") -> list[dict[str, Any]]:
    """The rows whose ``by`` (the number, or the PDF's SHA-256) is one of ``values``: one query."""
    placeholders = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(f"{_select_sql(by)}({placeholders})", values)
        rows = cursor.fetchall()
    out = []
    for row in rows:
        record = dict(zip(ROW_FIELDS, row, strict=True))
        record["public_content"] = _parsed_json(record["public_content"]) or {}
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
        return fetch_rows(numbers)
    kept = {number: copy.get(("row", number)) for number in numbers}
    missing = [number for number, row in kept.items() if row is livecache.MISSING]
    if missing:
        generation = copy.generation
        fetched = {row["number"]: row for row in fetch_rows(missing)}
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
        "determined_class": _class_named_alone(content.get("determined_class") or {}),
        "may_label_solid_state": content.get("may_label_solid_state"),
        "issued_on": issued_on,
        "valid_from": row["valid_from"].isoformat(),
        "expires_on": row["expires_on"].isoformat(),
        "pdf_sha256": row["pdf_sha256"],
        "verification_url": links.verification_url(number),
    }


def _class_named_alone(determined: dict[str, Any]) -> dict[str, Any]:
    """The class as a label: its English name begins with a capital, as the portal's labels do
    ("All-solid-state battery"); the rule set writes it lowercase for use inside sentences."""
    if isinstance(determined.get("name_en"), str):
        return {**determined, "name_en": capfirst(determined["name_en"])}
    return determined


# --- lookups ----------------------------------------------------------------------------------


def verify_number(raw: object) -> dict[str, Any]:
    """One certificate's public record (one query); ``MalformedNumber`` or ``NeverIssued``."""
    number = well_formed_or_raise(raw)
    rows = _rows([number])
    if not rows:
        raise never_issued_error(number)
    return public_certificate(rows[0], today=today())


def public_certificates(numbers: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The public records of the given (well-formed) numbers that exist, by number: one query."""
    wanted = set(numbers)
    if not wanted:
        return {}
    day = today()
    return {row["number"]: public_certificate(row, today=day) for row in _rows(sorted(wanted))}
