"""Reading a result sheet's bytes into a header and records, whatever the format.

The format (CSV in UTF-8 or GB18030, XLSX, JSON) is sniffed from the bytes, never from a file
name; other files (PDF, images, old .xls, UTF-16 text, other ZIP archives) are refused with a
message that says what they are. Every reader yields the same shape (``Table``), so one
validator serves all formats.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import openpyxl

from certification.parsers.sheets.columns import normalise_name
from certification.parsers.sheets.errors import ErrorLog, SheetRejected, format_mb, reject, show
from certification.parsers.sheets.messages import (
    MSG_BAD_CSV,
    MSG_BAD_ENCODING,
    MSG_BAD_JSON,
    MSG_DUPLICATE_KEY,
    MSG_EMPTY,
    MSG_IMAGE,
    MSG_JSON_SHAPE,
    MSG_JSON_TOP_KEY,
    MSG_NESTED_VALUE,
    MSG_NOT_A_SHEET,
    MSG_NOT_AN_OBJECT,
    MSG_OLD_XLS,
    MSG_PDF,
    MSG_UTF16,
    MSG_XLSX_UNREADABLE,
    MSG_ZIP_NOT_XLSX,
    MSG_ZIP_TOO_BIG,
)

# An XLSX is a zip: its declared uncompressed size may be at most this multiple of max_bytes.
# zipfile never inflates a member beyond its declared size, so checking the directory is enough.
ZIP_EXPANSION_FACTOR = 20

# Each reader returns the header (its row number and raw names) and the non-blank data records as
# (row number, cells). A cell is a string, or None when the reader already reported it as invalid.
Cells = list[str | None]


@dataclass
class Table:
    file_format: str
    encoding: str | None
    header_row: int
    header: list[str]
    records: list[tuple[int, Cells]]
    declared_kind: str | None = None  # JSON only: the file's own "kind"


_BINARY_MAGIC = (
    (b"%PDF", MSG_PDF),
    (b"\x89PNG", MSG_IMAGE),
    (b"\xff\xd8\xff", MSG_IMAGE),
    (b"GIF8", MSG_IMAGE),
    (b"\xd0\xcf\x11\xe0", MSG_OLD_XLS),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# Lines before the header that start with this are comments (see ``_is_comment``).
COMMENT = "#"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read(data: bytes, *, max_bytes: int, max_rows: int, errors: ErrorLog) -> Table:
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, max_bytes=max_bytes, max_rows=max_rows)
    for magic, template in _BINARY_MAGIC:
        if data.startswith(magic):
            raise reject(template)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise reject(MSG_UTF16)
    if b"\x00" in data:
        raise reject(MSG_NOT_A_SHEET)
    text, encoding = _decode(data)
    if _CONTROL_CHARS.search(text):
        raise reject(MSG_NOT_A_SHEET)
    stripped = text.lstrip()
    if not stripped:
        raise reject(MSG_EMPTY)
    # No CSV header can begin with "[" or "{", so a file that does is JSON, and a broken one gets
    # the JSON parser's message rather than a confusing "unknown column".
    if stripped[0] in "[{":
        return _read_json(text, encoding, max_rows=max_rows, errors=errors)
    return _read_csv(text, encoding, max_rows=max_rows)


def _decode(data: bytes) -> tuple[str, str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise reject(MSG_BAD_ENCODING) from None


def is_blank(cells: Iterable[str | None]) -> bool:
    return all(cell is None or not cell.strip() for cell in cells)


def _is_comment(first_cell: str | None) -> bool:
    """A line before the header whose first cell starts with "#" is a note for people (the
    templates state the test conditions and the allowed values so); no column name starts so."""
    return first_cell is not None and first_cell.lstrip().lstrip("\ufeff").startswith(COMMENT)


def _detect_delimiter(text: str) -> str:
    """The delimiter used most in the header line (column names never contain one)."""
    for line in io.StringIO(text):
        if line.strip() and not _is_comment(line):
            counts = {delimiter: line.count(delimiter) for delimiter in (",", ";", "\t")}
            best = max(counts, key=counts.__getitem__)
            return best if counts[best] else ","
    return ","


def _split_header(
    rows: Iterator[tuple[int, Cells]], max_rows: int
) -> tuple[int, Cells, list[tuple[int, Cells]]]:
    """The first non-blank row that is no comment is the header; keep at most max_rows + 1
    non-blank records. Rows keep their numbers, so comments count like any line."""
    header_row, header = 0, []
    records: list[tuple[int, Cells]] = []
    for row_no, cells in rows:
        if is_blank(cells):
            continue
        if not header_row:
            if not _is_comment(cells[0]):
                header_row, header = row_no, cells
            continue
        records.append((row_no, cells))
        if len(records) > max_rows:
            break
    return header_row, header, records


def _read_csv(text: str, encoding: str, *, max_rows: int) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_detect_delimiter(text))
    try:
        header_row, header, records = _split_header(enumerate(reader, start=1), max_rows)
    except csv.Error as exc:
        raise reject(MSG_BAD_CSV, detail=exc) from None
    if not header_row:
        raise reject(MSG_EMPTY)
    return Table("csv", encoding, header_row, [h or "" for h in header], records)


def _xlsx_cell(value: object) -> str:
    """An XLSX cell as the text a lab would have typed, so all formats share one validator."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, float):
        # repr gives the shortest text that round-trips, so a cell showing 9.95 stays 9.95.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes, *, max_bytes: int, max_rows: int) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise reject(MSG_NOT_A_SHEET) from None
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise reject(MSG_ZIP_NOT_XLSX)
    limit = ZIP_EXPANSION_FACTOR * max_bytes
    if sum(member.file_size for member in members) > limit:
        raise reject(MSG_ZIP_TOO_BIG, limit_mb=format_mb(limit))

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; they do not matter here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                if not workbook.worksheets:
                    raise reject(MSG_EMPTY)
                sheet = workbook.worksheets[0]
                # Some writers declare a wrong sheet size; read what is really there.
                sheet.reset_dimensions()
                rows = (
                    (row_no, [_xlsx_cell(value) for value in values])
                    for row_no, values in enumerate(sheet.iter_rows(values_only=True), start=1)
                )
                header_row, header, records = _split_header(rows, max_rows)
            finally:
                workbook.close()
    except SheetRejected:
        raise
    except Exception:  # a damaged workbook can fail in zipfile, XML or openpyxl code alike
        raise reject(MSG_XLSX_UNREADABLE) from None
    if not header_row:
        raise reject(MSG_EMPTY)
    return Table("xlsx", None, header_row, [h or "" for h in header], records)


