"""Vacuum weight-loss chamber logs: how long the chamber held temperature and vacuum.

The weight-loss test is valid only when the chamber stayed at the rule set's temperature, within
its tolerance, at or below its absolute-pressure limit, for long enough (STANDARD.md section 4,
criterion 1; section 6). This module reads the chamber's log (CSV: ``time_s`` or an ISO 8601
``timestamp``, ``temperature_c``, ``pressure_pa``) and returns the longest continuous hold.

The thresholds are parameters, never constants here: they come from the rule set, which the
criteria layer holds. They are passed *into* the streaming function so the log is read once, one
row at a time, in bounded memory. ``longest_hold`` is the same computation over readings the
caller already has.

Numbers are ``Decimal``: the hold is compared with a limit (GB/T 8170 full-value comparison), and
a log has at most some hundred thousand rows, so exactness costs nothing worth saving.

Definitions a reviewer should know:

* A reading complies when target − tolerance <= temperature <= target + tolerance (both ends
  included) and pressure <= the limit. Pressure is absolute; a negative value (gauge pressure)
  is rejected.
* A hold is a run of consecutive complying readings; its duration is the time from its first to
  its last reading. Nothing is extrapolated to the neighbouring non-complying readings, so a log
  sampled every minute can understate a hold by up to two minutes, never overstate it.
* ``max_gap_s`` (optional, rule-set data: ``[criteria.weight_loss.chamber_log]`` from
  gbt-ssb-2026 version 3): a longer gap between two readings breaks a hold, since nobody logged
  the chamber in between. Without it any gap is accepted, and ``max_interval_s`` in the summary
  tells the criteria layer the longest gap in the whole log.
* The summary also carries what a chart and a sentence need (``chamber_hold``): the excursions
  after the chamber first reached the conditions, the gaps over ``max_gap_s``, the first thing
  that broke a hold (``hold_break``, told by ``hold_break_text`` with clock times), a downsampled
  preview of both series, and the first timestamp (``start_clock``).
* Timestamps must all carry a UTC offset or all carry none; naive ones are taken as a uniform
  clock (a daylight-saving change during the log would show as a jump).
"""

from __future__ import annotations

import csv
import datetime
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

import numpy as np

from certification.parsers.chamber_hold import (
    ChamberExcursion,
    ChamberGap,
    ChamberHold,
    ChamberReading,
    HoldBreak,
    HoldTracker,
    Number,
    longest_hold,
    thresholds,
)
from certification.parsers.errors import (
    MSG_NUMBER_TOO_LARGE,
    MSG_TIME_TOO_LARGE,
    RawDataRejected,
)
from certification.parsers.preview import PreviewBuilder, SeriesPreview
from certification.parsers.textstream import (
    CsvReader,
    LineSource,
    guess_delimiter,
    open_text_stream,
    split_line,
)
from certification.vocabulary import gettext_noop

__all__ = [  # what callers use; the hold itself is chamber_hold's
    "ChamberExcursion",
    "ChamberGap",
    "ChamberHold",
    "ChamberReading",
    "ChamberSummary",
    "HoldBreak",
    "chamber_template",
    "clock_text",
    "longest_hold",
    "summarise_chamber_log",
]

CHAMBER_TIME_COLUMNS = ("time_s", "timestamp")
CHAMBER_VALUE_COLUMNS = ("temperature_c", "pressure_pa")
CHAMBER_ACCEPTED = (
    "a CSV chamber log with the columns time_s (or an ISO 8601 timestamp), temperature_c and "
    "pressure_pa"
)
# At most this many warnings are listed; one more line sums up the rest.
MAX_WARNINGS = 20
_MAX_PREAMBLE_LINES = 200
_ABSOLUTE_ZERO_C = Decimal("-273.15")
_ZERO = Decimal(0)

_MICRO = Decimal("0.000001")

