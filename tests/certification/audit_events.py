"""Audit events for tests: written at the head of the chain as ``services.audit`` writes them
(the table refuses anything else), and a test's way to start from an empty log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection

from certification.models import AuditEvent
from certification.services.common import append_events


def add_event(*, at: dt.datetime | None = None, **fields) -> AuditEvent:
    """One event with ``AuditEvent``'s fields, chained; ``at`` when it must be another day."""
    return append_events([AuditEvent(**fields)], at=at)[0]


def add_events(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    return append_events(list(events))


def empty_log() -> None:
    """Remove every event inside this test's transaction (rolled back after it): the trigger
    that refuses deletes is off for this one statement (PostgreSQL's replica role)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table}")  # noqa: S608
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
