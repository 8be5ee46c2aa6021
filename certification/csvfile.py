"""CSV files for the records (the bulk verification answer, the audit log): one way to write them.

UTF-8 with a byte-order mark, because without it Excel in a Chinese locale reads a CSV as
GB18030; RFC 4180 quoting and CRLF line ends (``csv.writer``'s defaults); and any text cell a
spreadsheet would run as a formula (OWASP, "CSV injection") starts with an apostrophe, since holder
names, reasons and echoed input are typed by people outside the certification body.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from rest_framework.renderers import BaseRenderer, JSONRenderer

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A value as a safe cell: empty for None, numbers as they are, formula-like text defused."""
    if value is None:
        return ""
    if isinstance(value, int):  # bool too: written as True/False, never a formula
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_lines(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[bytes]:
    """The file as encoded lines, the byte-order mark first: stream it, or join it for bytes.

    Rows are read one at a time, so a generator over ``QuerySet.iterator()`` never holds the
    whole file in memory.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(row: Iterable[object]) -> bytes:
        writer.writerow([csv_cell(value) for value in row])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode()

    yield BOM.encode() + line(header)
    for row in rows:
        yield line(row)


class CsvRenderer(BaseRenderer):
    """Lets a view be asked for ``text/csv`` (``Accept`` or ``?format=csv``). A view either
    renders with a subclass's ``render`` or answers with its own (streamed) file written by
    ``csv_lines``. Pair it with ``ErrorsAsJson``: errors keep the API's one JSON shape."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"


class ErrorsAsJson:
    """A view mixin: an error answer (4xx, 5xx), and the description an OPTIONS request gets,
    are JSON in the API's one shape, whatever representation the client accepted."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        renderer = getattr(response, "accepted_renderer", None)
        not_a_file = response.status_code >= 400 or request.method == "OPTIONS"
        if not_a_file and isinstance(renderer, CsvRenderer):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response
