"""Result sheets: the numbers a lab reports, one row per sample (STANDARD.md section 6).

Pure: bytes in, frozen dataclasses out. No settings, no ORM, no file I/O. ``parse_sheet`` reads
the bytes (``readers``), checks them against the kind's columns (``validate``) and either
returns the typed rows or raises ``SheetRejected`` listing every problem (``errors``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from certification.parsers.sheets.columns import check_kind
from certification.parsers.sheets.errors import MB, ErrorLog, format_mb, reject, show
from certification.parsers.sheets.messages import (
    MSG_EMPTY,
    MSG_JSON_KIND,
    MSG_NO_ROWS,
    MSG_TOO_LARGE,
    MSG_TOO_MANY_ROWS,
)
from certification.parsers.sheets.readers import read
from certification.parsers.sheets.validate import validate


@dataclass(frozen=True)
class ParsedSheet:
    kind: str
    file_format: str  # "csv" | "xlsx" | "json"
    encoding: str | None  # "utf-8", "utf-8-sig" or "gb18030"; None for XLSX
    rows: tuple[dict, ...]
    # The line (CSV, JSON as its CSV would be) or spreadsheet row of each row, as messages name it.
    row_numbers: tuple[int, ...] = ()


def parse_sheet(
    kind: str, data: bytes, *, max_bytes: int, max_rows: int, today: date | None = None
) -> ParsedSheet:
    """Parse and validate a result sheet of ``kind`` (STANDARD.md section 6).

    Returns typed rows (``Decimal`` numbers, ``bool`` booleans, ``datetime.date`` dates, ``str``
    text, ``None`` for blank optional cells) or raises ``SheetRejected`` listing every problem.
    An upload passes ``today``: a test date after it is refused (a re-evaluation years later
    passes nothing).
    """
    check_kind(kind)
    if max_bytes <= 0 or max_rows <= 0:
        raise ValueError("max_bytes and max_rows must be positive")
    if len(data) > max_bytes:
        raise reject(MSG_TOO_LARGE, size_mb=f"{len(data) / MB:.1f}", limit_mb=format_mb(max_bytes))
    if not data.strip():
        raise reject(MSG_EMPTY)

    errors = ErrorLog()
    table = read(data, max_bytes=max_bytes, max_rows=max_rows, errors=errors)
    declared_kind = table.declared_kind
    if declared_kind is not None and declared_kind.strip().lower() != kind:
        raise reject(MSG_JSON_KIND, found=show(declared_kind), expected=kind)
    if len(table.records) > max_rows:
        raise reject(MSG_TOO_MANY_ROWS, limit=max_rows)
    if not table.records and not errors.items:
        errors.add(None, None, MSG_NO_ROWS)

    rows = validate(kind, table, errors, today)
    errors.raise_if_any()
    return ParsedSheet(
        kind=kind,
        file_format=table.file_format,
        encoding=table.encoding,
        rows=tuple(values for _row_no, values in rows),
        row_numbers=tuple(row_no for row_no, _values in rows),
    )
