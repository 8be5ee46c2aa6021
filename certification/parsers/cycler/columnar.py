"""Cycler data in columns: the summary computed over numpy arrays, batch by batch.

For binary exports (.mpr, .ndax, .xlsx), whose readers hand over whole columns
(``summarise_columns``), and for the fast path of the text formats (``fastcsv``), which reads
them in column batches. The results are the row loop's (``scan``) to the last bit: the same
rows skipped as time glitches, the same segments, the trapezoid terms computed with the same
operations and summed in the same order (``np.cumsum`` adds one term after another, as the loop
does; ``np.sum`` would add pairwise), the same warnings and line numbers.

How the loop's rules read over a batch (see ``integration`` for the sums):

* A row is a time glitch when its time is below the largest time before it (the loop compares
  with the last accepted row, whose time is that maximum). Runs of glitch rows are found from
  the mask; a run longer than ``MAX_TIME_GLITCH_ROWS`` rejects the file.
* A segment is open after row k when row k is a discharge row, or, with a step column, when
  row k has zero current in the same step and the segment was open after row k − 1; a row
  continues the open segment when it is a discharge row (or such a zero-current row) of the same
  step. The last row of each batch is carried to the next one, whose first row tells whether it
  ends its segment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from certification.parsers.cycler.integration import Found
from certification.parsers.cycler.messages import (
    MSG_NOT_NUMBER,
    MSG_TIME_BACKWARDS,
    WARN_TIME_GLITCH,
)
from certification.parsers.cycler.result import (
    Previews,
    Totals,
    build_summary,
    new_previews,
)
from certification.parsers.cycler.summary import CyclerSummary, Warnings
from certification.parsers.cycler.values import format_time, step_label
from certification.parsers.errors import RawDataRejected

# progress(rows_read, bytes_read)
Progress = Callable[[int, int], None]
# Progress is reported about every this many rows.
PROGRESS_ROWS = 100_000
# Up to this many consecutive rows with an earlier time than the last good row are an isolated
# glitch (skipped, warned); one more and the file is rejected.
MAX_TIME_GLITCH_ROWS = 3
# summarise_columns works through its arrays this many rows at a time.
_BATCH_ROWS = 1 << 20
_NEG_INF = float("-inf")


def warn_glitch(warnings: Warnings, line: int, before: float, after: float, rows: int) -> None:
    warnings.add(
        WARN_TIME_GLITCH,
        {
            "line": line,
            "before": format_time(before),
            "after": format_time(after),
            "rows": rows,
        },
    )


def time_backwards(line: int, before: float, after: float) -> RawDataRejected:
    return RawDataRejected(
        MSG_TIME_BACKWARDS,
        {
            "line": line,
            "before": format_time(before),
            "after": format_time(after),
            "limit": MAX_TIME_GLITCH_ROWS,
        },
        line=line,
    )


# A batch's step labels: row index in the batch -> "cycle/step".
Labels = Callable[[int], str]


class ColumnScan:
    """The row loop's state, advanced a batch of rows at a time (``feed``), then ``totals``."""

    def __init__(self, warnings: Warnings, previews: Previews, *, has_step: bool) -> None:
        self.warnings = warnings
        self.previews = previews
        self.has_step = has_step
        self.found = Found()
        self.rows_read = self.rows_skipped = 0
        self.negative_voltage = self.repeated_time = self.repeated_line = 0
        self.sign_conflicts = 0  # counted by the caller, which normalises the sign
        self.first_t: float | None = None
        self.last_line = 0
        # An unfinished run of glitch rows: its length, first line and time, the time before.
        self.glitch_rows = self.glitch_line = 0
        self.glitch_t = self.glitch_before = 0.0
        # The last accepted row.
        self.last_t = _NEG_INF
        self.prev_v = self.prev_i = 0.0
        self.prev_key: object = None
        # The open segment: whether open, its sums, first line, rows, start, step label.
        self.seg_open = False
        self.seg_e = self.seg_q = 0.0
        self.seg_first_line = self.seg_rows = 0
        self.seg_start_t = self.seg_start_v = 0.0
        self.seg_label: str | None = None
        self.t_before_prev = 0.0

    def feed(
        self,
        t: np.ndarray,
        v: np.ndarray,
        i: np.ndarray,
        first_line: int,
        keys: np.ndarray | None = None,
        labels: Labels | None = None,
    ) -> None:
        """The next rows: finite float64 times (the file's unit), volts and amperes with the
        sign normalised; row k is line ``first_line + k``. With a step column, ``keys`` tells
        the step of each row (equal keys, same step) and ``labels(k)`` its label."""
        with np.errstate(over="ignore", invalid="ignore"):  # overflows: Found.close rejects
            self._feed(t, v, i, first_line, keys, labels)

    def _feed(
        self,
        t: np.ndarray,
        v: np.ndarray,
        i: np.ndarray,
        first_line: int,
        keys: np.ndarray | None,
        labels: Labels | None,
    ) -> None:
        n = len(t)
        if n == 0:
            return
        self.rows_read += n
        lines: np.ndarray | None = None  # line of each accepted row, when rows were skipped
        running = np.maximum.accumulate(t)
        before = np.empty(n)
        before[0] = self.last_t
        np.maximum(running[:-1], self.last_t, out=before[1:])
        skipped = t < before
        if self.glitch_rows and not skipped[0]:
            self._end_glitch()
        if skipped.any():
            self._glitches(np.flatnonzero(skipped), t, before, first_line)
            kept = np.flatnonzero(~skipped)
            self.rows_skipped += n - len(kept)
            t, v, i = t[kept], v[kept], i[kept]
            keys = keys[kept] if keys is not None else None
            lines = kept + first_line
            if labels is not None:
                batch_labels = labels
                labels = lambda k: batch_labels(int(kept[k]))  # noqa: E731
            if len(t) == 0:
                return
        self._accepted(t, v, i, first_line, lines, keys, labels)

    def _glitches(
        self, where: np.ndarray, t: np.ndarray, before: np.ndarray, first_line: int
    ) -> None:
        """Runs of glitch rows (``where``: their indices): warned, or the file rejected."""
        breaks = np.flatnonzero(np.diff(where) != 1) + 1
        starts = np.concatenate(([0], breaks))
        ends = np.concatenate((breaks, [len(where)]))
        last = len(t) - 1
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            first, length = int(where[a]), b - a
            if first > 0 or not self.glitch_rows:  # a new run
                self.glitch_line = first_line + first
                self.glitch_t, self.glitch_before = float(t[first]), float(before[first])
            self.glitch_rows += length
            if self.glitch_rows > MAX_TIME_GLITCH_ROWS:
                raise time_backwards(self.glitch_line, self.glitch_before, self.glitch_t)
            if int(where[b - 1]) < last:  # an accepted row follows in this batch
                self._end_glitch()

    def _end_glitch(self) -> None:
        warn_glitch(
            self.warnings, self.glitch_line, self.glitch_before, self.glitch_t, self.glitch_rows
        )
        self.glitch_rows = 0

    def _accepted(
        self,
        t: np.ndarray,
        v: np.ndarray,
        i: np.ndarray,
        first_line: int,
        lines: np.ndarray | None,
        keys: np.ndarray | None,
        labels: Labels | None,
    ) -> None:
        m = len(t)

        def line_of(k: int) -> int:
            return int(lines[k]) if lines is not None else first_line + k

        if self.first_t is None:
            self.first_t = float(t[0])
        self.negative_voltage += int(np.count_nonzero(v < 0))
        self.previews.voltage.add(t, v)
        self.previews.current.add(t, i)
        t_prev = np.concatenate(([self.last_t], t[:-1]))
        neg = i < 0
        if self.has_step and keys is not None:
            same = np.empty(m, dtype=bool)
            same[0] = self.prev_key is not None and keys[0] == self.prev_key
            same[1:] = keys[1:] == keys[:-1]
            zero = (i == 0) & same  # continues an open segment, but opens none
        else:
            same = np.ones(m, dtype=bool)
            zero = np.zeros(m, dtype=bool)
        repeated = np.flatnonzero((t == t_prev) & neg & same)
        if len(repeated):
            if not self.repeated_time:
                self.repeated_line = line_of(int(repeated[0]))
            self.repeated_time += len(repeated)
        # Open after each row: from the last row that is not a zero-current continuation.
        decisive = np.maximum.accumulate(np.where(neg | ~zero, np.arange(m), -1))
        is_open = np.where(decisive >= 0, neg[np.maximum(decisive, 0)], self.seg_open)
        was_open = np.concatenate(([self.seg_open], is_open[:-1]))
        cont = was_open & (neg | zero) & same
        self._segments(t, v, i, is_open, cont, t_prev, line_of, labels)
        self.last_t = float(t[-1])
        self.prev_v, self.prev_i = float(v[-1]), float(i[-1])
        self.prev_key = keys[-1] if keys is not None else None
        self.last_line = line_of(m - 1)

    def _segments(
        self,
        t: np.ndarray,
        v: np.ndarray,
        i: np.ndarray,
        is_open: np.ndarray,
        cont: np.ndarray,
        t_prev: np.ndarray,
        line_of: Callable[[int], int],
        labels: Labels | None,
    ) -> None:
        """Close the segments that end in this batch and carry the open one. Position 0 is the
        carried last row of the previous batch, positions 1..m this batch's rows."""
        m = len(t)
        ext_t = np.concatenate(([self.last_t], t))
        ext_v = np.concatenate(([self.prev_v], v))
        ext_i = np.concatenate(([self.prev_i], i))
        ext_open = np.concatenate(([self.seg_open], is_open))
        ext_cont = np.concatenate(([False], cont))
        # The time before each row in its segment (its own time at a segment's first row).
        ext_tp = np.concatenate(([self.t_before_prev], np.where(cont, t_prev, t)))
        mid = ext_open[:-1] & ext_cont[1:]  # open rows whose segment goes on after them
        terms_q = np.where(mid, ext_i[:-1] * (ext_t[1:] - ext_tp[:-1]), 0.0)
        terms_e = ext_v[:-1] * terms_q
        opens = np.flatnonzero(ext_open[1:] & ~ext_cont[1:]) + 1
        ends = np.flatnonzero(ext_open[:-1] & ~ext_cont[1:])
        starts = ([0] if self.seg_open else []) + opens.tolist()
        for start, end in zip(starts, ends.tolist(), strict=False):
            self._close(start, end, ext_t, ext_v, ext_i, ext_tp, terms_e, terms_q, line_of, labels)
        if ext_open[m]:
            start = starts[-1]
            if start > 0:
                self._open(start, ext_t, ext_v, line_of, labels)
            self.seg_e = _sequential(self.seg_e, terms_e[start:m])
            self.seg_q = _sequential(self.seg_q, terms_q[start:m])
            self.seg_rows += m - start
        self.seg_open = bool(ext_open[m])
        self.t_before_prev = float(ext_tp[m])

    def _open(self, start: int, ext_t, ext_v, line_of, labels: Labels | None) -> None:
        """A segment opens at position ``start`` (> 0)."""
        self.seg_first_line = line_of(start - 1)
        self.seg_start_t, self.seg_start_v = float(ext_t[start]), float(ext_v[start])
        self.seg_label = labels(start - 1) if labels is not None else None
        self.seg_e = self.seg_q = 0.0
        self.seg_rows = 1

    def _close(
        self, start, end, ext_t, ext_v, ext_i, ext_tp, terms_e, terms_q, line_of, labels
    ) -> None:
        """The segment from position ``start`` (0: the carried one) ends at ``end``."""
        if start > 0:
            self._open(start, ext_t, ext_v, line_of, labels)
        self.found.close(
            self.seg_first_line, self.last_line if end == 0 else line_of(end - 1),
            self.seg_rows + end - start, self.seg_label, self.seg_start_t, self.seg_start_v,
            float(ext_t[end]), float(ext_v[end]), float(ext_i[end]), float(ext_tp[end]),
            _sequential(self.seg_e, terms_e[start:end]),
            _sequential(self.seg_q, terms_q[start:end]),
        )  # fmt: skip

    def totals(self) -> Totals:
        """What the rows fed so far make (the end of the data: the open segment closes)."""
        if self.glitch_rows:
            self._end_glitch()
        if self.seg_open:
            self.found.close(
                self.seg_first_line, self.last_line, self.seg_rows, self.seg_label,
                self.seg_start_t, self.seg_start_v, self.last_t, self.prev_v, self.prev_i,
                self.t_before_prev, self.seg_e, self.seg_q,
            )  # fmt: skip
            self.seg_open = False
        return Totals(
            last_line=self.last_line,
            rows_read=self.rows_read,
            rows_skipped=self.rows_skipped,
            first_t=self.first_t,
            last_t=self.last_t,
            unknown_time_unit=False,
            clock_first=None,
            clock_last=None,
            sign_conflicts=self.sign_conflicts,
            negative_voltage=self.negative_voltage,
            found=self.found,
            repeated_time=self.repeated_time,
            repeated_line=self.repeated_line,
        )


