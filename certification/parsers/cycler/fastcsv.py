"""The fast path for text exports: pyarrow's streaming CSV reader and the column engine.

``read_columns`` finds the header as the row loop does (``detect``, ``plan``), then hands the
bytes after it to ``pyarrow.csv.open_csv`` with explicit column names and types, and feeds each
column batch to ``columnar.ColumnScan``. It takes only files where this gives the row loop's
results exactly, and returns None on anything else, so the caller reads the file again with
the row loop, whose message (with its line number) is the precise one:

* a seekable stream, UTF-8 text, one header line read straight through (no Neware hierarchy),
  a numeric test time of known unit (not a step time, duration or clock), no decimal commas;
* every row has the header's number of fields and parses (pyarrow refuses the rest; a float
  pyarrow reads, Python's ``float`` reads alike, to the same double), every value is finite;
* one row per line: the line ends counted in the raw bytes equal the rows (a blank line or a
  quoted line break inside a row would shift line numbers), and no line reaches the row loop's
  length limit;
* no rejection on the way (a long time glitch, an overflowing segment): the row loop rejects
  such a file with its own message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from certification.parsers.cycler import biologic
from certification.parsers.cycler.columnar import PROGRESS_ROWS, ColumnScan, Progress
from certification.parsers.cycler.columns import Layout
from certification.parsers.cycler.detect import read_header
from certification.parsers.cycler.plan import Plan, plan_columns
from certification.parsers.cycler.result import Previews, Totals, new_previews
from certification.parsers.cycler.summary import ACCEPTED_FORMATS, Warnings
from certification.parsers.cycler.values import state_sign, step_label
from certification.parsers.errors import RawDataRejected
from certification.parsers.textstream import (
    MAX_LINE_CHARS,
    LineSource,
    open_text_stream,
    split_line,
)

_BLOCK_BYTES = 1 << 20  # pyarrow's read size; a line this long or longer goes to the row loop
_HEAD_BYTES = 4 << 20  # the header must end within this many bytes
_LINE_END = re.compile(rb"\r\n|\r|\n")
_UTF8 = ("utf-8", "utf-8-sig")


class CountingStream:
    """A binary stream that counts the bytes read from it (for progress reports)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.bytes_read += len(data)
        return data


class _LineCheck(CountingStream):
    """Counts the line ends in the bytes pyarrow reads, the empty lines at the very end, and
    notes a line (nearly) as long as the row loop's limit."""

    closed = False

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__(stream)
        self.line_ends = 0
        self.too_long = False
        self._since_end = 0  # bytes since the last line end
        self._last = b""  # the last byte read
        self._tail = b""  # the trailing run of line-end bytes

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        if not data:
            return data
        has_cr = b"\r" in data
        ends = data.count(b"\n")
        if has_cr:
            ends += data.count(b"\r") - data.count(b"\r\n")
            if self._last == b"\r" and data[:1] == b"\n":
                ends -= 1
        self.line_ends += ends
        if len(data) > MAX_LINE_CHARS + 1:  # a line inside it might reach the limit
            self.too_long = True
        first = data.find(b"\n")
        last = data.rfind(b"\n")
        if has_cr:
            cr = data.find(b"\r")
            first = cr if first < 0 else min(first, cr)
            last = max(last, data.rfind(b"\r"))
        if first < 0:
            self._since_end += len(data)
        else:
            if self._since_end + first >= MAX_LINE_CHARS:
                self.too_long = True
            self._since_end = len(data) - 1 - last
        if self._since_end >= MAX_LINE_CHARS:
            self.too_long = True
        body = data.rstrip(b"\r\n")
        self._tail = self._tail + data if not body else data[len(body) :]
        self._last = data[-1:]
        return data

    def trailing_line_ends(self) -> int:
        tail = self._tail
        return tail.count(b"\n") + tail.count(b"\r") - tail.count(b"\r\n")


@dataclass(frozen=True)
class FastRead:
    """What the column path found, for ``result.build_summary``."""

    totals: Totals
    previews: Previews
    warnings: Warnings
    fmt: str
    encoding: str
    time_label: str


def start_of(stream: BinaryIO) -> int | None:
    """The position to come back to for a second reading, or None for a one-way stream."""
    try:
        return stream.tell() if stream.seekable() else None
    except (AttributeError, OSError, ValueError):
        return None


def read_columns(stream: BinaryIO, start: int, progress: Progress | None) -> FastRead | None:
    """The column path over ``stream`` (at ``start``), or None when the row loop must read it."""
    try:
        text, encoding = open_text_stream(
            stream, accepted=ACCEPTED_FORMATS, latin1_markers=biologic.MARKERS
        )
        if encoding not in _UTF8:
            return None
        lines = LineSource(text, encoding)
        layout = read_header(lines)
        plan = plan_columns(layout)
        header_lines = lines.line_no
        first = lines.readline()
    except (RawDataRejected, UnicodeDecodeError, ValueError):
        return None
    if (
        layout.hierarchical
        or plan.step_mode
        or plan.unknown_time_unit
        or header_lines != layout.header_line
        or not _plain_first_row(first, layout.delimiter, len(layout.columns), plan)
    ):
        return None
    stream.seek(start)
    offset = _data_offset(stream.read(_HEAD_BYTES), header_lines)
    if offset is None:
        return None
    stream.seek(start + offset)
    source = _LineCheck(stream)
    warnings = Warnings()
    has_step = plan.step is not None
    scan = ColumnScan(warnings, new_previews(), has_step=has_step)
    try:
        rows = _feed_batches(source, scan, layout, plan, progress)
    except (pa.ArrowException, RawDataRejected, UnicodeDecodeError, ValueError):
        return None
    if rows is None or source.too_long:
        return None
    if rows and source.line_ends != rows - 1 + source.trailing_line_ends():
        return None  # a blank line or a line break inside a row: line numbers would differ
    if progress is not None:
        progress(rows, offset + source.bytes_read)
    totals = scan.totals()
    return FastRead(
        totals=totals,
        previews=scan.previews,
        warnings=warnings,
        fmt=layout.vendor.key,
        encoding=encoding,
        time_label=plan.time.label,
    )