MSG_NO_HEADER = gettext_noop(
    "No header row was found; this is not %(accepted)s. Download the template for the layout."
)
MSG_MISSING_COLUMNS = gettext_noop(
    "The header (line %(line)s) lacks required columns: %(missing)s. Expected %(accepted)s."
)
MSG_DUPLICATE_COLUMN = gettext_noop("The header (line %(line)s) has the column %(column)s twice.")
MSG_EMPTY_VALUE = gettext_noop('Line %(line)s: column "%(column)s" is empty.')
MSG_NOT_NUMBER = gettext_noop('Line %(line)s: column "%(column)s" holds "%(value)s", not a number.')
MSG_BAD_TIMESTAMP = gettext_noop(
    'Line %(line)s: "%(value)s" is not an ISO 8601 date and time (e.g. 2026-07-01T08:00:00+08:00).'
)
MSG_MIXED_TIMEZONES = gettext_noop(
    "Line %(line)s: this timestamp %(this)s and the first one %(first)s; "
    "give every timestamp a UTC offset, or none."
)
MSG_TIME_BACKWARDS = gettext_noop(
    "Line %(line)s: the time goes backwards (from %(before)s s to %(after)s s after the first "
    "reading); readings must be in time order."
)
MSG_NEGATIVE_PRESSURE = gettext_noop(
    "Line %(line)s: pressure_pa is %(value)s; it must be the absolute pressure (0 or more), not a "
    "gauge pressure relative to the atmosphere."
)
MSG_BELOW_ABSOLUTE_ZERO = gettext_noop(
    "Line %(line)s: temperature_c is %(value)s, below absolute zero."
)
MSG_NO_ROWS = gettext_noop("The chamber log has a header but no readings.")
MSG_BAD_CSV = gettext_noop("Line %(line)s could not be read: %(detail)s.")
MSG_BAD_TEXT = gettext_noop(
    "The file is not %(encoding)s text throughout: bytes that cannot be decoded follow line "
    "%(line)s; save it as UTF-8."
)
WARN_GAP = gettext_noop(
    "Line %(line)s: %(gap)s s passed since the previous reading, more than the %(max_gap)s s "
    "allowed; a hold cannot span this gap."
)
WARN_MORE = gettext_noop("… and %(count)s more warnings.")


@dataclass(frozen=True)
class ChamberSummary:
    encoding: str
    time_column: str  # "time_s" or "timestamp"
    rows_read: int
    duration_s: Decimal  # first to last reading
    max_interval_s: Decimal  # the longest gap between two consecutive readings
    min_temperature_c: Decimal
    max_temperature_c: Decimal
    min_pressure_pa: Decimal
    max_pressure_pa: Decimal
    # The thresholds the hold was computed with, echoed for the evaluation record.
    target_c: Decimal
    tolerance_c: Decimal
    pressure_limit_pa: Decimal
    max_gap_s: Decimal | None
    hold: ChamberHold
    warnings: tuple[str, ...] = field(default=())
    # For the chart and the sentences (see chamber_hold): the downsampled series by column
    # ("temperature_c", "pressure_pa"), the first MAX_MARKS excursions and gaps and how many
    # more there were, the first thing that broke a hold, and the first reading's timestamp
    # (ISO 8601, None for a time_s log).
    preview: Mapping[str, SeriesPreview] = field(default_factory=dict)
    excursions: tuple[ChamberExcursion, ...] = ()
    excursions_omitted: int = 0
    gaps: tuple[ChamberGap, ...] = ()
    gaps_omitted: int = 0
    hold_break: HoldBreak | None = None
    start_clock: str | None = None

    @property
    def longest_hold_s(self) -> Decimal:
        return self.hold.duration_s

    def clock(self, time_s: Decimal) -> str:
        """``time_s`` as a clock a reader finds in the log: the wall-clock time ("3:02", with
        seconds when not whole minutes, and the date when it is not the first reading's) for a
        log of timestamps; hours and minutes since the first reading for a ``time_s`` log."""
        return clock_text(time_s, self.start_clock)

    def hold_break_text(self) -> dict[str, str] | None:
        """The first break as text values for a sentence: ``cause``, ``at``, and ``value`` (an
        excursion, as logged) or ``until`` (a gap)."""
        found = self.hold_break
        if found is None:
            return None
        text = {"cause": found.cause, "at": self.clock(found.time_s)}
        if found.value is not None:
            text["value"] = format(found.value, "f")
        if found.end_s is not None:
            text["until"] = self.clock(found.end_s)
        return text


