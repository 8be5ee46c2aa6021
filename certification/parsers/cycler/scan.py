"""Reading a cycler export row by row: the entry point, the row loop and the summary.

``summarise_cycler`` opens the text (``parsers.textstream``), finds the header (``detect``),
settles the columns (``plan``), runs the row loop and reports (``integration``). The row loop is
one function on purpose: the hot path stays in one frame, works on local variables only and
creates as few objects per row as it can (each costs time in pure Python, and much more under a
memory tracer). So line numbers are not fetched per row but worked out when needed from counters
that move only on rare rows (blank, skipped), and every rare case (a blank, short, cut-off or
unreadable row, a time glitch, a segment ending) is handed to a small function of its own.
"""

from __future__ import annotations

import csv
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from certification.parsers.cycler import binary, biologic, fastcsv, neware
from certification.parsers.cycler.checks import check_main_discharge
from certification.parsers.cycler.columnar import (
    MAX_TIME_GLITCH_ROWS,
    PROGRESS_ROWS,
    Progress,
    time_backwards,
    warn_glitch,
)
from certification.parsers.cycler.columns import Layout
from certification.parsers.cycler.detect import read_header
from certification.parsers.cycler.fastcsv import CountingStream
from certification.parsers.cycler.integration import Found
from certification.parsers.cycler.messages import (
    MSG_BAD_CSV,
    MSG_SHORT_ROW,
    WARN_CUT_OFF,
)
from certification.parsers.cycler.plan import Plan, plan_columns
from certification.parsers.cycler.result import (
    Previews,
    Totals,
    build_summary,
    new_previews,
    time_too_large,
)
from certification.parsers.cycler.summary import ACCEPTED_FORMATS, CyclerSummary, Warnings
from certification.parsers.cycler.values import (
    Parser,
    first_row_parsers,
    state_sign,
    step_label,
    value_error,
)
from certification.parsers.errors import RawDataRejected
from certification.parsers.textstream import MSG_BAD_TEXT, CsvReader, LineSource, open_text_stream

# Accepted rows go to the preview builders this many at a time.
FLUSH_ROWS = 4096

_INF = float("inf")
_NEG_INF = -_INF


def summarise_cycler(
    stream: BinaryIO,
    *,
    progress: Progress | None = None,
    max_duration_s: float | None = None,
) -> CyclerSummary:
    """Summarise a cycler export: every discharge segment and the main (largest-energy) one.

    Implements the raw-data cross-check of the energy criterion (STANDARD.md sections 4.3 and 6):
    discharge energy = ∫ V·|I| dt over the discharge step, by trapezoids. Streams: memory stays
    bounded whatever the number of rows. Raises ``RawDataRejected`` with a plain-English message.

    ``progress(rows_read, bytes_read)`` is called every ``PROGRESS_ROWS`` rows or so and once at
    the end (after a fall-back from the column reader, the count starts again). A file whose
    time axis spans more than ``max_duration_s`` (the rule set's plausible limit) is warned
    about. A seekable stream of a plain format is read in column batches (``fastcsv``); anything
    unusual there, and every other file, goes through the row loop, which has the same results.
    """
    head = binary.sniff(stream)
    if head is not None:  # .mpr, .ndax, .xlsx (or a binary file refused by name), not text
        return binary.summarise_binary(
            stream, head, progress=progress, max_duration_s=max_duration_s
        )
    start = fastcsv.start_of(stream)
    if start is not None:
        fast = fastcsv.read_columns(stream, start, progress)
        if fast is not None:
            return check_main_discharge(
                build_summary(
                    fast.totals,
                    fmt=fast.fmt,
                    encoding=fast.encoding,
                    warnings=fast.warnings,
                    time_label=fast.time_label,
                    previews=fast.previews,
                    max_duration_s=max_duration_s,
                )
            )
        stream.seek(start)
    counted = CountingStream(stream)
    text, encoding = open_text_stream(
        counted, accepted=ACCEPTED_FORMATS, latin1_markers=biologic.MARKERS
    )
    lines = LineSource(text, encoding)
    layout = read_header(lines)
    fmt = layout.vendor.key
    reader = csv.reader(lines, delimiter=layout.delimiter)
    try:
        plan = plan_columns(layout)
        warnings = Warnings()
        feed = _Feed(new_previews(), progress, counted)
        totals = _read_rows(reader, lines, layout, plan, warnings, feed)
        return check_main_discharge(
            build_summary(
                totals,
                fmt=fmt,
                encoding=encoding,
                warnings=warnings,
                time_label=plan.time.label,
                previews=feed.previews,
                max_duration_s=max_duration_s,
            )
        )
    except RawDataRejected as exc:
        if exc.file_format is None:
            exc.file_format = fmt
        raise
    except csv.Error as exc:
        line = layout.header_line + reader.line_num
        raise RawDataRejected(
            MSG_BAD_CSV, {"line": line, "detail": str(exc)}, line=line, file_format=fmt
        ) from None
    except UnicodeDecodeError:
        line = layout.header_line + reader.line_num
        raise RawDataRejected(
            MSG_BAD_TEXT, {"encoding": encoding, "line": line}, line=line, file_format=fmt
        ) from None