def _plain_first_row(line: str, delimiter: str, width: int, plan: Plan) -> bool:
    """The first data row has every field, a numeric time and no decimal commas."""
    if not line.strip():
        return False
    fields = split_line(line.rstrip("\r\n"), delimiter)
    if len(fields) != width:
        return False
    values = [fields[c.index] for c in (plan.time, plan.voltage, plan.current)]
    if ":" in values[0]:
        return False
    return delimiter == "," or not any("," in v and "." not in v for v in values)


def _data_offset(head: bytes, header_lines: int) -> int | None:
    """The byte offset of the line after the first ``header_lines`` lines."""
    if header_lines == 0:
        return 0
    for count, match in enumerate(_LINE_END.finditer(head), start=1):
        if count == header_lines:
            end = match.end()
            if end == len(head) and head.endswith(b"\r"):
                return None  # a \r\n may be split at the end of what was read
            return end
    return None


def _feed_batches(
    source: _LineCheck, scan: ColumnScan, layout: Layout, plan: Plan, progress: Progress | None
) -> int | None:
    """Read the rows in column batches into ``scan``; the number of rows, or None."""
    width, first_line = len(layout.columns), layout.header_line + 1
    names = [f"c{k}" for k in range(width)]
    types = {name: pa.string() for name in names}
    for column in (plan.time, plan.voltage, plan.current):
        types[names[column.index]] = pa.float64()
    reader = pcsv.open_csv(
        source,
        read_options=pcsv.ReadOptions(column_names=names, block_size=_BLOCK_BYTES),
        parse_options=pcsv.ParseOptions(
            delimiter=layout.delimiter, newlines_in_values=False, ignore_empty_lines=True
        ),
        convert_options=pcsv.ConvertOptions(
            column_types=types,
            null_values=[],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    factors = (plan.time_factor, plan.voltage_factor, plan.current_factor)
    indices = (plan.time.index, plan.voltage.index, plan.current.index)
    step = plan.step.index if plan.step is not None else None
    cycle = plan.cycle.index if plan.cycle is not None else None
    state = plan.state.index if plan.state is not None else None
    rows = reported = 0
    for batch in reader:
        n = batch.num_rows
        t, v, i = (
            _scaled(batch.column(index), factor)
            for index, factor in zip(indices, factors, strict=True)
        )
        if not (np.isfinite(t).all() and np.isfinite(v).all() and np.isfinite(i).all()):
            return None
        if state is not None:
            i, conflicts = _signed(batch.column(state), i)
            if layout.vendor.check_sign:
                scan.sign_conflicts += conflicts
        keys = labels = None
        if step is not None:
            keys, labels = _steps(batch, step, cycle)
            if keys is None:
                return None
        scan.feed(t, v, i, first_line + rows, keys, labels)
        rows += n
        if progress is not None and rows - reported >= PROGRESS_ROWS:
            reported = rows
            progress(rows, source.bytes_read)
    return rows


def _scaled(column: pa.Array, factor: float) -> np.ndarray:
    values = column.to_numpy()
    if factor == 1.0:
        return values
    with np.errstate(over="ignore"):  # an overflow to infinity sends the file to the row loop
        return values * factor


def _signed(states: pa.Array, current: np.ndarray) -> tuple[np.ndarray, int]:
    """The current with the sign its step type says (as the row loop's ``state_sign``), and
    how many rows carried the other sign."""
    encoded = pc.dictionary_encode(states)
    signs = np.array([state_sign(text) for text in encoded.dictionary.to_pylist()], dtype=np.int8)
    sign = signs[encoded.indices.to_numpy()] if len(signs) else np.zeros(len(current), np.int8)
    conflicts = int(np.count_nonzero((sign != 0) & (current * sign < 0)))
    signed = np.where(sign < 0, -np.abs(current), np.where(sign > 0, np.abs(current), current))
    return signed, conflicts


def _steps(batch: pa.RecordBatch, step: int, cycle: int | None):
    """The step key of each row (cycle and step text, compared as the row loop compares them)
    and its label; (None, None) when a key cannot be built exactly."""
    steps = batch.column(step)
    cycles = batch.column(cycle) if cycle is not None else None
    if cycles is None:
        keys = steps.to_numpy(zero_copy_only=False)
    else:
        if pc.any(pc.match_substring(cycles, "\x00")).as_py():
            return None, None
        keys = pc.binary_join_element_wise(cycles, steps, "\x00").to_numpy(zero_copy_only=False)

    def label(k: int) -> str:
        return step_label(cycles[k].as_py() if cycles is not None else "", steps[k].as_py())

    return keys, label