def clock_text(time_s: Decimal, start_clock: str | None) -> str:
    """See ``ChamberSummary.clock``."""
    whole = int(time_s)
    if start_clock is None:
        hours, rest = divmod(whole, 3600)
        return _hm(hours, rest // 60, rest % 60)
    start = datetime.datetime.fromisoformat(start_clock)
    moment = start + datetime.timedelta(seconds=whole)
    text = _hm(moment.hour, moment.minute, moment.second)
    return text if moment.date() == start.date() else f"{moment.date().isoformat()} {text}"


def _hm(hours: int, minutes: int, seconds: int) -> str:
    return f"{hours}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


def chamber_template() -> bytes:
    """A UTF-8 CSV template for the chamber log: comment lines that explain it, then the header.

    Lines starting with # are comments; the parser skips them.
    """
    lines = (
        "# Vacuum weight-loss chamber log: one row per reading, in time order.",
        "# time_s: seconds since the start of the log. Instead of time_s you may give a column",
        "#   timestamp with ISO 8601 date and time, e.g. 2026-07-01T08:00:00+08:00.",
        "# temperature_c: chamber temperature in degrees Celsius.",
        "# pressure_pa: ABSOLUTE chamber pressure in pascal (not gauge pressure).",
        "# Log at least once a minute for the whole test. Delete these comment lines if you like.",
        ",".join(("time_s", *CHAMBER_VALUE_COLUMNS)),
    )
    return ("\n".join(lines) + "\n").encode("utf-8")


class _Stats:
    """Whole-log figures, updated while the readings stream past."""

    def __init__(self) -> None:
        self.rows = 0
        self.last_time = _ZERO
        self.max_interval = _ZERO
        self.t_min: Decimal | None = None
        self.t_max: Decimal | None = None
        self.p_min: Decimal | None = None
        self.p_max: Decimal | None = None
        self.warnings: list[str] = []
        self.dropped_warnings = 0
        self.start_clock: str | None = None  # the first timestamp, ISO 8601

    def warn(self, template: str, params: dict[str, object]) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(template % params)
        else:
            self.dropped_warnings += 1


def summarise_chamber_log(
    stream: BinaryIO,
    *,
    target_c: Number,
    tolerance_c: Number,
    max_pressure_pa: Number,
    max_gap_s: Number | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ChamberSummary:
    """Read a chamber log once, in bounded memory, and report its longest continuous hold
    within the given thresholds (from the rule set), what broke it, and whole-log figures.
    ``progress(rows, bytes)`` is called now and then while reading (bytes as far as the stream
    tells).

    Raises ``RawDataRejected`` (line number included) for a file that is not a chamber log, a
    missing column, a value that is not a number, time going backwards, or a negative pressure.
    """
    target, tolerance, pressure_limit, gap_limit = thresholds(
        target_c, tolerance_c, max_pressure_pa, max_gap_s
    )
    tracker = HoldTracker(
        target_c=target, tolerance_c=tolerance, max_pressure_pa=pressure_limit, max_gap_s=gap_limit
    )
    text, encoding = open_text_stream(stream, accepted=CHAMBER_ACCEPTED)
    lines = LineSource(text, encoding)
    header_line, delimiter, columns = _read_header(lines)
    time_column = "time_s" if "time_s" in columns else "timestamp"
    stats = _Stats()
    feed = _PreviewFeed()
    reader = csv.reader(lines, delimiter=delimiter)
    readings = _readings(reader, header_line, delimiter, columns, time_column, stats, gap_limit)
    try:
        for reading in readings:
            tracker.add(reading)
            if feed.add(reading) and progress is not None:
                progress(stats.rows, _position(stream))
    except csv.Error as exc:
        line = header_line + reader.line_num
        raise RawDataRejected(MSG_BAD_CSV, {"line": line, "detail": str(exc)}, line=line) from None
    except UnicodeDecodeError:
        line = header_line + reader.line_num
        raise RawDataRejected(
            MSG_BAD_TEXT, {"encoding": encoding, "line": line}, line=line
        ) from None
    if stats.rows == 0:
        raise RawDataRejected(MSG_NO_ROWS)
    tracker.finish()
    if progress is not None:
        progress(stats.rows, _position(stream))
    warnings = tuple(stats.warnings)
    if stats.dropped_warnings:
        warnings += (WARN_MORE % {"count": stats.dropped_warnings},)
    assert stats.t_min is not None and stats.t_max is not None  # at least one row was read
    assert stats.p_min is not None and stats.p_max is not None
    return ChamberSummary(
        encoding=encoding,
        time_column=time_column,
        rows_read=stats.rows,
        duration_s=stats.last_time,
        max_interval_s=stats.max_interval,
        min_temperature_c=stats.t_min,
        max_temperature_c=stats.t_max,
        min_pressure_pa=stats.p_min,
        max_pressure_pa=stats.p_max,
        target_c=target,
        tolerance_c=tolerance,
        pressure_limit_pa=pressure_limit,
        max_gap_s=gap_limit,
        hold=tracker.hold,
        warnings=warnings,
        preview=feed.result(),
        excursions=tuple(tracker.excursions),
        excursions_omitted=tracker.excursions_omitted,
        gaps=tuple(tracker.gaps),
        gaps_omitted=tracker.gaps_omitted,
        hold_break=tracker.hold_break,
        start_clock=stats.start_clock,
    )


class _PreviewFeed:
    """Both series into ``PreviewBuilder``s, a batch of readings at a time (floats: a chart)."""

    BATCH = 4096

    def __init__(self) -> None:
        self.builders = {"temperature_c": PreviewBuilder(), "pressure_pa": PreviewBuilder()}
        self._t: list[float] = []
        self._temperature: list[float] = []
        self._pressure: list[float] = []

    def add(self, reading: ChamberReading) -> bool:
        """Buffer one reading; True when a batch was just handed on."""
        self._t.append(float(reading.time_s))
        self._temperature.append(float(reading.temperature_c))
        self._pressure.append(float(reading.pressure_pa))
        if len(self._t) < self.BATCH:
            return False
        self._flush()
        return True

    def _flush(self) -> None:
        if not self._t:
            return
        t = np.array(self._t)
        self.builders["temperature_c"].add(t, np.array(self._temperature))
        self.builders["pressure_pa"].add(t, np.array(self._pressure))
        self._t, self._temperature, self._pressure = [], [], []

    def result(self) -> dict[str, SeriesPreview]:
        self._flush()
        return {name: builder.result() for name, builder in self.builders.items()}


def _position(stream: BinaryIO) -> int:
    """Bytes read from ``stream`` so far, when it can tell (read ahead by a buffer)."""
    try:
        return stream.tell()
    except (AttributeError, OSError, ValueError):
        return 0


def _is_comment_or_blank(line: str) -> bool:
    text = line.strip().lstrip("\ufeff")
    return not text or text.startswith("#")


def _read_header(lines: LineSource) -> tuple[int, str, dict[str, int]]:
    """Skip comments and blank lines; return the header's line, delimiter and column indexes."""
    for _ in range(_MAX_PREAMBLE_LINES):
        line = lines.readline()
        if not line:
            break
        if _is_comment_or_blank(line):
            continue
        text = line.rstrip("\r\n").lstrip("\ufeff")
        delimiter = guess_delimiter(text)
        labels = split_line(text, delimiter)
        columns: dict[str, int] = {}
        for index, label in enumerate(labels):
            name = label.strip().lower()
            if name in columns and name in (*CHAMBER_TIME_COLUMNS, *CHAMBER_VALUE_COLUMNS):
                raise RawDataRejected(
                    MSG_DUPLICATE_COLUMN,
                    {"line": lines.line_no, "column": name},
                    line=lines.line_no,
                )
            columns.setdefault(name, index)
        missing = [name for name in CHAMBER_VALUE_COLUMNS if name not in columns]
        if not any(name in columns for name in CHAMBER_TIME_COLUMNS):
            missing.insert(0, "time_s (or timestamp)")
        if len(missing) == 3:
            continue  # a title or preamble line, not the header
        if missing:
            raise RawDataRejected(
                MSG_MISSING_COLUMNS,
                {
                    "line": lines.line_no,
                    "missing": ", ".join(missing),
                    "accepted": CHAMBER_ACCEPTED,
                },
                line=lines.line_no,
            )
        return lines.line_no, delimiter, columns
    raise RawDataRejected(MSG_NO_HEADER, {"accepted": CHAMBER_ACCEPTED})


def _decimal(text: str, column: str, line: int, decimal_comma: bool) -> Decimal:
    value = text.strip()
    if not value:
        raise RawDataRejected(MSG_EMPTY_VALUE, {"line": line, "column": column}, line=line)
    if decimal_comma:
        value = value.replace(",", ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise RawDataRejected(
            MSG_NOT_NUMBER, {"line": line, "column": column, "value": value[:40]}, line=line
        )
    if not _fits_float(number):
        raise RawDataRejected(
            MSG_NUMBER_TOO_LARGE, {"line": line, "column": column, "value": value[:40]}, line=line
        )
    return number


def _fits_float(number: Decimal) -> bool:
    """Whether the summary can carry ``number`` (it is stored as a float, and one beyond the
    float range would be Infinity, which the database refuses)."""
    return math.isfinite(float(number))


def _elapsed(delta: datetime.timedelta) -> Decimal:
    """A timedelta in seconds, exactly."""
    return Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds) * _MICRO


def _readings(
    reader: CsvReader,
    header_line: int,
    delimiter: str,
    columns: dict[str, int],
    time_column: str,
    stats: _Stats,
    gap_limit: Decimal | None,
) -> Iterator[ChamberReading]:
    """Parse, check and yield the readings one by one, keeping the whole-log figures."""
    decimal_comma = delimiter != ","
    time_i = columns[time_column]
    temp_i = columns["temperature_c"]
    pres_i = columns["pressure_pa"]
    width = max(time_i, temp_i, pres_i) + 1
    first_stamp: datetime.datetime | None = None
    first_time: Decimal | None = None
    previous: Decimal | None = None
    for row in reader:
        line = header_line + reader.line_num
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if len(row) < width:
            row = row + [""] * (width - len(row))
        if time_column == "time_s":
            raw = _decimal(row[time_i], "time_s", line, decimal_comma)
            if first_time is None:
                first_time = raw
            time_s = raw - first_time
            if not _fits_float(time_s):
                raise RawDataRejected(MSG_TIME_TOO_LARGE, {"line": line}, line=line)
        else:
            stamp = _timestamp(row[time_i], line)
            if first_stamp is None:
                first_stamp = stamp
                stats.start_clock = stamp.isoformat()
            elif (stamp.tzinfo is None) != (first_stamp.tzinfo is None):
                raise RawDataRejected(
                    MSG_MIXED_TIMEZONES,
                    {
                        "line": line,
                        "this": "has no UTC offset" if stamp.tzinfo is None else "has a UTC offset",
                        "first": "has none" if first_stamp.tzinfo is None else "has one",
                    },
                    line=line,
                )
            time_s = _elapsed(stamp - first_stamp)
        temperature = _decimal(row[temp_i], "temperature_c", line, decimal_comma)
        pressure = _decimal(row[pres_i], "pressure_pa", line, decimal_comma)
        if previous is not None and time_s < previous:
            raise RawDataRejected(
                MSG_TIME_BACKWARDS, {"line": line, "before": previous, "after": time_s}, line=line
            )
        if pressure < 0:
            raise RawDataRejected(
                MSG_NEGATIVE_PRESSURE, {"line": line, "value": pressure}, line=line
            )
        if temperature < _ABSOLUTE_ZERO_C:
            raise RawDataRejected(
                MSG_BELOW_ABSOLUTE_ZERO, {"line": line, "value": temperature}, line=line
            )
        if previous is not None:
            gap = time_s - previous
            stats.max_interval = max(stats.max_interval, gap)
            if gap_limit is not None and gap > gap_limit:
                stats.warn(WARN_GAP, {"line": line, "gap": gap, "max_gap": gap_limit})
        stats.rows += 1
        stats.last_time = time_s
        stats.t_min = temperature if stats.t_min is None else min(stats.t_min, temperature)
        stats.t_max = temperature if stats.t_max is None else max(stats.t_max, temperature)
        stats.p_min = pressure if stats.p_min is None else min(stats.p_min, pressure)
        stats.p_max = pressure if stats.p_max is None else max(stats.p_max, pressure)
        previous = time_s
        yield ChamberReading(line, time_s, temperature, pressure)


def _timestamp(text: str, line: int) -> datetime.datetime:
    value = text.strip()
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        raise RawDataRejected(
            MSG_BAD_TIMESTAMP, {"line": line, "value": value[:40]}, line=line
        ) from None
