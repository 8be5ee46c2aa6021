"""The register's current filtered list as a file, CSV or JSON, written while it is sent.

At most ``ANONYMOUS_ROWS`` (10,000) rows for anyone not signed in and ``SIGNED_IN_ROWS`` for a
signed-in user, in the list's order; when the list is longer the file holds the first rows and
the answer says so in the header ``X-Register-Truncated: true`` (``X-Register-Row-Limit``
gives the cap). The rows come through a server-side cursor a thousand at a time, so the web
worker holds one chunk, never the file. CSV is the project's one way of writing one
(``certification.csvfile``: UTF-8 with a byte-order mark, cells a spreadsheet would run as a
formula defused), its header in the reader's language; JSON is an array of the API's row
objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone, translation

from certification.csvfile import csv_lines
from reports.register import public, search
from reports.register.params import RegisterQuery

ANONYMOUS_ROWS = 10_000
SIGNED_IN_ROWS = 100_000
CHUNK = 1000
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def row_cap(user) -> int:
    return SIGNED_IN_ROWS if user is not None and user.is_authenticated else ANONYMOUS_ROWS


def _rows(query: RegisterQuery, limit: int) -> Iterator[dict]:
    for row in search.iterate(query, limit=limit, chunk=CHUNK):
        yield public.public_row(row)


def csv_chunks(query: RegisterQuery, limit: int) -> Iterator[bytes]:
    header = [str(title) for _key, title in public.FIELDS]
    lines = csv_lines(header, ([row[key] for key in public.KEYS] for row in _rows(query, limit)))
    batch: list[bytes] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= CHUNK:
            yield b"".join(batch)
            batch = []
    if batch:
        yield b"".join(batch)


def json_chunks(query: RegisterQuery, limit: int) -> Iterator[bytes]:
    yield b"["
    batch: list[str] = []
    first = True
    for row in _rows(query, limit):
        text = json.dumps(row, ensure_ascii=False)
        batch.append(text if first else "," + text)
        first = False
        if len(batch) >= CHUNK:
            yield "\n".join(batch).encode()
            batch = []
    if batch:
        yield "\n".join(batch).encode()
    yield b"]\n"


def export_response(query: RegisterQuery, file_format: str, *, user) -> StreamingHttpResponse:
    """The list as a download. Whether it is longer than the cap is counted first (up to the
    cap, under the time budget), so a refused search is a 4xx/503 before any byte is sent."""
    cap = row_cap(user)
    truncated = search.count(query, cap=cap) > cap
    language = translation.get_language()
    write = csv_chunks if file_format == "csv" else json_chunks

    def chunks():
        # Written after the view has returned: keep the request's language for the header.
        with translation.override(language):
            yield from write(query, cap)

    stamp = timezone.localtime().strftime("%Y%m%dT%H%M%S")
    response = StreamingHttpResponse(chunks(), content_type=FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="register-{stamp}.{file_format}"'
    response["Cache-Control"] = "no-store"
    response["X-Register-Row-Limit"] = str(cap)
    response["X-Register-Truncated"] = "true" if truncated else "false"
    return response
