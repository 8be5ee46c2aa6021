"""Result sheets: the numbers a lab reports, one row per sample (STANDARD.md section 6).

Pure: bytes in, frozen dataclasses out. No settings, no ORM, no file I/O. The format (CSV, XLSX or
JSON) is sniffed from the bytes, never from a file name. Every problem in a sheet is collected (up
to ``ERROR_CAP``) and raised together as ``SheetRejected``, so a lab fixes a file in one round.

Message templates are marked with ``gettext_noop`` (a local marker, see below) where they are
defined; ``CellError`` carries the rendered English message plus the template and its parameters,
so the Django layer can translate with ``gettext(error.template) % dict(error.params)``.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Literal

import openpyxl
from openpyxl.styles import Font

SHEET_KINDS = ("weight_loss", "electrolyte_content", "energy_density", "safety")
SAFETY_TESTS = (
    "nail_penetration",
    "crush",
    "heating",
    "immersion",
    "overcharge",
    "overdischarge",
    "external_short",
    "temperature_cycling",
    "fast_charge_short",
)
FILE_FORMATS = ("csv", "xlsx", "json")


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation without translating it.

    Django's own ``gettext_noop`` reads settings when called, which a pure module must not do.
    ``makemessages`` (xgettext) finds strings by this function name, so marking works the same.
    """
    return message


# At most this many errors are listed; the rest are summed up in one final "and N more" entry.
ERROR_CAP = 200
# An XLSX is a zip: its declared uncompressed size may be at most this multiple of max_bytes.
# zipfile never inflates a member beyond its declared size, so checking the directory is enough.
ZIP_EXPANSION_FACTOR = 20

_MB = 1024 * 1024
_ABSOLUTE_ZERO_C = Decimal("-273.15")
_ZERO = Decimal(0)

ColumnType = Literal["text", "decimal", "boolean", "date", "choice"]


# --- message templates --------------------------------------------------------------------------
# File-level problems (row None, column None).
MSG_TOO_LARGE = gettext_noop("The file is %(size_mb)s MB; the limit is %(limit_mb)s MB.")
MSG_EMPTY = gettext_noop("The file is empty.")
MSG_NOT_A_SHEET = gettext_noop("This is not a CSV, XLSX or JSON file.")
MSG_PDF = gettext_noop("This is a PDF document, not a CSV, XLSX or JSON file.")
MSG_IMAGE = gettext_noop("This is an image, not a CSV, XLSX or JSON file.")
MSG_OLD_XLS = gettext_noop(
    "This is an old Excel .xls workbook, not a CSV, XLSX or JSON file; save it as .xlsx or CSV."
)
MSG_ZIP_NOT_XLSX = gettext_noop(
    "This is a ZIP archive but not an XLSX workbook, so not a CSV, XLSX or JSON file."
)
MSG_UTF16 = gettext_noop("This text file is in UTF-16; save it as CSV in UTF-8 or GB18030.")
MSG_BAD_ENCODING = gettext_noop(
    "The text is neither UTF-8 nor GB18030, so this is not a readable CSV file; "
    "save it as CSV in UTF-8."
)
MSG_ZIP_TOO_BIG = gettext_noop(
    "The workbook would expand to more than %(limit_mb)s MB when opened; it is refused as unsafe."
)
MSG_XLSX_UNREADABLE = gettext_noop(
    "The XLSX workbook could not be read; open it in a spreadsheet program and save it again."
)
MSG_BAD_JSON = gettext_noop(
    "The file is not valid JSON: %(detail)s (line %(line)s, column %(col)s)."
)
MSG_JSON_SHAPE = gettext_noop(
    'A JSON sheet must be a list of objects, or an object with a "rows" list '
    'and optionally a "kind".'
)
MSG_JSON_TOP_KEY = gettext_noop(
    'The JSON object has an unexpected key "%(key)s"; only "kind" and "rows" are allowed.'
)
MSG_JSON_KIND = gettext_noop(
    'The file is for kind "%(found)s" but was uploaded as a "%(expected)s" sheet.'
)
MSG_NO_ROWS = gettext_noop("The sheet has no sample rows.")
MSG_TOO_MANY_ROWS = gettext_noop(
    "The sheet has more than %(limit)s sample rows; split it into several files."
)
MSG_BAD_CSV = gettext_noop("The file could not be read as CSV: %(detail)s.")
MSG_MORE = gettext_noop("… and %(count)s more errors.")

