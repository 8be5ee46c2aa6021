"""Cycler exports saved as .xlsx workbooks (Neware BTSDA's "record" sheet, Arbin's channel
sheets), read with openpyxl (MIT) in read-only mode: the sheet's rows stream from the container,
which has passed ``zipguard`` first (and openpyxl parses its XML with defusedxml when installed).

The first sheet whose header row (within its first ``MAX_HEADER_ROWS`` rows) one vendor family
recognises is read, with that vendor's columns and units (``detect``, ``plan``). Cells are
numbers, text, or what Excel's number format makes of a number: a time of day or a duration
(Neware writes its times as day fractions) become seconds; a date and time becomes seconds on one
scale. A step type decides the current's sign, as in the vendor's CSV export. A cell that is no
value rejects the file naming its sheet, row and column.
"""

from __future__ import annotations

import datetime
import math
import zipfile
from collections.abc import Iterator
from typing import Any, BinaryIO

import numpy as np

from certification.parsers.cycler.checks import check_main_discharge
from certification.parsers.cycler.columnar import Progress, summarise_columns
from certification.parsers.cycler.columns import Layout, column
from certification.parsers.cycler.detect import LOOKED_FOR, identify
from certification.parsers.cycler.messages import MSG_XLSX_BAD, MSG_XLSX_CELL, MSG_XLSX_NO_SHEET
from certification.parsers.cycler.plan import Plan, plan_columns
from certification.parsers.cycler.summary import CyclerSummary
from certification.parsers.cycler.values import parse_duration, state_sign
from certification.parsers.errors import RawDataRejected

FORMATS = {"neware": "neware_xlsx", "arbin": "arbin_xlsx"}
FORMAT = "xlsx"  # a workbook before its header is found, or of another vendor family
MAX_HEADER_ROWS = 50
_EPOCH = datetime.datetime(1970, 1, 1)
_DAY = 86400.0


def summarise(
    stream: BinaryIO, *, progress: Progress | None = None, max_duration_s: float | None = None
) -> CyclerSummary:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise RawDataRejected(
            MSG_XLSX_BAD, {"detail": " ".join(str(exc).split())[:200]}, file_format=FORMAT
        ) from None
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            found = _header(rows)
            if found is None:
                continue
            layout, header_row = found
            fmt = FORMATS.get(layout.vendor.key, FORMAT)
            try:
                plan = plan_columns(layout)
            except RawDataRejected as exc:  # a missing column or an unknown unit
                exc.file_format = exc.file_format or fmt
                raise
            time_s, voltage_v, current_a, step = _columns(rows, plan, sheet.title, header_row, fmt)
            summary = summarise_columns(
                time_s,
                voltage_v,
                current_a,
                step,
                file_format=fmt,
                progress=progress,
                max_duration_s=max_duration_s,
            )
            return check_main_discharge(summary)
    finally:
        workbook.close()
    raise RawDataRejected(
        MSG_XLSX_NO_SHEET,
        {
            "sheets": ", ".join(f'"{name}"' for name in workbook.sheetnames),
            "lines": MAX_HEADER_ROWS,
            "looked_for": LOOKED_FOR,
        },
        file_format=FORMAT,
    )


def _header(rows: Iterator[tuple[Any, ...]]) -> tuple[Layout, int] | None:
    """The header of a sheet and its row number; the next row read is the first data row."""
    for number, row in enumerate(rows, start=1):
        if number > MAX_HEADER_ROWS:
            return None
        labels = ["" if cell is None else str(cell) for cell in row]
        if sum(1 for label in labels if label.strip()) < 2:
            continue
        columns = [column(k, label) for k, label in enumerate(labels)]
        vendor = identify(columns)
        if vendor is not None:
            return Layout(vendor, "", number, columns), number
    return None


def _columns(
    rows: Iterator[tuple[Any, ...]], plan: Plan, sheet: str, header_row: int, fmt: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Time (s), voltage (V), current (A, the step type's sign) and step of each data row."""
    ti, vi, ii = plan.time.index, plan.voltage.index, plan.current.index
    si = plan.step.index if plan.step is not None else None
    sti = plan.state.index if plan.state is not None else None
    times: list[float] = []
    volts: list[float] = []
    amps: list[float] = []
    steps: list[str] = []
    signs: dict[str, int] = {}
    for number, row in enumerate(rows, start=header_row + 1):
        if not any(cell is not None and cell != "" for cell in row):
            continue  # a blank row
        t = _seconds(_cell(row, ti), plan.time_factor)
        v = _number(_cell(row, vi), plan.voltage_factor)
        i = _number(_cell(row, ii), plan.current_factor)
        for value, index, label in (
            (t, ti, plan.time),
            (v, vi, plan.voltage),
            (i, ii, plan.current),
        ):
            if value is None:
                raise RawDataRejected(
                    MSG_XLSX_CELL,
                    {
                        "sheet": sheet,
                        "line": number,
                        "column": label.label,
                        "value": str(_cell(row, index) or "")[:40],
                    },
                    line=number,
                    file_format=fmt,
                )
        assert t is not None and v is not None and i is not None
        if sti is not None:
            state = str(_cell(row, sti) or "")
            sign = signs.get(state)
            if sign is None:
                sign = signs[state] = state_sign(state)
            if sign:
                i = -abs(i) if sign < 0 else abs(i)
        times.append(t)
        volts.append(v)
        amps.append(i)
        if si is not None:
            steps.append(str(_cell(row, si) or ""))
    step = np.array(steps) if si is not None else None
    return np.array(times), np.array(volts), np.array(amps), step


def _cell(row: tuple[Any, ...], index: int) -> Any:
    return row[index] if index < len(row) else None


def _number(value: Any, factor: float) -> float | None:
    """A finite number in SI units, or None (text, an empty cell, NaN, infinity, an overflow)."""
    if isinstance(value, bool):
        return None
    number: float | None = None
    if isinstance(value, int | float):
        number = float(value) * factor
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", ".")) * factor
        except ValueError:
            return None
    if number is None or not math.isfinite(number):
        return None
    return number


def _seconds(value: Any, factor: float) -> float | None:
    """A time cell in seconds: a number in the column's unit, a duration (timedelta, a time of
    day from a day fraction, or "h:mm:ss" text), or a date and time (seconds since 1970)."""
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, datetime.datetime):
        return (value.replace(tzinfo=None) - _EPOCH).total_seconds()
    if isinstance(value, datetime.time):
        return value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    if isinstance(value, str) and ":" in value:
        try:
            return parse_duration(value)
        except ValueError:
            return None
    return _number(value, factor)
