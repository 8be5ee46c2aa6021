"""The audit log as a hash chain: the canonical form of an event, its hash, and the walk that
checks a whole chain (docs/AUDIT.md).

Every event stores ``seq`` (1, 2, 3 ... without gaps), ``prev_hash`` (the previous event's
``hash``; 64 zeros for the first) and ``hash``: the SHA-256 of the event's canonical form, which
holds its content and ``prev_hash``. Changing, removing or reordering any event therefore breaks
the link at that event or the next one; rewriting the whole chain after it changes the head hash,
which the signed checkpoints (``reports.audit_checkpoints``) pin down.

The canonical form (version 1) is the JSON object below, serialised with sorted keys, no
whitespace, UTF-8 without escaping non-ASCII, integral numbers as integers and other numbers in
the shortest form that reads back as the same double (Python's ``repr``)::

    {"action", "actor", "after", "at", "before", "detail", "object_id", "object_type",
     "organisation", "prev", "product", "reason", "seq", "submission", "v": 1}

``at`` is UTC with six fractional digits and a ``Z`` (``2026-12-05T15:25:10.123456Z``); ids are
integers or null. Everything but ``stream_rows`` and ``head`` is pure: values in, values out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

VERSION = 1
GENESIS = "0" * 64
# The key of the PostgreSQL advisory lock that serialises appends (pg_advisory_xact_lock): any
# fixed 64-bit number nobody else uses; this one is "SSB audit" in hex-ish letters.
LOCK_KEY = 0x55B_A0D17
TABLE = "certification_auditevent"
# The columns a walk reads, in this order (``at`` already in the canonical text: see AT_SQL).
AT_SQL = """to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
COLUMNS = (
    "id, seq, prev_hash, hash, " + AT_SQL + ", actor_id, actor_organisation_id, action, "
    "submission_id, product_id, object_type, object_id, before::text, after::text, reason, "
    "detail::text"
)


# --- the canonical form -----------------------------------------------------------------------


def plain(value: Any) -> Any:
    """``value`` as the JSON the database gives back: integral floats as ints, Decimals and
    dates as text, tuples as lists, keys as text. Anything else is refused (TypeError)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise TypeError("NaN and infinity have no JSON form")
        return int(value) if value.is_integer() else value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return instant(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    raise TypeError(f"{type(value).__name__} is not a plain JSON value")


def instant(value: dt.datetime) -> str:
    """A moment as the canonical form writes it: UTC, microseconds, ``Z``."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: audit times are timezone-aware")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(content: Mapping[str, Any]) -> bytes:
    """The canonical bytes of an event's content (the keys of ``CONTENT_KEYS``)."""
    missing = CONTENT_KEYS - content.keys()
    if missing:
        raise ValueError(f"an audit event's content lacks {sorted(missing)}")
    body = {key: content[key] for key in CONTENT_KEYS}
    body["v"] = VERSION
    return _encode(plain(body)).encode("utf-8")


# One encoder, built once (json.dumps with options builds one per call): sorted keys, no
# whitespace, UTF-8 text as it is, floats as repr (the shortest that reads back the same).
_encode = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode


CONTENT_KEYS = frozenset(
    {
        "seq",
        "prev",
        "at",
        "actor",
        "organisation",
        "action",
        "submission",
        "product",
        "object_type",
        "object_id",
        "before",
        "after",
        "reason",
        "detail",
    }
)


def event_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def content_of_event(event: Any) -> dict[str, Any]:
    """The content of an ``AuditEvent`` (saved or about to be)."""
    return {
        "seq": event.seq,
        "prev": event.prev_hash,
        "at": instant(event.at),
        "actor": event.actor_id,
        "organisation": event.actor_organisation_id,
        "action": event.action,
        "submission": event.submission_id,
        "product": event.product_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "detail": event.detail,
    }


def content_of_row(row: tuple) -> dict[str, Any]:
    """The content of one row as ``stream_rows`` reads it (``COLUMNS`` order)."""
    (_id, seq, prev, _hash, at, actor, org, action, sub, product, otype, oid, before, after,
     reason, detail) = row  # fmt: skip
    return {
        "seq": seq,
        "prev": prev,
        "at": at,
        "actor": actor,
        "organisation": org,
        "action": action,
        "submission": sub,
        "product": product,
        "object_type": otype,
        "object_id": oid,
        "before": None if before is None else json.loads(before),
        "after": None if after is None else json.loads(after),
        "reason": reason,
        "detail": json.loads(detail),
    }


def _row_hash(row: tuple) -> str:
    """``event_hash(content_of_row(row))`` without ``plain``: what the database gives back is
    plain JSON already (a stored ``2.0`` where ``audit`` wrote ``2`` is a changed row, and shows
    as one). The walk's hot path: about two thirds of its time went to ``plain``."""
    body = content_of_row(row)
    body["v"] = VERSION
    return hashlib.sha256(_encode(body).encode("utf-8")).hexdigest()


# --- the walk ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """The first broken link: where (the row as found at that place of the walk) and what."""

    kind: str  # missing | repeated | reordered | not_chained | content_changed | checkpoint
    seq: int
    event_id: int | None
    message: str


@dataclass
class Verdict:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    broken: Break | None = None
    checkpoints_matched: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken is None