# Header problems (row = the header's row, normally 1).
MSG_MISSING_COLUMN = gettext_noop("Required column %(column)s is missing.")
MSG_UNKNOWN_COLUMN = gettext_noop(
    'Unknown column "%(column)s"; a %(kind)s sheet has the columns: %(expected)s.'
)
MSG_DUPLICATE_COLUMN = gettext_noop("Column %(column)s appears more than once.")
MSG_HEADERLESS_VALUES = gettext_noop(
    "There are values in column %(position)s, which has no header; name the column or clear it."
)

# Row and cell problems.
MSG_TOO_MANY_VALUES = gettext_noop(
    "This row has %(count)s values but the header has only %(columns)s columns."
)
MSG_NOT_AN_OBJECT = gettext_noop("Record %(position)s is not a JSON object.")
MSG_NESTED_VALUE = gettext_noop("%(column)s must be a single value, not a list or an object.")
MSG_DUPLICATE_KEY = gettext_noop("Key %(column)s appears more than once in this record.")
MSG_BLANK = gettext_noop("%(column)s is required but blank.")
MSG_NOT_A_NUMBER = gettext_noop(
    "%(column)s (%(value)s) is not a number; write digits with a point as the decimal "
    "separator and no thousands separators."
)
MSG_NOT_FINITE = gettext_noop("%(column)s (%(value)s) must be a finite number.")
MSG_BELOW_MIN = gettext_noop("%(column)s (%(value)s) must be at least %(limit)s.")
MSG_NOT_ABOVE_MIN = gettext_noop("%(column)s (%(value)s) must be greater than %(limit)s.")
MSG_ABOVE_MAX = gettext_noop("%(column)s (%(value)s) must be at most %(limit)s.")
MSG_NOT_BOOLEAN = gettext_noop(
    "%(column)s (%(value)s) is not a yes/no value; use yes/no, true/false, 1/0, y/n or 是/否."
)
MSG_NOT_A_DATE = gettext_noop("%(column)s (%(value)s) is not a date in the form YYYY-MM-DD.")
MSG_IMPOSSIBLE_DATE = gettext_noop("%(column)s (%(value)s) is not a real calendar date.")
MSG_NOT_A_CHOICE = gettext_noop("%(column)s (%(value)s) is not one of: %(choices)s.")
MSG_TOO_LONG = gettext_noop("%(column)s is longer than %(limit)s characters.")
MSG_MASS_AFTER_GREATER = gettext_noop(
    "mass_after_g (%(after)s) is greater than mass_before_g (%(before)s)."
)
MSG_DUPLICATE_SAMPLE = gettext_noop(
    "Sample %(sample_id)s appears more than once; it was first given in row %(first_row)s."
)
MSG_DUPLICATE_SAFETY_SAMPLE = gettext_noop(
    "Sample %(sample_id)s appears more than once for test %(test)s; "
    "it was first given in row %(first_row)s."
)


# --- public types -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    """One problem in a sheet. ``row`` is the row a spreadsheet shows (header = 1)."""

    row: int | None
    column: str | None
    message: str
    # For translation by the Django layer; not part of equality.
    template: str = field(default="", compare=False)
    params: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class SheetRejected(ValueError):
    """The sheet cannot be accepted; ``errors`` lists every problem found (capped)."""

    def __init__(self, errors: Iterable[CellError]) -> None:
        self.errors = tuple(errors)
        first = self.errors[0].message if self.errors else "rejected"
        more = f" (+{len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(f"{first}{more}")


@dataclass(frozen=True)
class ParsedSheet:
    kind: str
    file_format: str  # "csv" | "xlsx" | "json"
    encoding: str | None  # "utf-8", "utf-8-sig" or "gb18030"; None for XLSX
    rows: tuple[dict, ...]


@dataclass(frozen=True)
class SheetColumn:
    """One column of a result sheet: what it holds and what a value must satisfy."""

    name: str
    type: ColumnType
    required: bool
    description: str  # short English sentence, marked for translation
    example: str  # the value written in the templates' example row
    min_value: Decimal | None = None
    min_exclusive: bool = False  # True: value must be > min_value; False: >= min_value
    max_value: Decimal | None = None
    choices: tuple[str, ...] = ()
    max_length: int | None = None


