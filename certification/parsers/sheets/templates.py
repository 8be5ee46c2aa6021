"""Sheet templates to download: the header and one example row of a kind, as CSV, XLSX or JSON.

Each template parses back into its example row; the XLSX one documents the columns on a second
worksheet (the parser reads the first only).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal

import openpyxl
from openpyxl.styles import Font

from certification.parsers.sheets.columns import COLUMNS, SheetColumn, check_kind
from certification.parsers.sheets.values import convert

FILE_FORMATS = ("csv", "xlsx", "json")


def sheet_template(kind: str, file_format: str = "csv") -> bytes:
    """A template for ``kind``: the header and one example row, as CSV, XLSX or JSON bytes."""
    check_kind(kind)
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
    value = convert(column, column.example)
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
        value = convert(column, column.example)
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