def walk(
    rows: Iterable[tuple],
    *,
    expected: Mapping[int, str] | None = None,
    owner_of_hash: Callable[[str], tuple[int, int] | None] = lambda h: None,
) -> Verdict:
    """Check a chain given as rows in ``seq`` order (``COLUMNS``); stop at the first break.

    ``expected`` maps a seq to the head hash a checkpoint signed for it; ``owner_of_hash``
    finds (id, seq) of the event whose hash a broken link names, to tell a reorder from a
    forged link.
    """
    expected = dict(expected or {})
    verdict = Verdict()
    prev = GENESIS
    want = 1
    for row in rows:
        event_id, seq, stored = row[0], row[1], row[3]
        broken = _link_break(row, want=want, prev=prev, owner_of_hash=owner_of_hash)
        if broken is None and _row_hash(row) != stored:
            broken = Break(
                "content_changed",
                seq,
                event_id,
                f"event {event_id} (seq {seq}): its content no longer gives its stored hash "
                "(a field was changed after it was written)",
            )
        if broken is None and seq in expected and expected[seq] != stored:
            broken = Break(
                "checkpoint",
                seq,
                event_id,
                f"event {event_id} (seq {seq}): the checkpoint signed head hash "
                f"{expected[seq]} for {seq} events, the log now gives {stored} (the history "
                "up to it was rewritten)",
            )
        if broken is not None:
            verdict.broken = broken
            return verdict
        if seq in expected:
            verdict.checkpoints_matched.append(seq)
        verdict.checked += 1
        verdict.head_seq, verdict.head_hash, prev, want = seq, stored, stored, seq + 1
    beyond = sorted(s for s in expected if s >= want)
    if beyond:
        verdict.broken = Break(
            "missing",
            want,
            None,
            f"the log ends at seq {want - 1}, but a checkpoint signed {beyond[-1]} events: "
            f"events {want} to {beyond[-1]} were removed",
        )
    return verdict


def _link_break(row, *, want: int, prev: str, owner_of_hash) -> Break | None:
    event_id, seq, prev_hash = row[0], row[1], row[2]
    if seq > want:
        gap = f"seq {want}" if seq == want + 1 else f"seq {want} to {seq - 1}"
        return Break(
            "missing",
            want,
            event_id,
            f"{gap} missing: the event after seq {want - 1} is event {event_id} (seq {seq})",
        )
    if seq < want:
        return Break(
            "repeated", seq, event_id, f"event {event_id} repeats seq {seq} (expected {want})"
        )
    if prev_hash == prev:
        return None
    owner = owner_of_hash(prev_hash)
    if owner is not None:
        return Break(
            "reordered",
            seq,
            event_id,
            f"event {event_id} (seq {seq}) follows event {owner[0]}, which is now at seq "
            f"{owner[1]}, not seq {seq - 1}: rows were reordered",
        )
    return Break(
        "not_chained",
        seq,
        event_id,
        f"event {event_id} (seq {seq}): its previous hash {prev_hash} is not the hash of seq "
        f"{seq - 1} ({prev}): the link was forged or the event before it changed",
    )


# --- reading the table (PostgreSQL) -----------------------------------------------------------

BATCH = 5000


def stream_rows(*, upto: int | None = None, batch: int = BATCH) -> Iterator[tuple]:
    """Every event in ``seq`` order (up to ``upto``), read ``batch`` at a time through a
    server-side cursor: a walk of any length holds one batch in memory. Call it inside a
    transaction (a named cursor lives in one)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield from _rows_through_orm(upto)
        return
    where = "" if upto is None else f" WHERE seq <= {int(upto)}"
    with connection.chunked_cursor() as cursor:
        cursor.itersize = batch  # psycopg names the fetch size so
        cursor.execute(f"SELECT {COLUMNS} FROM {TABLE}{where} ORDER BY seq")  # noqa: S608
        while rows := cursor.fetchmany(batch):
            yield from rows


def _rows_through_orm(upto: int | None) -> Iterator[tuple]:
    """The same rows on another database (SQLite in development): slower, same values."""
    from certification.models import AuditEvent

    events = AuditEvent.objects.order_by("seq")
    if upto is not None:
        events = events.filter(seq__lte=upto)
    for e in events.iterator(chunk_size=BATCH):
        c = content_of_event(e)
        yield (
            e.pk, e.seq, e.prev_hash, e.hash, c["at"], e.actor_id, e.actor_organisation_id,
            e.action, e.submission_id, e.product_id, e.object_type, e.object_id,
            None if e.before is None else json.dumps(e.before),
            None if e.after is None else json.dumps(e.after),
            e.reason, json.dumps(e.detail),
        )  # fmt: skip


def owner_of_hash(digest: str) -> tuple[int, int] | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, seq FROM {TABLE} WHERE hash = %s LIMIT 1", [digest])  # noqa: S608
        found = cursor.fetchone()
    return (found[0], found[1]) if found else None


def head() -> tuple[int, str]:
    """(seq, hash) of the last event, (0, GENESIS) for an empty log."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM {TABLE} ORDER BY seq DESC LIMIT 1")  # noqa: S608
        found = cursor.fetchone()
    return (found[0], found[1]) if found else (0, GENESIS)


def verify(*, expected: Mapping[int, str] | None = None, batch: int = BATCH) -> Verdict:
    """Walk the whole table as one query sees it (a single snapshot of committed events)."""
    from django.db import transaction

    with transaction.atomic():
        return walk(stream_rows(batch=batch), expected=expected, owner_of_hash=owner_of_hash)