def _sample_id() -> SheetColumn:
    return SheetColumn(
        "sample_id",
        "text",
        True,
        gettext_noop("Identifier of the cell sample, as written on the lab's test record."),
        "EXAMPLE-001",
        max_length=100,
    )


def _test_date() -> SheetColumn:
    return SheetColumn(
        "test_date",
        "date",
        True,
        gettext_noop("Date the test was performed, as YYYY-MM-DD."),
        "2026-07-01",
    )


def _temperature(description: str, example: str, *, required: bool = True) -> SheetColumn:
    return SheetColumn(
        "temperature_c" if required else "max_temperature_c",
        "decimal",
        required,
        description,
        example,
        min_value=_ABSOLUTE_ZERO_C,
    )


COLUMNS: Mapping[str, tuple[SheetColumn, ...]] = MappingProxyType(
    {
        "weight_loss": (
            _sample_id(),
            SheetColumn(
                "mass_before_g",
                "decimal",
                True,
                gettext_noop("Cell mass before vacuum drying (M0), in grams."),
                "10.00",
                min_value=_ZERO,
                min_exclusive=True,
            ),
            SheetColumn(
                "mass_after_g",
                "decimal",
                True,
                gettext_noop(
                    "Cell mass after vacuum drying (M1), in grams; not more than mass_before_g."
                ),
                "9.98",
                min_value=_ZERO,
            ),
            _temperature(gettext_noop("Chamber temperature during drying, in °C."), "120.0"),
            SheetColumn(
                "duration_h",
                "decimal",
                True,
                gettext_noop("Time held at temperature under vacuum, in hours."),
                "6.0",
                min_value=_ZERO,
            ),
            SheetColumn(
                "pressure_pa",
                "decimal",
                True,
                gettext_noop("Absolute chamber pressure during drying, in pascals."),
                "500",
                min_value=_ZERO,
            ),
            SheetColumn(
                "leakage",
                "boolean",
                True,
                gettext_noop("Whether liquid was seen seeping from the breached cell (yes/no)."),
                "no",
            ),
            SheetColumn(
                "balance_resolution_g",
                "decimal",
                True,
                gettext_noop("Resolution of the balance used for weighing, in grams."),
                "0.01",
                min_value=_ZERO,
                # A resolution of 0 g is impossible and would pass any "0.01 g or better" check.
                min_exclusive=True,
            ),
            _test_date(),
        ),
        "electrolyte_content": (
            _sample_id(),
            SheetColumn(
                "liquid_electrolyte_pct",
                "decimal",
                True,
                gettext_noop(
                    "Measured mass fraction of liquid electrolyte in the cell, in percent."
                ),
                "3.2",
                min_value=_ZERO,
                max_value=Decimal(100),
            ),
            _test_date(),
        ),
        "energy_density": (
            _sample_id(),
            SheetColumn(
                "discharge_energy_wh",
                "decimal",
                True,
                gettext_noop("Energy delivered discharging at 1 I3 from full charge, in Wh."),
                "52.5",
                min_value=_ZERO,
            ),
            SheetColumn(
                "cell_mass_g",
                "decimal",
                True,
                gettext_noop("Mass of the cell, in grams."),
                "100.0",
                min_value=_ZERO,
                min_exclusive=True,
            ),
            _temperature(gettext_noop("Ambient temperature during the discharge, in °C."), "25.0"),
            SheetColumn(
                "discharge_current_a",
                "decimal",
                True,
                gettext_noop("Magnitude of the discharge current, in amperes (a positive number)."),
                "3.5",
                min_value=_ZERO,
            ),
            _test_date(),
        ),
        "safety": (
            _sample_id(),
            SheetColumn(
                "test",
                "choice",
                True,
                gettext_noop("Abuse test performed, one of the listed test names."),
                "nail_penetration",
                choices=SAFETY_TESTS,
            ),
            SheetColumn(
                "fire",
                "boolean",
                True,
                gettext_noop("Whether the cell caught fire, including the observation period."),
                "no",
            ),
            SheetColumn(
                "explosion",
                "boolean",
                True,
                gettext_noop("Whether the cell exploded, including the observation period."),
                "no",
            ),
            _test_date(),
            _temperature(
                gettext_noop("Highest cell surface temperature recorded, in °C (optional)."),
                "68.5",
                required=False,
            ),
            SheetColumn(
                "notes",
                "text",
                False,
                gettext_noop("Free-text observations (optional)."),
                "no smoke; observed for 1 h",
                max_length=2000,
            ),
        ),
    }
)