def _sequential(start: float, terms: np.ndarray) -> float:
    """``start`` plus the terms one after another, as a loop adds them."""
    if len(terms) == 0:
        return start
    return float(np.cumsum(np.concatenate(([start], terms)))[-1])


def summarise_columns(
    time_s: np.ndarray,
    voltage_v: np.ndarray,
    current_a: np.ndarray,
    step: np.ndarray | None = None,
    *,
    file_format: str,
    encoding: str = "",
    warnings: Iterable[str] = (),
    progress: Progress | None = None,
    max_duration_s: float | None = None,
) -> CyclerSummary:
    """Summarise a cycler file read into columns (one value per record, in file order).

    ``time_s`` in seconds (test time), ``voltage_v`` in volts, ``current_a`` in amperes with the
    sign normalised (charge positive, discharge negative); ``step`` the vendor's step index per
    record, where the file has one (a change of step ends a segment, and zero-current records
    inside a discharge step do not). ``file_format`` is a key of ``CYCLER_FORMATS``;
    ``warnings`` are the reader's own, listed first. Record k (0-based) is reported as line
    k + 1. ``progress(rows, 0)`` is called per million records. Raises ``RawDataRejected`` as
    ``summarise_cycler`` does; a missing (NaN) or infinite value names its record.
    """
    columns = [np.asarray(a, dtype=np.float64) for a in (time_s, voltage_v, current_a)]
    n = len(columns[0])
    steps = np.asarray(step) if step is not None else None
    if any(len(c) != n for c in columns) or (steps is not None and len(steps) != n):
        raise ValueError("the columns must have the same length")
    for label, values in zip(("Test Time / s", "Voltage / V", "Current / A"), columns, strict=True):
        bad = np.flatnonzero(~np.isfinite(values))
        if len(bad):
            line = int(bad[0]) + 1
            raise RawDataRejected(
                MSG_NOT_NUMBER,
                {"line": line, "column": label, "value": str(values[bad[0]])},
                line=line,
                file_format=file_format,
            )
    report = Warnings()
    for text in warnings:
        report.add("%(text)s", {"text": text})
    scan = ColumnScan(report, new_previews(), has_step=steps is not None)
    t, v, i = columns
    for start in range(0, n, _BATCH_ROWS):
        part = slice(start, start + _BATCH_ROWS)
        keys = steps[part] if steps is not None else None
        labels = (lambda k, keys=keys: step_label("", str(keys[k]))) if keys is not None else None
        try:
            scan.feed(t[part], v[part], i[part], start + 1, keys, labels)
        except RawDataRejected as exc:
            exc.file_format = exc.file_format or file_format
            raise
        if progress is not None:
            progress(min(n, start + _BATCH_ROWS), 0)
    try:
        return build_summary(
            scan.totals(),
            fmt=file_format,
            encoding=encoding,
            warnings=report,
            time_label="Test Time / s",
            previews=scan.previews,
            max_duration_s=max_duration_s,
        )
    except RawDataRejected as exc:
        exc.file_format = exc.file_format or file_format
        raise
