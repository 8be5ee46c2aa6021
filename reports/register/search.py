"""The register's one query: the public columns of the certificates a ``RegisterQuery`` selects,
a page of them in a whitelisted order, their number up to a cap, or all of them for a download.

It reads only the columns migration 0009 generates from the frozen content (and the number,
status and dates), never ``content`` itself: the public fields are what this SELECT names. Every
value is a query parameter; identifiers and orders come from the tables below, never from the
request. Each query runs under a time budget (``statement_timeout``, ``REGISTER_TIMEOUT_MS``): a
search that would take longer is cancelled by PostgreSQL and answered with a message, not a
stuck worker.

The status is live, as verification states it (``verification.lookup.live_status``): a valid or
suspended certificate past its expiry date is expired, in the filter as in the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.exceptions import PortalError
from reports.models import Certificate
from reports.register.params import DEPTH_MAX, RegisterQuery
from reports.verification import lookup

C = Certificate.Status
TABLE = Certificate._meta.db_table

# The register's columns, in the order rows come back.
COLUMNS = (
    "number",
    "status",
    "issued_at",
    "expires_on",
    "register_holder",
    "register_model",
    "register_name",
    "register_class",
    "register_family",
    "register_label",
)
# Sort keys (params.SORTS) -> columns; the id breaks ties so that pages never overlap. Each has
# an index in that order (migration 0009; issued: 0007's portfolio_certificate_issued).
ORDERS = {
    "issued": ("issued_at", "id"),
    "number": ("number",),
    "holder": ("register_holder", "id"),
    "model": ("register_model", "id"),
    "expires": ("expires_on", "id"),
}
# Matches are counted up to this many: counting every match of a common word would read each
# of them (the trigram index narrows, the rows are checked), tens of thousands for "cell".
COUNT_CAP = 1000
# How long one register query may run on PostgreSQL before it is cancelled.
DEFAULT_TIMEOUT_MS = 3000


class SearchTimedOut(PortalError):
    code = "search_timeout"
    http_status = 503


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    count: int  # rows matching, counted up to COUNT_CAP
    capped: bool  # more rows match than were counted
    query: RegisterQuery

    @property
    def pages(self) -> int | None:
        """How many pages the list has; None when it is longer than the count reaches."""
        if self.capped:
            return None
        return max(1, -(-self.count // self.query.page_size))

    @property
    def has_next(self) -> bool:
        query = self.query
        if self.capped:  # the count stopped: go on while pages come full, to the depth
            full = len(self.rows) == query.page_size
            return full and query.page < DEPTH_MAX // query.page_size
        return query.page < (self.pages or 0)

    @property
    def has_previous(self) -> bool:
        return self.query.page > 1


def escape_like(word: str) -> str:
    """``word`` as a LIKE pattern matching itself (backslash is PostgreSQL's escape)."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone()
    )


def where(query: RegisterQuery, *, today: dt.date) -> tuple[str, list[object]]:
    """The WHERE clause (``TRUE`` when nothing narrows) and its parameters."""
    conditions: list[str] = []
    params: list[object] = []
    for word in query.words:
        # pg_trgm's GIN index answers ILIKE with the word's trigrams.
        conditions.append("register_text ILIKE %s")
        params.append(f"%{escape_like(word)}%")
    for word in query.short_words:
        # Too short for a trigram: checked on the rows the other words found.
        conditions.append("strpos(lower(register_text), lower(%s)) > 0")
        params.append(word)
    for column, value in (
        ("register_class", query.determined_class),
        ("register_family", query.family),
    ):
        if value:
            conditions.append(f"{column} = %s")
            params.append(value)
    if query.label is not None:
        conditions.append("register_label = %s")
        params.append(query.label)
    if query.status:
        condition, values = _status_condition(query.status, today)
        conditions.append(condition)
        params.extend(values)
    if query.issued_from:
        conditions.append("issued_at >= %s")
        params.append(start_of(query.issued_from))
    if query.issued_to:
        conditions.append("issued_at < %s")
        params.append(start_of(query.issued_to + dt.timedelta(days=1)))
    return " AND ".join(conditions) or "TRUE", params


def _status_condition(status: str, today: dt.date) -> tuple[str, list[object]]:
    lapsing = (C.VALID, C.SUSPENDED)
    if status in lapsing:
        return "(status = %s AND expires_on >= %s)", [status, today]
    if status == C.EXPIRED:
        return "(status = %s OR (status IN (%s, %s) AND expires_on < %s))", [
            status,
            *lapsing,
            today,
        ]
    return "status = %s", [status]


