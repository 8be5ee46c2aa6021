"""Reading a raw instrument file: a worker, not the upload request, reads it (issue 11).

A cycler export can hold millions of rows; reading it inside the upload request would hold a web
worker for minutes and time out. ``dataset_upload`` stores the file with its SHA-256 and a row
``queued``; after the commit the task ``certification.parse_dataset`` runs ``dataset_parse``,
which streams the stored file (checking its SHA-256), reports rows read and a percentage as it
goes, and records what the portal made of the file (``summary``) and what its chart draws
(``preview``). A file the parser refuses is recorded as refused with the parser's message and
line, and its stored bytes are deleted: nothing of it is evaluated or kept half-read.

Nothing is lost: the row is the hand-off, as for evaluations (``services.evaluations``). A parse
holds a lease renewed with each progress report; ``parses_sweep`` (beat, every minute) sends
again every parse still queued past the hand-off deadline or whose worker's lease lapsed.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from certification import handoff
from certification.evidence import EvidenceChanged, read_raw, verified_stream
from certification.models import Dataset
from certification.parsers.errors import RawDataRejected
from certification.services.common import audit, backoff, deadline, lease
from certification.services.rulesets import ruleset_in_force

logger = logging.getLogger(__name__)

P = Dataset.ParseStatus
OWED = (P.QUEUED, P.PARSING)
# Progress is written at most this often (seconds): each write is an UPDATE of the row.
PROGRESS_INTERVAL_S = 0.5


def parse_hand_off(*, dataset_id: int) -> bool:
    """Send the parse to the workers and record when the broker took it."""
    sent = handoff.PARSE_DATASET.send(dataset_id)
    if sent:
        Dataset.objects.filter(pk=dataset_id).update(
            parse_sent_at=timezone.now(), parse_send_count=F("parse_send_count") + 1
        )
    return sent


def stuck_parses(*, now: dt.datetime | None = None):
    """Raw files a worker should have read by now (the operations page, the sweep)."""
    now = now or timezone.now()
    return Dataset.objects.filter(
        Q(parse_status=P.QUEUED, uploaded_at__lt=now - deadline())
        | Q(parse_status=P.PARSING, parse_lease_expires_at__lt=now)
    )


def parses_sweep(*, now: dt.datetime | None = None) -> int:
    """Send again every owed parse, each once per back-off step. Returns how many were sent."""
    now = now or timezone.now()
    candidates = (
        stuck_parses(now=now)
        .only("pk", "parse_sent_at", "parse_send_count", "uploaded_at")
        .order_by("uploaded_at")[:1000]
    )
    sent = 0
    for dataset in candidates:
        if dataset.parse_sent_at and dataset.parse_sent_at >= now - backoff(
            dataset.parse_send_count
        ):
            continue
        if not parse_hand_off(dataset_id=dataset.pk):
            break  # the broker is away: the next sweep tries again
        sent += 1
    if sent:
        logger.info("sweep sent %d owed parse(s) again", sent)
    return sent


def _progress_writer(dataset_id: int, size: int) -> Callable[[int, int], None]:
    """``report(rows, bytes)``: the percentage and rows read, written at most every
    PROGRESS_INTERVAL_S; each write renews the lease."""
    last = [0.0]

    def report(rows: int, read: int) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_INTERVAL_S:
            return
        last[0] = now
        Dataset.objects.filter(pk=dataset_id, parse_status=P.PARSING).update(
            parse_rows=max(rows, 0),
            parse_progress=min(99, int(100 * read / size)) if size else 0,
            parse_lease_expires_at=timezone.now() + lease(),
        )

    return report


def _claim(dataset_id: int) -> Dataset | None:
    """Take the parse: None when it is done, refused, or another worker's lease still holds."""
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().get(pk=dataset_id)
        now = timezone.now()
        if dataset.parse_status not in OWED:
            return None
        if dataset.parse_status == P.PARSING and (
            dataset.parse_lease_expires_at is None or dataset.parse_lease_expires_at > now
        ):
            return None
        if dataset.parse_status == P.PARSING:
            logger.warning("dataset %s: parse lease lapsed, reading it again", dataset_id)
        dataset.parse_status = P.PARSING
        dataset.parse_progress = 0
        dataset.parse_rows = 0
        dataset.parse_lease_expires_at = now + lease()
        dataset.save(
            update_fields=["parse_status", "parse_progress", "parse_rows", "parse_lease_expires_at"]
        )
    return dataset


def dataset_parse(*, dataset_id: int) -> Dataset:
    """Read one stored raw file (the task ``certification.parse_dataset``). Idempotent."""
    dataset = _claim(dataset_id)
    if dataset is None:
        return Dataset.objects.get(pk=dataset_id)
    ruleset = ruleset_in_force()
    report = _progress_writer(dataset_id, dataset.size_bytes)
    try:
        with verified_stream(dataset) as stream:  # the parsers report (rows, bytes) themselves
            summary, preview = read_raw(dataset.kind, stream, ruleset=ruleset, on_rows=report)
    except RawDataRejected as exc:
        return _refuse(dataset_id, exc.message, exc.template, dict(exc.params), exc.line)
    except EvidenceChanged as exc:
        return _refuse(dataset_id, str(exc), "", {}, None)
    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=dataset_id)
        if locked.parse_status != P.PARSING:
            return locked  # another run finished first
        locked.parse_status = P.PARSED
        locked.parse_progress = 100
        locked.parse_rows = summary.get("rows_read", 0)
        locked.parse_lease_expires_at = None
        locked.parsed_at = timezone.now()
        locked.file_format = str(summary.get("format", dataset.kind))[:16]
        locked.encoding = summary.get("encoding", "")
        locked.row_count = summary.get("rows_read", 0)
        locked.summary = {**summary, "ruleset": f"{ruleset.code} v{ruleset.version}"}
        locked.preview = preview
        locked.save()
        audit(
            action="dataset.parsed",
            actor=None,
            submission=locked.submission,
            dataset=locked.pk,
            name=locked.original_name,
            rows=locked.row_count,
            format=locked.file_format,
        )
    return locked


def _refuse(
    dataset_id: int, message: str, template: str, params: dict, line: int | None
) -> Dataset:
    """Record the parser's refusal and delete the stored bytes (the row stays, to say why)."""
    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=dataset_id)
        if locked.parse_status != P.PARSING:
            return locked
        stored = locked.file.name
        locked.parse_status = P.REJECTED
        locked.parse_lease_expires_at = None
        locked.parse_error = message
        locked.parse_error_line = line
        locked.summary = {"error": {"template": template, "params": _plain(params)}}
        locked.file = ""
        locked.save()
        audit(
            action="dataset.refused",
            actor=None,
            submission=locked.submission,
            dataset=locked.pk,
            name=locked.original_name,
            reason=message,
            line=line,
        )
    if stored:  # after the commit: the row says "refused" before the bytes go
        locked.file.storage.delete(stored)
    return locked


def _plain(params: dict) -> dict:
    return {
        key: value if isinstance(value, int | float | str) else str(value)
        for key, value in params.items()
    }