class _Feed:
    """The accepted rows on their way to the previews, a few thousand at a time, and the
    progress reports."""

    def __init__(
        self, previews: Previews, progress: Progress | None, counted: CountingStream
    ) -> None:
        self.previews = previews
        # array.array copies each value: the row's float objects are freed at once (kept in a
        # list, they would defeat CPython's float free list, a cost under a memory tracer).
        self.t = array("d")
        self.v = array("d")
        self.i = array("d")
        self._progress = progress
        self._counted = counted
        self._reported = 0

    def flush(self, rows: int, *, last: bool = False) -> None:
        if self.t:
            t = np.frombuffer(self.t, dtype=np.float64)
            self.previews.voltage.add(t, np.frombuffer(self.v, dtype=np.float64))
            self.previews.current.add(t, np.frombuffer(self.i, dtype=np.float64))
            del t  # an array.array may be resized only when no view of it is left
            del self.t[:], self.v[:], self.i[:]
        if self._progress is not None and (last or rows - self._reported >= PROGRESS_ROWS):
            self._reported = rows
            self._progress(rows, self._counted.bytes_read)


@dataclass(frozen=True)
class _Fields:
    """Where the row loop finds each value in a row."""

    time: int
    voltage: int
    current: int
    step: int | None
    cycle: int | None
    state: int | None
    width: int  # fields in the header line


def _rows_and_fields(
    reader: CsvReader, layout: Layout, plan: Plan
) -> tuple[Iterator[list[str]], _Fields]:
    """The data rows and where their values are. A Neware regular export's record rows come
    with the step number and type of their step row appended (see ``neware.hierarchy_rows``)."""
    width = len(layout.columns)
    step = plan.step.index if plan.step is not None else None
    state = plan.state.index if plan.state is not None else None
    rows: Iterator[list[str]] = reader
    if layout.hierarchical:
        assert step is not None  # a step header row was recognised
        rows = neware.hierarchy_rows(reader, width, step, state)
        step, state = width, (width + 1 if state is not None else None)
    return rows, _Fields(
        time=plan.time.index,
        voltage=plan.voltage.index,
        current=plan.current.index,
        step=step,
        cycle=plan.cycle.index if plan.cycle is not None else None,
        state=state,
        width=width,
    )


