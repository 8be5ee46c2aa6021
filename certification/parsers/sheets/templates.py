"""Sheet templates to download: the header and one example row of a kind, as CSV, XLSX or JSON.

Each template parses back into its example row. With the rule set in force, the CSV and XLSX
templates state what a lab must know before it tests (``conditions``): the test conditions and
sample counts, and the values the yes/no and choice columns accept. The CSV carries them as
comment lines before the header ("# ..."; the reader skips those), the XLSX on a second
worksheet, beside a third that documents the columns (the reader reads the first worksheet only).
Headers are the English column names, or the Chinese headers (``columns.HEADERS_ZH``); the
words are put into the reader's language by ``translate`` (Django's ``gettext``).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal

import openpyxl
from openpyxl.styles import Alignment, Font

from certification.parsers.sheets.columns import COLUMNS, HEADERS_ZH, SheetColumn, check_kind
from certification.parsers.sheets.conditions import Translate, instruction_lines, untranslated
from certification.parsers.sheets.readers import COMMENT
from certification.parsers.sheets.values import convert
from certification.rules import RuleSetData
from certification.vocabulary import gettext_noop

FILE_FORMATS = ("csv", "xlsx", "json")

_INSTRUCTIONS = gettext_noop("Instructions")
_COLUMNS = gettext_noop("Columns")
_GUIDE_HEADER = (gettext_noop("column"), gettext_noop("required"), gettext_noop("description"))
_YES, _NO = gettext_noop("yes"), gettext_noop("no")


def sheet_template(
    kind: str,
    file_format: str = "csv",
    *,
    rules: RuleSetData | None = None,
    translate: Translate = untranslated,
    chinese_headers: bool = False,
) -> bytes:
    """A template for ``kind``: the header and one example row, as CSV, XLSX or JSON bytes.

    CSV and XLSX also state the accepted values and, given ``rules``, the test conditions. JSON
    (for programs) keeps the English keys and carries no notes; JSON has no comments.
    """
    check_kind(kind)
    columns = COLUMNS[kind]
    headers = [HEADERS_ZH[c.name] if chinese_headers else c.name for c in columns]
    notes = instruction_lines(rules, kind, translate, chinese_headers=chinese_headers)
    if file_format == "csv":
        buffer = io.StringIO(newline="")
        for line in notes:
            # A note never holds a double quote or a line break, so the reader sees it as one
            # row whose first cell starts with "#" however many commas it has.
            text = " ".join(line.replace('"', "'").split())
            buffer.write(f"{COMMENT} {text}\r\n")
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerow([column.example for column in columns])
        # With a byte-order mark, spreadsheet programs open the UTF-8 (°C, ±, 是/否) correctly.
        return buffer.getvalue().encode("utf-8-sig")
    if file_format == "json":
        example = {column.name: _json_example(column) for column in columns}
        document = {"kind": kind, "rows": [example]}
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if file_format == "xlsx":
        return _xlsx_template(kind, columns, headers, notes, translate)
    raise ValueError(f"unknown template format {file_format!r}; expected one of {FILE_FORMATS}")


def _json_example(column: SheetColumn) -> object:
    value = convert(column, column.example)
    if isinstance(value, Decimal):
        # The example values are short decimals, which float prints back unchanged.
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _xlsx_template(
    kind: str,
    columns: tuple[SheetColumn, ...],
    headers: list[str],
    notes: list[str],
    translate: Translate,
) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = kind
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, (column, header) in enumerate(zip(columns, headers, strict=True), start=1):
        cell = sheet.cell(row=2, column=index)
        value = convert(column, column.example)
        if isinstance(value, Decimal | datetime.date):
            cell.value = value
            if isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
        else:
            cell.value = column.example  # booleans as "no", so labs see the accepted words
        letter = cell.column_letter
        # A Chinese character is about two columns wide.
        width = sum(2 if ord(char) > 0x2E80 else 1 for char in header)
        sheet.column_dimensions[letter].width = max(12, width + 2)

    # The reader reads the first worksheet only: the notes and the column guide follow it.
    instructions = workbook.create_sheet(_sheet_title(translate(_INSTRUCTIONS)))
    for line in notes:
        instructions.append([line])
        instructions.cell(row=instructions.max_row, column=1).alignment = Alignment(wrap_text=True)
    instructions.column_dimensions["A"].width = 120

    guide = workbook.create_sheet(_sheet_title(translate(_COLUMNS)))
    guide.append([translate(word) for word in _GUIDE_HEADER])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column, header in zip(columns, headers, strict=True):
        required = translate(_YES) if column.required else translate(_NO)
        guide.append([header, required, translate(column.description)])
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["C"].width = 80

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(text: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return "".join(" " if char in "[]:*?/\\" else char for char in text)[:31] or "-"