# --- errors -------------------------------------------------------------------------------------


class _Invalid(Exception):
    """Raised by a converter for a bad cell; never escapes this module."""

    def __init__(self, template: str, **params: object) -> None:
        super().__init__(template)
        self.template = template
        self.params = params


def _error(row: int | None, column: str | None, template: str, /, **params: object) -> CellError:
    str_params = {key: str(value) for key, value in params.items()}
    return CellError(
        row=row,
        column=column,
        message=template % str_params,
        template=template,
        params=tuple(str_params.items()),
    )


class _ErrorLog:
    def __init__(self) -> None:
        self.items: list[CellError] = []
        self.dropped = 0

    def add(self, row: int | None, column: str | None, template: str, /, **params: object) -> None:
        if len(self.items) < ERROR_CAP:
            self.items.append(_error(row, column, template, **params))
        else:
            self.dropped += 1

    def raise_if_any(self) -> None:
        if not self.items:
            return
        errors = list(self.items)
        if self.dropped:
            errors.append(_error(None, None, MSG_MORE, count=self.dropped))
        raise SheetRejected(errors)


def _reject(template: str, /, **params: object) -> SheetRejected:
    return SheetRejected([_error(None, None, template, **params)])


def _show(raw: str) -> str:
    """A user's value as quoted back in a message, cut short so a message stays a sentence."""
    return raw if len(raw) <= 40 else raw[:39] + "…"


def _format_mb(n_bytes: int) -> str:
    megabytes = n_bytes / _MB
    return f"{megabytes:.0f}" if megabytes >= 100 else f"{megabytes:.3g}"


# --- format sniffing and reading ----------------------------------------------------------------

# Each reader returns the header (its row number and raw names) and the non-blank data records as
# (row number, cells). A cell is a string, or None when the reader already reported it as invalid.
Cells = list[str | None]


@dataclass
class _Table:
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
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _read(data: bytes, *, max_bytes: int, max_rows: int, errors: _ErrorLog) -> _Table:
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, max_bytes=max_bytes, max_rows=max_rows)
    for magic, template in _BINARY_MAGIC:
        if data.startswith(magic):
            raise _reject(template)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _reject(MSG_UTF16)
    if b"\x00" in data:
        raise _reject(MSG_NOT_A_SHEET)
    text, encoding = _decode(data)
    if _CONTROL_CHARS.search(text):
        raise _reject(MSG_NOT_A_SHEET)
    stripped = text.lstrip()
    if not stripped:
        raise _reject(MSG_EMPTY)
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
        raise _reject(MSG_BAD_ENCODING) from None


def _is_blank(cells: Iterable[str | None]) -> bool:
    return all(cell is None or not cell.strip() for cell in cells)


def _detect_delimiter(text: str) -> str:
    """The delimiter used most in the header line (column names never contain one)."""
    for line in io.StringIO(text):
        if line.strip():
            counts = {delimiter: line.count(delimiter) for delimiter in (",", ";", "\t")}
            best = max(counts, key=counts.__getitem__)
            return best if counts[best] else ","
    return ","


def _split_header(
    rows: Iterator[tuple[int, Cells]], max_rows: int
) -> tuple[int, Cells, list[tuple[int, Cells]]]:
    """The first non-blank row is the header; keep at most max_rows + 1 non-blank records."""
    header_row, header = 0, []
    records: list[tuple[int, Cells]] = []
    for row_no, cells in rows:
        if _is_blank(cells):
            continue
        if not header_row:
            header_row, header = row_no, cells
            continue
        records.append((row_no, cells))
        if len(records) > max_rows:
            break
    return header_row, header, records


def _read_csv(text: str, encoding: str, *, max_rows: int) -> _Table:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_detect_delimiter(text))
    try:
        header_row, header, records = _split_header(enumerate(reader, start=1), max_rows)
    except csv.Error as exc:
        raise _reject(MSG_BAD_CSV, detail=exc) from None
    if not header_row:
        raise _reject(MSG_EMPTY)
    return _Table("csv", encoding, header_row, [h or "" for h in header], records)


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


