"""Any filtered portfolio list as a file, CSV or JSON, written while it is sent.

The rows come from one query read through a server-side cursor (``QuerySet.iterator`` with a
chunk size: PostgreSQL hands over ``EXPORT_CHUNK`` rows at a time), are formatted one by one and
leave as they are made, so 100,000 rows go out in the memory of a few thousand. CSV is the
project's one way of writing it (``certification.csvfile``: UTF-8 with a byte-order mark,
formula-like cells defused); JSON is an array of objects, keys as in the API.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone, translation

from certification.csvfile import csv_lines
from reports.portfolio.selectors import EXPORT_CHUNK, Listing

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _plain(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _tuples(listing: Listing, queryset: QuerySet) -> Iterator[tuple]:
    for row in listing.rows(queryset).iterator(chunk_size=EXPORT_CHUNK):
        yield tuple(_plain(value) for value in row)


def json_chunks(listing: Listing, queryset: QuerySet) -> Iterator[bytes]:
    """A JSON array of the rows as objects, sent in pieces of about ``EXPORT_CHUNK`` rows."""
    keys = listing.keys()
    yield b"["
    first = True
    batch: list[str] = []
    for row in _tuples(listing, queryset):
        text = json.dumps(dict(zip(keys, row, strict=True)), ensure_ascii=False)
        batch.append(text if first else "," + text)
        first = False
        if len(batch) >= EXPORT_CHUNK:
            yield "\n".join(batch).encode()
            batch = []
    if batch:
        yield "\n".join(batch).encode()
    yield b"]\n"


def csv_chunks(listing: Listing, queryset: QuerySet) -> Iterator[bytes]:
    header = [str(c.label) for c in listing.columns]
    batch: list[bytes] = []
    for line in csv_lines(header, _tuples(listing, queryset)):
        batch.append(line)
        if len(batch) >= EXPORT_CHUNK:
            yield b"".join(batch)
            batch = []
    if batch:
        yield b"".join(batch)


def export_response(
    listing: Listing, queryset: QuerySet, file_format: str
) -> StreamingHttpResponse:
    """The filtered list as a download; nothing is read before the first chunk is asked for."""
    language = translation.get_language()
    write = csv_chunks if file_format == "csv" else json_chunks

    def chunks():
        # Written after the view has returned: keep the request's language for the header.
        with translation.override(language):
            yield from write(listing, queryset)

    stamp = timezone.localtime().strftime("%Y%m%dT%H%M%S")
    response = StreamingHttpResponse(chunks(), content_type=FORMATS[file_format])
    name = f"portfolio-{listing.name}-{stamp}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