def order_by(sort: str) -> str:
    descending = sort.startswith("-")
    columns = ORDERS[sort.lstrip("-")]
    direction = " DESC" if descending else ""
    return ", ".join(f"{column}{direction}" for column in columns)


def page_sql(query: RegisterQuery, *, today: dt.date) -> tuple[str, list[object]]:
    condition, params = where(query, today=today)
    sql = (
        f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE {condition} "  # noqa: S608 -- no input
        f"ORDER BY {order_by(query.sort)} LIMIT %s OFFSET %s"
    )
    return sql, [*params, query.page_size, query.offset]


def count_sql(query: RegisterQuery, *, today: dt.date, cap: int) -> tuple[str, list[object]]:
    """How many rows match, counting no further than ``cap`` + 1."""
    condition, params = where(query, today=today)
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {condition} LIMIT %s) AS m"  # noqa: S608
    return sql, [*params, cap + 1]


def timeout_ms() -> int:
    return int(getattr(settings, "REGISTER_TIMEOUT_MS", DEFAULT_TIMEOUT_MS))


@contextmanager
def time_budget(query: RegisterQuery | None = None):
    """A transaction whose statements PostgreSQL cancels after ``timeout_ms()``; a cancelled one
    becomes ``SearchTimedOut`` (a 503 in words).

    For a search by words the planner is also told not to read the whole table
    (``enable_seqscan``): the trigram index can always answer, and on a small table or with
    stale statistics PostgreSQL would otherwise scan every row for a common word."""
    settings_ = {"statement_timeout": f"{timeout_ms()}ms"}
    if query is not None and query.words:
        settings_["enable_seqscan"] = "off"
    try:
        with transaction.atomic():
            before = _set_locally(settings_)
            yield
            # Inside a caller's transaction (tests) the settings would outlive the search.
            _set_locally(before)
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == "57014":  # query_canceled
            raise SearchTimedOut(
                _(
                    "The register could not answer this search in time. Narrow it: more "
                    "letters of the name or model number, or a filter."
                )
            ) from exc
        raise


def _set_locally(values: dict[str, str]) -> dict[str, str]:
    """Set PostgreSQL settings for the rest of the transaction; return what they were."""
    names = list(values)
    selects = ", ".join("current_setting(%s), set_config(%s, %s, true)" for _name in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {selects}",  # noqa: S608 -- placeholders only
            [value for name in names for value in (name, name, values[name])],
        )
        row = cursor.fetchone()
    return {name: row[2 * i] for i, name in enumerate(names)}


def _fetch(sql: str, params: list[object]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def search(query: RegisterQuery, *, count_cap: int | None = None) -> Page:
    """One page of the register and how many rows match (up to ``count_cap``, ``COUNT_CAP``)."""
    count_cap = COUNT_CAP if count_cap is None else count_cap
    today = lookup.today()
    with time_budget(query):
        rows = _fetch(*page_sql(query, today=today))
        if len(rows) < query.page_size and (rows or query.page == 1):
            count = query.offset + len(rows)  # the last page: no need to count
        else:
            count = _fetch(*count_sql(query, today=today, cap=count_cap))[0][0]
    return Page(
        rows=[as_row(row, today) for row in rows],
        count=min(count, count_cap),
        capped=count > count_cap,
        query=query,
    )


def count(query: RegisterQuery, *, cap: int) -> int:
    """Rows matching, up to ``cap`` + 1 (so more than ``cap`` says the list is longer)."""
    today = lookup.today()
    with time_budget(query):
        return _fetch(*count_sql(query, today=today, cap=cap))[0][0]


def iterate(query: RegisterQuery, *, limit: int, chunk: int = 1000) -> Iterator[dict[str, Any]]:
    """Up to ``limit`` rows in the query's order, read through a server-side cursor ``chunk``
    rows at a time, each under the time budget."""
    today = lookup.today()
    condition, params = where(query, today=today)
    sql = (
        f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE {condition} "  # noqa: S608 -- no input
        f"ORDER BY {order_by(query.sort)} LIMIT %s"
    )
    with time_budget(query):
        cursor = connection.chunked_cursor()
        try:
            cursor.execute(sql, [*params, limit])
            while batch := cursor.fetchmany(chunk):
                for row in batch:
                    yield as_row(row, today)
        finally:
            cursor.close()


def as_row(row: tuple, today: dt.date) -> dict[str, Any]:
    record = dict(zip(COLUMNS, row, strict=True))
    record["status"] = lookup.live_status(record["status"], record["expires_on"], today)
    return record