def _read_xlsx(data: bytes, *, max_bytes: int, max_rows: int) -> _Table:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _reject(MSG_NOT_A_SHEET) from None
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise _reject(MSG_ZIP_NOT_XLSX)
    limit = ZIP_EXPANSION_FACTOR * max_bytes
    if sum(member.file_size for member in members) > limit:
        raise _reject(MSG_ZIP_TOO_BIG, limit_mb=_format_mb(limit))

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; they do not matter here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                if not workbook.worksheets:
                    raise _reject(MSG_EMPTY)
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
        raise _reject(MSG_XLSX_UNREADABLE) from None
    if not header_row:
        raise _reject(MSG_EMPTY)
    return _Table("xlsx", None, header_row, [h or "" for h in header], records)


class _JsonObject(list):
    """A JSON object kept as its (key, value) pairs, so repeated keys can be reported."""


def _read_json(text: str, encoding: str, *, max_rows: int, errors: _ErrorLog) -> _Table:
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
        raise _reject(MSG_BAD_JSON, detail=exc.msg, line=exc.lineno, col=exc.colno) from None
    except RecursionError:
        raise _reject(MSG_JSON_SHAPE) from None

    declared_kind = None
    if isinstance(document, _JsonObject):
        top = dict(document)
        for key in top:
            if key not in ("kind", "rows"):
                raise _reject(MSG_JSON_TOP_KEY, key=_show(key))
        records = top.get("rows")
        declared_kind = top.get("kind")
        if declared_kind is not None and not isinstance(declared_kind, str):
            raise _reject(MSG_JSON_SHAPE)
    else:
        records = document
    if not isinstance(records, list) or isinstance(records, _JsonObject):
        raise _reject(MSG_JSON_SHAPE)

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
            name = _normalise_name(key)
            if name in values:
                errors.add(row_no, name, MSG_DUPLICATE_KEY, column=_show(key))
                continue
            if name not in positions:
                positions[name] = len(header)
                header.append(key)
            if isinstance(value, list):  # a list or an object (_JsonObject is a list)
                errors.add(row_no, name, MSG_NESTED_VALUE, column=_show(key))
                values[name] = None
            else:
                values[name] = _json_cell(value)
        if _is_blank(values.values()) and None not in values.values():
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
    return _Table("json", encoding, 1, header, table_records, declared_kind)


def _json_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- validation ---------------------------------------------------------------------------------

# ASCII digits only: Decimal() would also take full-width or Arabic-Indic digits.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?", re.ASCII)
_NON_FINITE = {"nan", "snan", "inf", "infinity"}
_BOOLEANS = {
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "y": True,
    "n": False,
    "是": True,
    "否": False,
}
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{4})/(\d{1,2})/(\d{1,2})", re.ASCII)


def _normalise_name(raw: str) -> str:
    return raw.strip().lstrip("\ufeff").strip().lower()


def _to_decimal(column: SheetColumn, raw: str) -> Decimal:
    if len(raw) > 40 or not _NUMBER.fullmatch(raw):
        if raw.lstrip("+-").lower() in _NON_FINITE:
            raise _Invalid(MSG_NOT_FINITE)
        raise _Invalid(MSG_NOT_A_NUMBER)
    try:
        value = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
        raise _Invalid(MSG_NOT_A_NUMBER) from None
    low, high = column.min_value, column.max_value
    if low is not None:
        if column.min_exclusive and value <= low:
            raise _Invalid(MSG_NOT_ABOVE_MIN, limit=low)
        if not column.min_exclusive and value < low:
            raise _Invalid(MSG_BELOW_MIN, limit=low)
    if high is not None and value > high:
        raise _Invalid(MSG_ABOVE_MAX, limit=high)
    return value


def _to_bool(column: SheetColumn, raw: str) -> bool:
    try:
        return _BOOLEANS[raw.lower()]
    except KeyError:
        raise _Invalid(MSG_NOT_BOOLEAN) from None


def _to_date(column: SheetColumn, raw: str) -> datetime.date:
    match = _DATE.fullmatch(raw)
    if not match:
        raise _Invalid(MSG_NOT_A_DATE)
    year, month, day = (int(part) for part in match.groups() if part is not None)
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise _Invalid(MSG_IMPOSSIBLE_DATE) from None