def _read_rows(
    reader: CsvReader,
    lines: LineSource,
    layout: Layout,
    plan: Plan,
    warnings: Warnings,
    feed: _Feed,
) -> Totals:
    """The row loop: parse, normalise the sign and time, skip glitches, integrate segments."""
    rows, fields = _rows_and_fields(reader, layout, plan)
    ti, vi, ii, n_columns = fields.time, fields.voltage, fields.current, fields.width
    si, ci, sti = fields.step, fields.cycle, fields.state
    header_line = layout.header_line
    # Parsers settled by the first data row.
    parse_time: Parser | None = None
    parse_v = parse_i = float
    unknown_time_unit = plan.unknown_time_unit
    clock_i: int | None = None
    clock_first: tuple[float, str] | None = None
    clock_last: tuple[float, str] | None = None
    # Sign from the state column.
    sign_cache: dict[str, int] = {}
    check_sign = layout.vendor.check_sign
    # Lines the reader consumed that are not data rows (blank, Neware summary, cut off), and
    # all lines that are not accepted rows (those plus time-glitch rows).
    non_rows = gaps = gaps_at_prev = 0
    rows_skipped = sign_conflicts = negative_voltage = 0
    # The time axis.
    first_t: float | None = None
    last_t = _NEG_INF  # time of the last accepted row (after step-time reconstruction)
    prev_raw_t = step_offset = 0.0
    step_mode = plan.step_mode and si is not None
    glitch_rows = glitch_line = 0
    glitch_t = 0.0
    repeated_time = repeated_line = 0
    # Steps: without a step column, only the sign of the current ends a segment.
    has_step = si is not None
    same_step = True
    step_text = cycle_text = ""
    prev_step: str | None = None
    prev_cycle: str | None = None
    # The open segment (see ``integration`` for the sums).
    found = Found()
    seg_open = False
    seg_e = seg_q = 0.0
    seg_first_line = seg_gaps = 0
    seg_start_t = seg_start_v = 0.0
    seg_label: str | None = None
    t_before_prev = 0.0
    prev_i = prev_v = 0.0
    # Accepted rows for the previews, handed over every FLUSH_ROWS rows.
    feed_t, feed_v, feed_i = feed.t, feed.v, feed.i
    add_t, add_v, add_i = feed_t.append, feed_v.append, feed_i.append

    for row in rows:
        try:
            t_text, v_text, i_text = row[ti], row[vi], row[ii]
        except IndexError:
            line = header_line + reader.line_num
            stop = _blank_or_cut_off(row, n_columns, lines, warnings, line)
            if stop is None:
                raise _short_row(plan, row, line) from None
            non_rows += 1
            gaps += 1
            if stop:
                break
            continue
        if parse_time is None:
            if not (t_text.strip() or v_text.strip() or i_text.strip()):
                non_rows += 1
                gaps += 1
                continue
            parse_time, parse_v, parse_i, numeric_time = first_row_parsers(
                plan, t_text, v_text, i_text, layout.delimiter, header_line + reader.line_num
            )
            unknown_time_unit = plan.unknown_time_unit and numeric_time
            if plan.clock is not None and unknown_time_unit:
                clock_i = plan.clock.index
        try:
            raw_t = parse_time(t_text)
            v = parse_v(v_text)
            i = parse_i(i_text)
        except ValueError:
            line = header_line + reader.line_num
            stop = _blank_or_cut_off(row, n_columns, lines, warnings, line)
            if stop is None:
                raise value_error(plan, parse_time, parse_v, parse_i, row, line) from None
            non_rows += 1
            gaps += 1
            if stop:
                break
            continue
        if not (_NEG_INF < raw_t < _INF and _NEG_INF < v < _INF and _NEG_INF < i < _INF):
            line = header_line + reader.line_num
            raise value_error(plan, parse_time, parse_v, parse_i, row, line, finite=True)

        if has_step:
            step_text = row[si] if si < len(row) else ""
            cycle_text = row[ci] if ci is not None and ci < len(row) else ""
            same_step = step_text == prev_step and cycle_text == prev_cycle
        if sti is not None and sti < len(row):
            state = row[sti]
            sign = sign_cache.get(state)
            if sign is None:
                sign = _state_sign_cached(state, sign_cache)
            if sign:
                if check_sign and i * sign < 0:
                    sign_conflicts += 1
                i = -abs(i) if sign < 0 else abs(i)

        if step_mode:  # a step time restarts at each step: carry the time of the last row over
            if not same_step and raw_t < prev_raw_t:
                step_offset = last_t
            prev_raw_t = raw_t
            t = raw_t + step_offset
            if not _NEG_INF < t < _INF:
                raise time_too_large(header_line + reader.line_num)
        else:
            t = raw_t

        if t < last_t:
            if glitch_rows == 0:
                glitch_line, glitch_t = header_line + reader.line_num, t
            glitch_rows += 1
            rows_skipped += 1
            gaps += 1
            if glitch_rows > MAX_TIME_GLITCH_ROWS:
                raise time_backwards(glitch_line, last_t, glitch_t)
            continue
        if glitch_rows:
            warn_glitch(warnings, glitch_line, last_t, glitch_t, glitch_rows)
            glitch_rows = 0
        if t == last_t and i < 0 and (not has_step or same_step):
            if not repeated_time:
                repeated_line = header_line + reader.line_num
            repeated_time += 1
        if first_t is None:
            first_t = t
        if v < 0:
            negative_voltage += 1
        add_t(t)
        add_v(v)
        add_i(i)
        if len(feed_t) >= FLUSH_ROWS:
            feed.flush(reader.line_num - non_rows)
        if clock_i is not None and clock_i < len(row):
            if clock_first is None:
                clock_first = (t, row[clock_i])
            clock_last = (t, row[clock_i])

        # A discharge row, or a zero-current row inside the discharge's step, continues the
        # open segment; any other row closes it, and a discharge row then opens a new one.
        if seg_open and same_step and (i < 0 or (i == 0 and has_step)):
            charge = prev_i * (t - t_before_prev)
            seg_q += charge
            seg_e += prev_v * charge
            t_before_prev = last_t
        else:
            if seg_open:
                line = header_line + reader.line_num - 1 - (gaps - gaps_at_prev)
                found.close(
                    seg_first_line, line, line - seg_first_line + 1 - (gaps_at_prev - seg_gaps),
                    seg_label, seg_start_t, seg_start_v, last_t, prev_v, prev_i, t_before_prev,
                    seg_e, seg_q,
                )  # fmt: skip
                seg_open = False
            if i < 0:
                seg_open = True
                seg_e = seg_q = 0.0
                seg_first_line, seg_gaps = header_line + reader.line_num, gaps
                seg_start_t, seg_start_v, t_before_prev = t, v, t
                seg_label = step_label(cycle_text, step_text) if has_step else None
        prev_i = i
        prev_v = v
        last_t = t
        gaps_at_prev = gaps
        if has_step:
            prev_step, prev_cycle = step_text, cycle_text

    if glitch_rows:
        warn_glitch(warnings, glitch_line, last_t, glitch_t, glitch_rows)
    last_line = header_line + reader.line_num - (gaps - gaps_at_prev)
    if seg_open:
        found.close(
            seg_first_line, last_line, last_line - seg_first_line + 1 - (gaps_at_prev - seg_gaps),
            seg_label, seg_start_t, seg_start_v, last_t, prev_v, prev_i, t_before_prev,
            seg_e, seg_q,
        )  # fmt: skip
    feed.flush(reader.line_num - non_rows, last=True)
    return Totals(
        last_line=last_line,
        rows_read=reader.line_num - non_rows,
        rows_skipped=rows_skipped,
        first_t=first_t,
        last_t=last_t,
        unknown_time_unit=unknown_time_unit,
        clock_first=clock_first,
        clock_last=clock_last,
        sign_conflicts=sign_conflicts,
        negative_voltage=negative_voltage,
        found=found,
        repeated_time=repeated_time,
        repeated_line=repeated_line,
    )


def _blank_or_cut_off(
    row: list[str], width: int, lines: LineSource, warnings: Warnings, line: int
) -> bool | None:
    """A row whose values cannot be read: False for a blank line (skip it), True for a last row
    cut off mid-line by a copy taken while the cycler was writing (warned; stop reading), None
    for anything else (the caller rejects the file)."""
    if not any(cell.strip() for cell in row):
        return False
    if len(row) < width and lines.only_blank_lines_left():
        warnings.add(WARN_CUT_OFF, {"line": line})
        return True
    return None


def _short_row(plan: Plan, row: list[str], line: int) -> RawDataRejected:
    missing = next(c for c in (plan.time, plan.voltage, plan.current) if c.index >= len(row))
    return RawDataRejected(
        MSG_SHORT_ROW, {"line": line, "count": len(row), "column": missing.label}, line=line
    )


def _state_sign_cached(state: str, cache: dict[str, int]) -> int:
    sign = state_sign(state)
    if len(cache) < 1000:  # a state column holds a few words; keep memory bounded anyway
        cache[state] = sign
    return sign