class _JsonObject(list):
    """A JSON object kept as its (key, value) pairs, so repeated keys can be reported."""


def _read_json(text: str, encoding: str, *, max_rows: int, errors: ErrorLog) -> Table:
    try:
        # Numbers stay as their text (no float rounding); NaN/Infinity arrive as text and are
        # rejected by the number check like any other non-number.
        document = json.loads(
            text,
            object_pairs_hook=_JsonObject,
            parse_float=str,
            parse_int=str,
            parse_constant=str,
        )
    except json.JSONDecodeError as exc:
        raise reject(MSG_BAD_JSON, detail=exc.msg, line=exc.lineno, col=exc.colno) from None
    except RecursionError:
        raise reject(MSG_JSON_SHAPE) from None

    declared_kind = None
    if isinstance(document, _JsonObject):
        top = dict(document)
        for key in top:
            if key not in ("kind", "rows"):
                raise reject(MSG_JSON_TOP_KEY, key=show(key))
        records = top.get("rows")
        declared_kind = top.get("kind")
        if declared_kind is not None and not isinstance(declared_kind, str):
            raise reject(MSG_JSON_SHAPE)
    else:
        records = document
    if not isinstance(records, list) or isinstance(records, _JsonObject):
        raise reject(MSG_JSON_SHAPE)

    header: list[str] = []
    positions: dict[str, int] = {}
    objects: list[tuple[int, dict[str, str | None]]] = []
    for position, record in enumerate(records, start=1):
        row_no = position + 1  # matches the CSV of the same data: header = 1
        if not isinstance(record, _JsonObject):
            errors.add(row_no, None, MSG_NOT_AN_OBJECT, position=position)
            continue
        values: dict[str, str | None] = {}
        for key, value in record:
            name = normalise_name(key)
            if name in values:
                errors.add(row_no, name, MSG_DUPLICATE_KEY, column=show(key))
                continue
            if name not in positions:
                positions[name] = len(header)
                header.append(key)
            if isinstance(value, list):  # a list or an object (_JsonObject is a list)
                errors.add(row_no, name, MSG_NESTED_VALUE, column=show(key))
                values[name] = None
            else:
                values[name] = _json_cell(value)
        if is_blank(values.values()) and None not in values.values():
            continue
        objects.append((row_no, values))
        if len(objects) > max_rows:
            break

    width = len(header)
    table_records: list[tuple[int, Cells]] = []
    for row_no, values in objects:
        cells: Cells = [""] * width
        for name, value in values.items():
            if name in positions:
                cells[positions[name]] = value
        table_records.append((row_no, cells))
    return Table("json", encoding, 1, header, table_records, declared_kind)


def _json_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