def _to_text(column: SheetColumn, raw: str) -> str:
    if column.max_length is not None and len(raw) > column.max_length:
        raise _Invalid(MSG_TOO_LONG, limit=column.max_length)
    return raw


def _to_choice(column: SheetColumn, raw: str) -> str:
    value = raw.lower().replace(" ", "_").replace("-", "_")
    if value not in column.choices:
        raise _Invalid(MSG_NOT_A_CHOICE, choices=", ".join(column.choices))
    return value


_CONVERTERS = {
    "decimal": _to_decimal,
    "boolean": _to_bool,
    "date": _to_date,
    "text": _to_text,
    "choice": _to_choice,
}


def _convert(column: SheetColumn, raw: str) -> object:
    return _CONVERTERS[column.type](column, raw)


def _map_header(kind: str, table: _Table, errors: _ErrorLog) -> dict[int, SheetColumn]:
    by_name = {column.name: column for column in COLUMNS[kind]}
    mapping: dict[int, SheetColumn] = {}
    seen: set[str] = set()
    for index, raw in enumerate(table.header):
        name = _normalise_name(raw)
        if not name:
            continue  # a column without a header is an error only if it holds values
        if name in seen:
            errors.add(table.header_row, name, MSG_DUPLICATE_COLUMN, column=name)
        elif name not in by_name:
            errors.add(
                table.header_row,
                _show(raw.strip().lstrip("\ufeff")),
                MSG_UNKNOWN_COLUMN,
                column=_show(raw.strip().lstrip("\ufeff")),
                kind=kind,
                expected=", ".join(by_name),
            )
        else:
            mapping[index] = by_name[name]
        seen.add(name)
    # A JSON sheet without records has no header at all; "no sample rows" says it better.
    for column in COLUMNS[kind] if table.header else ():
        if column.required and column.name not in seen:
            errors.add(table.header_row, column.name, MSG_MISSING_COLUMN, column=column.name)
    return mapping


def _check_row(kind: str, row_no: int, values: dict, raws: dict, errors: _ErrorLog) -> bool:
    """Checks that involve more than one cell of a row. Returns False when one fails."""
    if kind == "weight_loss":
        before, after = values.get("mass_before_g"), values.get("mass_after_g")
        if before is not None and after is not None and after > before:
            errors.add(
                row_no,
                "mass_after_g",
                MSG_MASS_AFTER_GREATER,
                after=_show(raws["mass_after_g"]),
                before=_show(raws["mass_before_g"]),
            )
            return False
    return True


def _validate(kind: str, table: _Table, errors: _ErrorLog) -> list[dict]:
    mapping = _map_header(kind, table, errors)
    columns = COLUMNS[kind]
    width = len(table.header)
    headerless = [i for i, raw in enumerate(table.header) if not _normalise_name(raw)]
    headerless_reported: set[int] = set()
    first_seen: dict[tuple[str, ...], int] = {}
    rows: list[dict] = []

    for row_no, cells in table.records:
        row_ok = True
        extra = cells[width:]
        if not _is_blank(extra):
            errors.add(row_no, None, MSG_TOO_MANY_VALUES, count=len(cells), columns=width)
            row_ok = False
        for index in headerless:
            if index not in headerless_reported and index < len(cells):
                cell = cells[index]
                if cell is not None and cell.strip():
                    headerless_reported.add(index)
                    errors.add(row_no, None, MSG_HEADERLESS_VALUES, position=index + 1)

        values: dict[str, object] = {column.name: None for column in columns}
        raws: dict[str, str] = {}
        for index, column in mapping.items():
            cell = cells[index] if index < len(cells) else ""
            if cell is None:  # already reported by the reader
                row_ok = False
                continue
            raw = cell.strip()
            if not raw:
                if column.required:
                    errors.add(row_no, column.name, MSG_BLANK, column=column.name)
                    row_ok = False
                continue
            try:
                values[column.name] = _convert(column, raw)
            except _Invalid as problem:
                errors.add(
                    row_no,
                    column.name,
                    problem.template,
                    column=column.name,
                    value=_show(raw),
                    **problem.params,
                )
                row_ok = False
                continue
            raws[column.name] = raw

        row_ok = _check_row(kind, row_no, values, raws, errors) and row_ok

        sample_id = values.get("sample_id")
        if isinstance(sample_id, str):
            # Case-insensitive: "s1" and "S1" on one sheet are almost surely the same cell.
            key: tuple[str, ...] = (sample_id.casefold(),)
            test = values.get("test")
            if kind == "safety":
                key = (str(test), *key) if isinstance(test, str) else ()
            if key and key in first_seen:
                if kind == "safety":
                    errors.add(
                        row_no,
                        "sample_id",
                        MSG_DUPLICATE_SAFETY_SAMPLE,
                        sample_id=_show(sample_id),
                        test=test,
                        first_row=first_seen[key],
                    )
                else:
                    errors.add(
                        row_no,
                        "sample_id",
                        MSG_DUPLICATE_SAMPLE,
                        sample_id=_show(sample_id),
                        first_row=first_seen[key],
                    )
                row_ok = False
            elif key:
                first_seen[key] = row_no
        if row_ok:
            rows.append(values)
    return rows


# --- public functions ---------------------------------------------------------------------------


def _check_kind(kind: str) -> None:
    if kind not in SHEET_KINDS:
        raise ValueError(f"unknown sheet kind {kind!r}; expected one of {SHEET_KINDS}")


def parse_sheet(kind: str, data: bytes, *, max_bytes: int, max_rows: int) -> ParsedSheet:
    """Parse and validate a result sheet of ``kind`` (STANDARD.md section 6).

    Returns typed rows (``Decimal`` numbers, ``bool`` booleans, ``datetime.date`` dates, ``str``
    text, ``None`` for blank optional cells) or raises ``SheetRejected`` listing every problem.
    """
    _check_kind(kind)
    if max_bytes <= 0 or max_rows <= 0:
        raise ValueError("max_bytes and max_rows must be positive")
    if len(data) > max_bytes:
        raise _reject(
            MSG_TOO_LARGE, size_mb=f"{len(data) / _MB:.1f}", limit_mb=_format_mb(max_bytes)
        )
    if not data.strip():
        raise _reject(MSG_EMPTY)

    errors = _ErrorLog()
    table = _read(data, max_bytes=max_bytes, max_rows=max_rows, errors=errors)
    declared_kind = table.declared_kind
    if declared_kind is not None and declared_kind.strip().lower() != kind:
        raise _reject(MSG_JSON_KIND, found=_show(declared_kind), expected=kind)
    if len(table.records) > max_rows:
        raise _reject(MSG_TOO_MANY_ROWS, limit=max_rows)
    if not table.records and not errors.items:
        errors.add(None, None, MSG_NO_ROWS)

    rows = _validate(kind, table, errors)
    errors.raise_if_any()
    return ParsedSheet(
        kind=kind,
        file_format=table.file_format,
        encoding=table.encoding,
        rows=tuple(rows),
    )


def sheet_template(kind: str, file_format: str = "csv") -> bytes:
    """A template for ``kind``: the header and one example row, as CSV, XLSX or JSON bytes."""
    _check_kind(kind)
    columns = COLUMNS[kind]
    if file_format == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow([column.name for column in columns])
        writer.writerow([column.example for column in columns])
        return buffer.getvalue().encode("utf-8")
    if file_format == "json":
        example = {column.name: _json_example(column) for column in columns}
        document = {"kind": kind, "rows": [example]}
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if file_format == "xlsx":
        return _xlsx_template(kind, columns)
    raise ValueError(f"unknown template format {file_format!r}; expected one of {FILE_FORMATS}")


def _json_example(column: SheetColumn) -> object:
    value = _convert(column, column.example)
    if isinstance(value, Decimal):
        # The example values are short decimals, which float prints back unchanged.
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _xlsx_template(kind: str, columns: tuple[SheetColumn, ...]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = kind
    sheet.append([column.name for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=2, column=index)
        value = _convert(column, column.example)
        if isinstance(value, Decimal | datetime.date):
            cell.value = value
            if isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
        else:
            cell.value = column.example  # booleans as "no", so labs see the accepted words
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(12, len(column.name) + 2)

    # A second sheet documents the columns; the parser reads the first worksheet only.
    guide = workbook.create_sheet("columns")
    guide.append(["column", "required", "description"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column in columns:
        guide.append([column.name, "yes" if column.required else "no", column.description])
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["C"].width = 80

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
