"""Battery-cycler time series: discharge energy from the raw data (STANDARD.md section 6).

The energy-density criterion takes ``discharge_energy_wh`` from the lab's result sheet; the cycler
export is the evidence behind that number. This module reads such an export and returns what the
criteria layer needs to cross-check it: every discharge segment with its energy
(∫ V·|I| dt by trapezoids), capacity, duration and mean current, and the "main" discharge (the
segment with the largest energy).

Pure and streaming: the binary stream is decoded incrementally and read one row at a time; no row
is kept, so a file of millions of rows summarises in a few hundred kB of memory. The format is
detected from the content, never from a file name. Every vendor is normalised to the Battery Data
Format conventions: seconds, volts, amperes, charge current positive and discharge negative.

Accepted: Battery Data Format CSV ("Test Time / s" labels, other time units, or the machine names
``test_time_second,voltage_volt,current_ampere``), Arbin CSV exports, Maccor text exports, Neware
CSV exports (English or Chinese headers, A or mA, flat or the three-level "regular export"),
BioLogic EC-Lab / BT-Lab .mpt text (header block, tabs, mA, decimal commas). Binary exports (.mpr,
.xlsx, .xls, .res, parquet) are refused with a message naming what is accepted.

Arithmetic is float on purpose: this is numerical integration over up to millions of points, and
measurement noise dwarfs float rounding. Results are rounded to 7 significant digits; the criteria
layer converts to ``Decimal`` before comparing with a limit.

Choices a reviewer should know:

* Segment = a contiguous run of rows with negative (discharge) current. When the file has a step
  index (and cycle index), a change of step also ends a segment, and zero-current rows inside a
  discharge step do not end it. A run of a single row has no interval to integrate and is not a
  segment. The trapezoid is taken between consecutive rows of the segment only; the interval
  between the last rest row and the first discharge row is not counted (as the vendors do).
* Time going backwards: an isolated glitch of at most ``MAX_TIME_GLITCH_ROWS`` consecutive rows
  whose time is earlier than the last good row (the SINTEF "Time_Bug" reference file logs the
  first row of each step at t = 0) is skipped and reported in ``warnings``; a longer run means
  the time axis really restarts (joined files, step time instead of test time) and the file is
  rejected with the line number. Skipping one row costs at most one sample interval of energy.
* The current sign follows the vendor's step type or state column where there is one (Maccor
  ``State``/``Md``, Neware ``Step Type``/``工步类型``, BDF ``Step Type / 1``): a discharge step is
  negative whatever the raw sign. A BDF file whose raw sign disagrees gets a warning.
* Maccor ``TestTime`` exported as a bare number has no unit; the unit (s, min or h) is inferred
  from the ``DPT Time`` stamps and reported in ``warnings``, else the file is rejected.
* Neware exports without a total-time column: the step time is accumulated across steps (it
  restarts at each step); failing that, the date-and-time column is used (1 s resolution).
* A last row cut off mid-line (a file copied while the cycler was writing) is ignored with a
  warning; any other short or non-numeric row rejects the file with its line number.
* The main discharge is the segment with the largest energy; a negative voltage (a reversed or
  symmetric cell) is warned about but integrated as it is.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import BinaryIO

from certification.parsers.errors import RawDataRejected
from certification.parsers.textstream import (
    MSG_BAD_TEXT,
    CsvReader,
    LineSource,
    guess_delimiter,
    open_text_stream,
    split_line,
)
from certification.vocabulary import gettext_noop

CYCLER_FORMATS: Mapping[str, str] = MappingProxyType(
    {
        "bdf": "Battery Data Format CSV",
        "arbin": "Arbin CSV export",
        "maccor": "Maccor text export",
        "neware": "Neware CSV export",
        "biologic": "BioLogic EC-Lab/BT-Lab .mpt text export",
    }
)
ACCEPTED_FORMATS = (
    "Battery Data Format CSV (Test Time / s, Voltage / V, Current / A), Arbin CSV, "
    "Maccor text, Neware CSV (English or Chinese headers) and BioLogic .mpt text"
)

# The summary lists at most this many discharge segments (in file order); the main discharge is
# always kept, and ``discharge_segment_count`` tells how many there were.
MAX_SEGMENTS_KEPT = 1000
# At most this many warnings are listed; one more line sums up the rest.
MAX_WARNINGS = 20
# Up to this many consecutive rows with an earlier time than the last good row are an isolated
# glitch (skipped, warned); one more and the file is rejected.
MAX_TIME_GLITCH_ROWS = 3

_MAX_PREAMBLE_LINES = 200
_MAX_BIOLOGIC_HEADER_LINES = 5000
_SIGNIFICANT_DIGITS = 7
_INF = float("inf")
_NEG_INF = -_INF


# --- message templates --------------------------------------------------------------------------
MSG_UNKNOWN_FORMAT = gettext_noop(
    "This file is not a recognised cycler export: no header row with time, voltage and current "
    "columns was found in its first %(lines)s lines. Accepted: %(accepted)s."
)
MSG_BAD_CSV = gettext_noop("Line %(line)s could not be read: %(detail)s.")
MSG_BIOLOGIC_HEADER = gettext_noop(
    'The BioLogic file has no valid "Nb header lines" count in its second line.'
)
MSG_MISSING_COLUMNS = gettext_noop(
    "The %(format)s header (line %(line)s) lacks required columns: %(missing)s."
)
MSG_BAD_UNIT = gettext_noop(
    'Line %(line)s: column "%(column)s" has the unit "%(unit)s"; accepted for %(quantity)s: '
    "%(accepted)s."
)
MSG_SHORT_ROW = gettext_noop(
    'Line %(line)s has %(count)s fields; the column "%(column)s" is missing from it.'
)
MSG_NOT_NUMBER = gettext_noop('Line %(line)s: column "%(column)s" holds "%(value)s", not a number.')
MSG_BAD_TIME = gettext_noop(
    'Line %(line)s: column "%(column)s" holds "%(value)s", which is neither a number nor a '
    "duration (h:mm:ss) nor a date and time."
)
MSG_TIME_BACKWARDS = gettext_noop(
    "Line %(line)s: the test time goes backwards (from %(before)s to %(after)s) and stays behind "
    "for more than %(limit)s rows. The file looks like several runs joined, or a step time "
    "instead of the test time; export one run with its test time."
)
MSG_NO_DATA = gettext_noop("The %(format)s has a header but no data rows.")
MSG_NO_DISCHARGE = gettext_noop(
    "No discharge found: none of the %(rows)s data rows of this %(format)s has a negative "
    "(discharge) current over two or more consecutive rows."
)
MSG_TIME_UNIT_UNKNOWN = gettext_noop(
    'The Maccor column "%(column)s" gives the test time without a unit, and it could not be '
    "inferred from the DPT Time stamps; export the test time in seconds or as d hh:mm:ss."
)

WARN_TIME_GLITCH = gettext_noop(
    "Line %(line)s: the test time jumps back from %(before)s to %(after)s; %(rows)s row(s) "
    "skipped as an isolated time glitch."
)
WARN_CUT_OFF = gettext_noop(
    "Line %(line)s, the last line, is incomplete (the file was cut off mid-row); it was ignored."
)
WARN_MORE = gettext_noop("… and %(count)s more warnings.")
WARN_SIGN = gettext_noop(
    "%(rows)s rows carry a current sign that contradicts their step type (the BDF convention is "
    "charge positive, discharge negative); the sign was taken from the step type."
)
WARN_NEGATIVE_VOLTAGE = gettext_noop(
    "%(rows)s rows have a negative voltage; a cell's terminal voltage is positive, so check the "
    "electrode connections or the voltage column."
)
WARN_SEGMENTS_CUT = gettext_noop(
    "Only the first %(kept)s of %(count)s discharge segments are listed."
)
WARN_TIME_UNIT_INFERRED = gettext_noop(
    'The Maccor column "%(column)s" has no unit; the DPT Time stamps show it is in %(unit)s.'
)


@dataclass(frozen=True)
class DischargeSegment:
    """One discharge: a contiguous run of rows with negative current (in the vendor's step).

    Times are seconds from the file's first data row; lines are 1-based lines of the file.
    """

    index: int  # 1-based position among all discharge segments of the file
    first_line: int
    last_line: int
    rows: int
    step: str | None  # the vendor's step index (and cycle, "cycle/step") where the file has one
    start_time_s: float
    duration_s: float
    energy_wh: float  # ∫ V·|I| dt
    capacity_ah: float  # ∫ |I| dt
    mean_current_a: float  # capacity / duration, a positive number
    start_voltage_v: float
    end_voltage_v: float


@dataclass(frozen=True)
class CyclerSummary:
    file_format: str  # a key of CYCLER_FORMATS
    encoding: str
    rows_read: int  # data rows, header and preamble excluded, skipped glitch rows included
    rows_skipped: int  # rows dropped as isolated time glitches
    duration_s: float  # first to last data row
    discharge_segment_count: int
    segments: tuple[DischargeSegment, ...]  # the first MAX_SEGMENTS_KEPT, in file order
    main_discharge: DischargeSegment  # the segment with the largest energy
    warnings: tuple[str, ...] = field(default=())


# --- header recognition -------------------------------------------------------------------------

_TIME_UNITS = {
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "ms": 0.001,
    "millisecond": 0.001,
    "min": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
}
_VOLTAGE_UNITS = {"v": 1.0, "volt": 1.0, "volts": 1.0, "mv": 0.001, "millivolt": 0.001}
_CURRENT_UNITS = {
    "a": 1.0,
    "amp": 1.0,
    "amps": 1.0,
    "ampere": 1.0,
    "ma": 0.001,
    "milliampere": 0.001,
    "ua": 1e-6,
    "microampere": 1e-6,
}
_MACHINE_UNIT = re.compile(
    r"(?P<name>[a-z0-9_]+?)_(?P<unit>second|millisecond|minute|hour|volt|millivolt|ampere"
    r"|milliampere)"
)
_BRACKET_UNIT = re.compile(r"(?P<name>.+?)\s*[(\[](?P<unit>[^()\[\]]*)[)\]]\s*")
_NAME_NOISE = re.compile(r"[\s_<>.\-]+")


@dataclass(frozen=True)
class _Column:
    index: int
    label: str  # as written in the file
    name: str  # normalised: lower case, no spaces, underscores, dots, dashes or <>
    unit: str  # normalised: lower case, µ -> u; "" when the label has none


def _column(index: int, label: str) -> _Column:
    text = label.strip().lstrip("\ufeff").strip()
    name, unit = text, ""
    if match := _BRACKET_UNIT.fullmatch(text):
        name, unit = match["name"], match["unit"]
    elif "/" in text:
        name, unit = text.rsplit("/", 1)
    elif match := _MACHINE_UNIT.fullmatch(text.lower()):
        name, unit = match["name"], match["unit"]
    unit = unit.strip().lower().replace("µ", "u").replace("μ", "u")
    return _Column(index, text, _NAME_NOISE.sub("", name.lower()), unit)


@dataclass(frozen=True)
class _Vendor:
    """Where one vendor keeps time, voltage, current, step and state, by normalised name."""

    key: str
    test_time: tuple[str, ...]
    voltage: tuple[str, ...]
    current: tuple[str, ...]
    step: tuple[str, ...] = ()
    cycle: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    step_time: tuple[str, ...] = ()  # resets at each step; used with the step index
    clock: tuple[str, ...] = ()  # date and time of day; last resort for the time axis
    default_time_unit: str | None = "s"  # for a time column without a unit; None = unknown


_BDF = _Vendor(
    "bdf",
    test_time=("testtime",),
    voltage=("voltage",),
    current=("current",),
    step=("stepindex", "stepcount"),
    cycle=("cyclecount", "cycleindex", "cycle"),
    state=("steptype",),
    clock=("unixtime",),
)
_ARBIN = _Vendor(
    "arbin",
    test_time=("testtime",),
    voltage=("voltage",),
    current=("current",),
    step=("stepindex",),
    cycle=("cycleindex",),
)
_MACCOR = _Vendor(
    "maccor",
    test_time=("test", "testtime"),
    voltage=("volts", "voltage"),
    current=("amps", "current"),
    step=("step",),
    cycle=("cyc#", "cyclep", "cycle"),
    state=("state", "md"),
    default_time_unit=None,
)
_NEWARE = _Vendor(
    "neware",
    test_time=("totaltime", "cumulativetime", "testtime", "总时间", "累计时间", "测试时间"),
    voltage=("voltage", "电压", "实际电压"),
    current=("current", "电流", "实际电流"),
    step=("stepnumber", "stepindex", "stepid", "step", "工步号", "工步序号", "步次", "工步"),
    cycle=("cycleindex", "cycleid", "cycle", "循环号", "循环序号", "循环"),
    state=("steptype", "status", "工步类型", "工步状态", "状态"),
    step_time=("time", "steptime", "relativetime", "时间", "相对时间", "工步时间"),
    clock=("date", "realtime", "absolutetime", "datetime", "日期", "绝对时间", "系统时间"),
)
_BIOLOGIC = _Vendor(
    "biologic",
    test_time=("time",),
    voltage=("ecell", "ewe"),
    current=("i",),
    step=("ns",),
    cycle=("cyclenumber",),
)
_MACCOR_CLOCK = ("dpttime",)
_NEWARE_ROW_ID = {"datapoint", "recordid", "recordindex", "数据序号", "记录序号"}
_NEWARE_HIERARCHY_TOP = {"cycleindex", "cycleid", "循环号", "循环序号"}
# BioLogic writes Windows-1252 text; GB18030 would also "decode" its µ and ° bytes.
_BIOLOGIC_MARKERS = (b"EC-Lab ASCII FILE", b"BT-Lab ASCII FILE")


def _identify(columns: list[_Column]) -> _Vendor | None:
    names = {c.name for c in columns}
    if names & {"rec#", "rec"} and names & {"amps", "current"} and names & {"state", "md"}:
        return _MACCOR
    if "datapoint" in names and "testtime" in names and names & {"current", "voltage"}:
        return _ARBIN
    if names & {"testtime", "unixtime"} and names & {"voltage", "current"}:
        return _BDF
    if "time" in names and "i" in names and names & {"ewe", "ecell"}:
        return _BIOLOGIC
    has_cjk = any("电流" in c.name or "电压" in c.name for c in columns)
    if has_cjk or (names & _NEWARE_ROW_ID and names & {"current", "voltage"}):
        return _NEWARE
    return None


@dataclass
class _Layout:
    vendor: _Vendor
    delimiter: str
    header_line: int
    columns: list[_Column]
    # Neware "regular export": step rows start with one empty field, records with two.
    hierarchical: bool = False
    step_columns: list[_Column] = field(default_factory=list)


def _read_header(lines: LineSource) -> _Layout:
    first = lines.readline()
    if first.lstrip("\ufeff").startswith(("EC-Lab ASCII FILE", "BT-Lab ASCII FILE")):
        return _read_biologic_header(lines)
    line = first
    for _ in range(_MAX_PREAMBLE_LINES):
        if not line:
            break
        text = line.rstrip("\r\n")
        if text.strip():
            delimiter = guess_delimiter(text)
            columns = [_column(i, label) for i, label in enumerate(split_line(text, delimiter))]
            if len(columns) > 1 and columns[0].name in _NEWARE_HIERARCHY_TOP:
                layout = _read_neware_hierarchy(lines, delimiter)
                if layout is not None:
                    return layout
            vendor = _identify(columns)
            if vendor is not None:
                return _Layout(vendor, delimiter, lines.line_no, columns)
        line = lines.readline()
    raise RawDataRejected(
        MSG_UNKNOWN_FORMAT, {"lines": _MAX_PREAMBLE_LINES, "accepted": ACCEPTED_FORMATS}
    )


def _read_biologic_header(lines: LineSource) -> _Layout:
    match = re.match(r"\s*Nb header lines\s*:\s*(\d+)", lines.readline())
    count = int(match[1]) if match else 0
    if not 3 <= count <= _MAX_BIOLOGIC_HEADER_LINES:
        raise RawDataRejected(MSG_BIOLOGIC_HEADER, line=2, file_format="biologic")
    while lines.line_no < count - 1:
        if not lines.readline():
            break
    header = lines.readline().rstrip("\r\n")
    columns = [_column(i, label) for i, label in enumerate(header.split("\t"))]
    return _Layout(_BIOLOGIC, "\t", lines.line_no, columns)


def _read_neware_hierarchy(lines: LineSource, delimiter: str) -> _Layout | None:
    """The two header lines after a Neware "Cycle Index" line, or None (and nothing consumed)."""
    step_line = lines.readline()
    record_line = lines.readline()
    step_fields = split_line(step_line.rstrip("\r\n"), delimiter)
    record_fields = split_line(record_line.rstrip("\r\n"), delimiter)
    if (
        len(step_fields) < 2
        or step_fields[0]
        or not step_fields[1]
        or len(record_fields) < 3
        or record_fields[0]
        or record_fields[1]
        or not record_fields[2]
    ):
        lines.unread(record_line)
        lines.unread(step_line)
        return None
    return _Layout(
        _NEWARE,
        delimiter,
        lines.line_no,
        [_column(i, label) for i, label in enumerate(record_fields)],
        hierarchical=True,
        step_columns=[_column(i, label) for i, label in enumerate(step_fields)],
    )


def _find(
    columns: list[_Column], names: Iterable[str], *, unitless: bool = False
) -> _Column | None:
    """First column, in the order of ``names``, with one of those names."""
    for name in names:
        for column in columns:
            if column.name == name and (not unitless or column.unit in ("", "1")):
                return column
    return None


# --- value parsing ------------------------------------------------------------------------------

_DURATION = re.compile(
    r"\s*(?:(?P<days>\d+)\s*d\s*|(?P<dot_days>\d+)\.(?=\d{1,2}:\d))?"
    r"(?P<h>\d+):(?P<m>\d{1,2}):(?P<s>\d{1,2}(?:[.,]\d*)?)\s*"
)
_CLOCK = re.compile(
    r"\s*(?P<a>\d{1,4})[-/.](?P<b>\d{1,2})[-/.](?P<c>\d{1,4})[ T]+"
    r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}(?:[.,]\d*)?))?\s*(?:Z|[+-]\d{2}:?\d{2})?\s*"
)


def _parse_duration(text: str) -> float:
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(text)
    days = int(match["days"] or match["dot_days"] or 0)
    seconds = float(match["s"].replace(",", "."))
    return days * 86400 + int(match["h"]) * 3600 + int(match["m"]) * 60 + seconds


class _ClockParser:
    """Date and time of day -> seconds on a uniform scale (time zone and DST are ignored).

    The date order is settled by the first value: year first (ISO); else month first, as
    BioLogic, Arbin and Maccor write it in their US default, unless the first number exceeds 12.
    """

    def __init__(self) -> None:
        self._day_first: bool | None = None
        self._days: dict[str, int] = {}

    def __call__(self, text: str) -> float:
        match = _CLOCK.fullmatch(text)
        if match is None:
            raise ValueError(text)
        date_key = text[match.start("a") : match.end("c")]
        days = self._days.get(date_key)
        if days is None:
            days = self._date(int(match["a"]), int(match["b"]), int(match["c"]), match["a"])
            if len(self._days) > 10_000:  # a test spans days, not decades; keep memory bounded
                self._days.clear()
            self._days[date_key] = days
        seconds = float((match["s"] or "0").replace(",", "."))
        return days * 86400.0 + int(match["h"]) * 3600 + int(match["m"]) * 60 + seconds

    def _date(self, a: int, b: int, c: int, a_text: str) -> int:
        if len(a_text) == 4:
            return datetime.date(a, b, c).toordinal()
        if self._day_first is None:
            self._day_first = a > 12
        day, month = (a, b) if self._day_first else (b, a)
        return datetime.date(c, month, day).toordinal()


def _looks_like_clock(text: str) -> bool:
    return _CLOCK.fullmatch(text) is not None


def _number_parser(factor: float, decimal_comma: bool) -> Callable[[str], float]:
    if decimal_comma:
        if factor == 1.0:
            return lambda text: float(text.replace(",", "."))
        return lambda text: float(text.replace(",", ".")) * factor
    if factor == 1.0:
        return float
    return lambda text: float(text) * factor


def _state_sign(state: str) -> int:
    """-1 for a discharge step, +1 for a charge step, 0 when the state says nothing."""
    text = state.strip().lower()
    if text == "d":  # Maccor
        return -1
    if text == "c":
        return 1
    if "dchg" in text or "dischg" in text or "discharge" in text or "放电" in text:
        return -1
    if "chg" in text or "charge" in text or "充电" in text:
        return 1
    return 0


def _step_label(cycle: str, step: str) -> str:
    """ "cycle/step" (or "step"), with float-written indexes such as 1.000E+000 shown as 1."""
    parts = []
    for text in (cycle, step):
        text = text.strip()
        try:
            number = float(text)
        except ValueError:
            number = None
        parts.append(str(int(number)) if number is not None and number.is_integer() else text)
    return "/".join(part for part in parts if part)


def _sig(value: float) -> float:
    return float(f"{value:.{_SIGNIFICANT_DIGITS}g}")


def _format_time(value: float) -> str:
    return f"{value:.10g}"


# --- the scan -----------------------------------------------------------------------------------


@dataclass
class _Plan:
    """Resolved columns and converters for the row loop."""

    time: _Column
    voltage: _Column
    current: _Column
    time_factor: float  # number -> seconds; 1.0 when the unit is unknown (Maccor TestTime)
    voltage_factor: float
    current_factor: float
    step_mode: bool  # time column is a step time that restarts at every step
    unknown_time_unit: bool
    step: _Column | None
    cycle: _Column | None
    state: _Column | None
    clock: _Column | None  # Maccor DPT Time, to infer the unit of a bare TestTime


def _unit_factor(
    column: _Column, units: Mapping[str, float], default: str | None, quantity: str, line: int
) -> float | None:
    unit = column.unit
    if unit in ("", "1"):
        return units[default] if default is not None else None
    if ":" in unit:  # e.g. "h:min:s.ms": values are durations, parsed per value
        return 1.0
    if unit in units:
        return units[unit]
    raise RawDataRejected(
        MSG_BAD_UNIT,
        {
            "line": line,
            "column": column.label,
            "unit": column.unit,
            "quantity": quantity,
            "accepted": ", ".join(sorted({u for u in units if len(u) <= 3})),
        },
        line=line,
    )


def _plan(layout: _Layout) -> _Plan:
    vendor, columns, line = layout.vendor, layout.columns, layout.header_line
    time = _find(columns, vendor.test_time)
    step_mode = False
    if vendor.key == "maccor" and time is not None and time.name == "test" and not time.unit:
        time = None  # "Test" alone is not a time column
    step = _find(layout.step_columns or columns, vendor.step, unitless=True)
    if time is None and vendor.step_time and step is not None:
        time = _find(columns, vendor.step_time)
        step_mode = time is not None
    if time is None and vendor.clock:
        time = _find(columns, vendor.clock)
    voltage = _find(columns, vendor.voltage)
    current = _find(columns, vendor.current)
    missing = [
        label
        for label, column in (("test time", time), ("voltage", voltage), ("current", current))
        if column is None
    ]
    if missing or time is None or voltage is None or current is None:
        raise RawDataRejected(
            MSG_MISSING_COLUMNS,
            {
                "format": CYCLER_FORMATS[vendor.key],
                "line": line,
                "missing": ", ".join(missing),
            },
            line=line,
            file_format=vendor.key,
        )
    time_factor = _unit_factor(time, _TIME_UNITS, vendor.default_time_unit, "time", line)
    voltage_factor = _unit_factor(voltage, _VOLTAGE_UNITS, "v", "voltage", line)
    current_factor = _unit_factor(current, _CURRENT_UNITS, "a", "current", line)
    assert voltage_factor is not None and current_factor is not None  # defaults are given
    return _Plan(
        time=time,
        voltage=voltage,
        current=current,
        time_factor=time_factor if time_factor is not None else 1.0,
        voltage_factor=voltage_factor,
        current_factor=current_factor,
        step_mode=step_mode,
        unknown_time_unit=time_factor is None,
        step=step,
        cycle=_find(columns, vendor.cycle, unitless=True) if not layout.hierarchical else None,
        state=_find(layout.step_columns or columns, vendor.state, unitless=True),
        clock=_find(columns, _MACCOR_CLOCK) if vendor.key == "maccor" else None,
    )


class _Warnings:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.dropped = 0

    def add(self, template: str, params: Mapping[str, object]) -> None:
        if len(self.items) < MAX_WARNINGS:
            self.items.append(template % params)
        else:
            self.dropped += 1

    def as_tuple(self) -> tuple[str, ...]:
        if self.dropped:
            return (*self.items, WARN_MORE % {"count": self.dropped})
        return tuple(self.items)


@dataclass(frozen=True)
class _RawSegment:
    """A closed discharge segment in the file's own time unit; sums as kept by the loop."""

    index: int
    first_line: int
    last_line: int
    rows: int
    step: str | None
    start_t: float
    end_t: float
    start_v: float
    end_v: float
    twice_energy: float  # twice ∫ V·I dt, negative in discharge
    twice_charge: float  # twice ∫ I dt, negative


class _Found:
    """The discharge segments found so far: a count, the first few, and the largest."""

    def __init__(self) -> None:
        self.count = 0
        self.kept: list[_RawSegment] = []
        self.main: _RawSegment | None = None

    def add(
        self,
        first_line: int,
        last_line: int,
        rows: int,
        step: str | None,
        start_t: float,
        end_t: float,
        start_v: float,
        end_v: float,
        twice_energy: float,
        twice_charge: float,
    ) -> None:
        if rows < 2:
            return  # one row spans no time: nothing to integrate
        self.count += 1
        segment = _RawSegment(
            self.count,
            first_line,
            last_line,
            rows,
            step,
            start_t,
            end_t,
            start_v,
            end_v,
            twice_energy,
            twice_charge,
        )
        if len(self.kept) < MAX_SEGMENTS_KEPT:
            self.kept.append(segment)
        # The energy is -twice_energy / 2: the largest energy has the smallest twice_energy.
        if self.main is None or twice_energy < self.main.twice_energy:
            self.main = segment


def _finish(seg: _RawSegment, first_t: float, scale: float) -> DischargeSegment:
    """Report a segment in seconds, watt-hours, ampere-hours and amperes."""
    duration_s = (seg.end_t - seg.start_t) * scale
    charge_as = -0.5 * seg.twice_charge * scale
    return DischargeSegment(
        index=seg.index,
        first_line=seg.first_line,
        last_line=seg.last_line,
        rows=seg.rows,
        step=seg.step,
        start_time_s=_sig((seg.start_t - first_t) * scale),
        duration_s=_sig(duration_s),
        energy_wh=_sig(-0.5 * seg.twice_energy * scale / 3600.0),
        capacity_ah=_sig(charge_as / 3600.0),
        mean_current_a=_sig(charge_as / duration_s) if duration_s > 0 else 0.0,
        start_voltage_v=_sig(seg.start_v),
        end_voltage_v=_sig(seg.end_v),
    )


def _hierarchy_rows(
    rows: Iterator[list[str]], width: int, step_index: int, state_index: int | None
) -> Iterator[list[str]]:
    """Neware regular export: the record rows, each padded to ``width`` fields and tagged with
    the step number and step type of the step row above it (at ``width`` and ``width + 1``).
    Cycle and step summary rows come out empty, so the caller counts them as non-data lines."""
    step, state = "", ""
    for row in rows:
        if not any(row):
            yield row
            continue
        if row[0]:
            yield []  # a cycle summary row: no data, like a blank line
            continue
        if len(row) > 1 and row[1]:  # a step summary row
            step = row[step_index] if step_index < len(row) else ""
            state = row[state_index] if state_index is not None and state_index < len(row) else ""
            yield []
            continue
        if len(row) < width:
            row.extend([""] * (width - len(row)))
        elif len(row) > width:
            del row[width:]
        row.append(step)
        row.append(state)
        yield row


def summarise_cycler(stream: BinaryIO) -> CyclerSummary:
    """Summarise a cycler export: every discharge segment and the main (largest-energy) one.

    Implements the raw-data cross-check of the energy criterion (STANDARD.md sections 4.3 and 6):
    discharge energy = ∫ V·|I| dt over the discharge step, by trapezoids. Streams: memory stays
    bounded whatever the number of rows. Raises ``RawDataRejected`` with a plain-English message.
    """
    text, encoding = open_text_stream(
        stream, accepted=ACCEPTED_FORMATS, latin1_markers=_BIOLOGIC_MARKERS
    )
    lines = LineSource(text, encoding)
    layout = _read_header(lines)
    fmt = layout.vendor.key
    reader = csv.reader(lines, delimiter=layout.delimiter)
    try:
        return _scan(reader, lines, layout, _plan(layout), encoding)
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


def _scan(
    reader: CsvReader,
    lines: LineSource,
    layout: _Layout,
    plan: _Plan,
    encoding: str,
) -> CyclerSummary:
    """The row loop. One long function on purpose: the hot path stays in one frame, works on
    local variables only and creates as few objects per row as it can (each costs time in pure
    Python, and much more under a memory tracer). So line numbers are not fetched per row but
    worked out when needed from counters that move only on rare rows (blank, skipped)."""
    fmt = layout.vendor.key
    fmt_name = CYCLER_FORMATS[fmt]
    rows: Iterator[list[str]] = reader
    n_columns = len(layout.columns)
    ti, vi, ii = plan.time.index, plan.voltage.index, plan.current.index
    si = plan.step.index if plan.step is not None else None
    ci = plan.cycle.index if plan.cycle is not None else None
    sti = plan.state.index if plan.state is not None else None
    if layout.hierarchical:
        assert si is not None  # a step header row was recognised
        rows = _hierarchy_rows(reader, n_columns, si, sti)
        si = n_columns
        sti = n_columns + 1 if sti is not None else None
    clock_i: int | None = None
    warnings = _Warnings()

    parse_time: Callable[[str], float] | None = None
    parse_v = _number_parser(plan.voltage_factor, False)
    parse_i = _number_parser(plan.current_factor, False)
    sign_cache: dict[str, int] = {}
    check_sign = fmt == "bdf"

    header_line = layout.header_line
    # Lines the reader consumed that are not data rows (blank, Neware summary, cut off), and
    # all lines that are not accepted rows (those plus time-glitch rows).
    non_rows = gaps = gaps_at_prev = 0
    rows_skipped = sign_conflicts = negative_voltage = 0
    first_t: float | None = None
    last_t = _NEG_INF  # time of the last accepted row (after step-time reconstruction)
    prev_raw_t = step_offset = 0.0
    glitch_rows = glitch_line = 0
    glitch_t = 0.0
    clock_first: tuple[float, str] | None = None
    clock_last: tuple[float, str] | None = None

    # The open segment lives in plain locals. The trapezoid rule is summed as
    # Σ I_k·(t_k+1 − t_k−1) (and V_k·I_k·… for energy), i.e. twice the integral, with one row
    # of delay: three new floats per row instead of eight.
    found = _Found()
    seg_open = False
    seg_e = seg_q = 0.0
    seg_first_line = seg_gaps = 0
    seg_start_t = seg_start_v = 0.0
    seg_label: str | None = None
    t_before_prev = 0.0
    prev_i = prev_v = 0.0
    has_step = si is not None
    same_step = True  # without a step column, only the sign of the current ends a segment
    step_text = cycle_text = ""
    prev_step: str | None = None
    prev_cycle: str | None = None
    step_mode = plan.step_mode and has_step

    for row in rows:
        try:
            t_text, v_text, i_text = row[ti], row[vi], row[ii]
        except IndexError:
            if not any(cell.strip() for cell in row):
                non_rows += 1  # a blank line
                gaps += 1
                continue
            line = header_line + reader.line_num
            if lines.only_blank_lines_left():  # the file was cut off mid-row
                warnings.add(WARN_CUT_OFF, {"line": line})
                non_rows += 1
                gaps += 1
                break
            missing = next(
                c for c in (plan.time, plan.voltage, plan.current) if c.index >= len(row)
            )
            raise RawDataRejected(
                MSG_SHORT_ROW,
                {"line": line, "count": len(row), "column": missing.label},
                line=line,
            ) from None
        if parse_time is None:
            if not (t_text.strip() or v_text.strip() or i_text.strip()):
                non_rows += 1
                gaps += 1
                continue
            parse_time, decimal_comma, numeric_time = _first_row_parsers(
                plan, t_text, v_text, i_text, layout.delimiter, header_line + reader.line_num
            )
            if not numeric_time:
                plan.unknown_time_unit = False  # d hh:mm:ss or a clock: the unit is known
            if plan.clock is not None and plan.unknown_time_unit:
                clock_i = plan.clock.index
            if decimal_comma:
                parse_v = _number_parser(plan.voltage_factor, True)
                parse_i = _number_parser(plan.current_factor, True)
        try:
            raw_t = parse_time(t_text)
            v = parse_v(v_text)
            i = parse_i(i_text)
        except ValueError:
            if not any(cell.strip() for cell in row):
                non_rows += 1
                gaps += 1
                continue
            line = header_line + reader.line_num
            if len(row) < n_columns and lines.only_blank_lines_left():
                warnings.add(WARN_CUT_OFF, {"line": line})
                non_rows += 1
                gaps += 1
                break
            raise _value_error(plan, parse_time, parse_v, parse_i, row, line) from None
        if not (_NEG_INF < raw_t < _INF and _NEG_INF < v < _INF and _NEG_INF < i < _INF):
            line = header_line + reader.line_num
            raise _value_error(plan, parse_time, parse_v, parse_i, row, line, finite=True)

        if has_step:
            step_text = row[si] if si < len(row) else ""
            cycle_text = row[ci] if ci is not None and ci < len(row) else ""
            same_step = step_text == prev_step and cycle_text == prev_cycle
        if sti is not None and sti < len(row):
            state = row[sti]
            sign = sign_cache.get(state)
            if sign is None:
                sign = _state_sign(state)
                if len(sign_cache) < 1000:
                    sign_cache[state] = sign
            if sign:
                if check_sign and i * sign < 0:
                    sign_conflicts += 1
                i = -abs(i) if sign < 0 else abs(i)

        if step_mode:
            if not same_step and raw_t < prev_raw_t:
                step_offset = last_t
            prev_raw_t = raw_t
            t = raw_t + step_offset
        else:
            t = raw_t

        if t < last_t:
            if glitch_rows == 0:
                glitch_line, glitch_t = header_line + reader.line_num, t
            glitch_rows += 1
            rows_skipped += 1
            gaps += 1
            if glitch_rows > MAX_TIME_GLITCH_ROWS:
                raise RawDataRejected(
                    MSG_TIME_BACKWARDS,
                    {
                        "line": glitch_line,
                        "before": _format_time(last_t),
                        "after": _format_time(glitch_t),
                        "limit": MAX_TIME_GLITCH_ROWS,
                    },
                    line=glitch_line,
                )
            continue
        if glitch_rows:
            warnings.add(
                WARN_TIME_GLITCH,
                {
                    "line": glitch_line,
                    "before": _format_time(last_t),
                    "after": _format_time(glitch_t),
                    "rows": glitch_rows,
                },
            )
            glitch_rows = 0
        if first_t is None:
            first_t = t
        if v < 0:
            negative_voltage += 1
        if clock_i is not None and clock_i < len(row):
            if clock_first is None:
                clock_first = (t, row[clock_i])
            clock_last = (t, row[clock_i])

        # A discharge row, or a zero-current row inside the discharge's step, continues the
        # open segment; any other row closes it, and a discharge row then opens a new one.
        if seg_open and same_step and (i < 0 or (i == 0 and has_step)):
            span = t - t_before_prev
            charge = prev_i * span
            seg_q += charge
            seg_e += prev_v * charge
            t_before_prev = last_t
        else:
            if seg_open:
                span = last_t - t_before_prev
                charge = prev_i * span
                line = header_line + reader.line_num - 1 - (gaps - gaps_at_prev)
                found.add(
                    seg_first_line, line, line - seg_first_line + 1 - (gaps_at_prev - seg_gaps),
                    seg_label, seg_start_t, last_t, seg_start_v, prev_v,
                    seg_e + prev_v * charge, seg_q + charge,
                )  # fmt: skip
                seg_open = False
            if i < 0:
                seg_open = True
                seg_e = seg_q = 0.0
                seg_first_line, seg_gaps = header_line + reader.line_num, gaps
                seg_start_t, seg_start_v, t_before_prev = t, v, t
                seg_label = _step_label(cycle_text, step_text) if has_step else None
        prev_i = i
        prev_v = v
        last_t = t
        gaps_at_prev = gaps
        if has_step:
            prev_step, prev_cycle = step_text, cycle_text

    if glitch_rows:
        warnings.add(
            WARN_TIME_GLITCH,
            {
                "line": glitch_line,
                "before": _format_time(last_t),
                "after": _format_time(glitch_t),
                "rows": glitch_rows,
            },
        )
    if seg_open:
        span = last_t - t_before_prev
        charge = prev_i * span
        line = header_line + reader.line_num - (gaps - gaps_at_prev)
        found.add(
            seg_first_line, line, line - seg_first_line + 1 - (gaps_at_prev - seg_gaps),
            seg_label, seg_start_t, last_t, seg_start_v, prev_v,
            seg_e + prev_v * charge, seg_q + charge,
        )  # fmt: skip
    rows_read = reader.line_num - non_rows
    if rows_read == 0 or first_t is None:
        raise RawDataRejected(MSG_NO_DATA, {"format": fmt_name}, file_format=fmt)
    if found.main is None:
        raise RawDataRejected(
            MSG_NO_DISCHARGE, {"rows": f"{rows_read:,}", "format": fmt_name}, file_format=fmt
        )
    scale = 1.0  # seconds per unit of the time column, when it was not known up front
    if plan.unknown_time_unit:
        scale = _infer_time_scale(plan, clock_first, clock_last, warnings)
    if sign_conflicts:
        warnings.add(WARN_SIGN, {"rows": f"{sign_conflicts:,}"})
    if negative_voltage:
        warnings.add(WARN_NEGATIVE_VOLTAGE, {"rows": f"{negative_voltage:,}"})
    if found.count > len(found.kept):
        warnings.add(
            WARN_SEGMENTS_CUT, {"kept": f"{len(found.kept):,}", "count": f"{found.count:,}"}
        )
    return CyclerSummary(
        file_format=fmt,
        encoding=encoding,
        rows_read=rows_read,
        rows_skipped=rows_skipped,
        duration_s=_sig((last_t - first_t) * scale),
        discharge_segment_count=found.count,
        segments=tuple(_finish(seg, first_t, scale) for seg in found.kept),
        main_discharge=_finish(found.main, first_t, scale),
        warnings=warnings.as_tuple(),
    )


def _first_row_parsers(
    plan: _Plan, t_text: str, v_text: str, i_text: str, delimiter: str, line: int
) -> tuple[Callable[[str], float], bool, bool]:
    """Settle, from the first data row, how time is written and whether decimals use commas.

    Returns the time parser, whether decimals use commas, and whether time is a plain number.
    """
    decimal_comma = delimiter != "," and any(
        "," in text and "." not in text for text in (t_text, v_text, i_text)
    )
    sample = t_text.strip()
    if ":" in sample:
        if _looks_like_clock(sample):
            return _ClockParser(), decimal_comma, False
        if _DURATION.fullmatch(sample):
            return _parse_duration, decimal_comma, False
        raise RawDataRejected(
            MSG_BAD_TIME,
            {"line": line, "column": plan.time.label, "value": sample[:40]},
            line=line,
        )
    return _number_parser(plan.time_factor, decimal_comma), decimal_comma, True


def _value_error(
    plan: _Plan,
    parse_time: Callable[[str], float],
    parse_v: Callable[[str], float],
    parse_i: Callable[[str], float],
    row: list[str],
    line: int,
    *,
    finite: bool = False,
) -> RawDataRejected:
    """The precise error for a row whose time, voltage or current did not parse."""
    for column, parse in (
        (plan.time, parse_time),
        (plan.voltage, parse_v),
        (plan.current, parse_i),
    ):
        value = row[column.index]
        try:
            number = parse(value)
        except ValueError:
            number = None
        if number is None or (finite and number - number != 0.0):
            template = MSG_BAD_TIME if column is plan.time and number is None else MSG_NOT_NUMBER
            return RawDataRejected(
                template,
                {"line": line, "column": column.label, "value": value.strip()[:40]},
                line=line,
            )
    return RawDataRejected(  # pragma: no cover - one of the three failed to get here
        MSG_NOT_NUMBER, {"line": line, "column": plan.current.label, "value": ""}, line=line
    )


def _infer_time_scale(
    plan: _Plan,
    first: tuple[float, str] | None,
    last: tuple[float, str] | None,
    warnings: _Warnings,
) -> float:
    """Seconds per unit of a bare Maccor TestTime, from the DPT Time stamps of the same rows."""
    column = plan.time.label
    if first is not None and last is not None and last[0] > first[0]:
        parser = _ClockParser()
        try:
            clock_span = parser(last[1]) - parser(first[1])
        except ValueError:
            clock_span = 0.0
        if clock_span >= 60:  # stamps have 1 s resolution; a minute tells s from min from h
            ratio = clock_span / (last[0] - first[0])
            for scale, unit in ((1.0, "seconds"), (60.0, "minutes"), (3600.0, "hours")):
                if abs(ratio / scale - 1.0) < 0.05:
                    warnings.add(WARN_TIME_UNIT_INFERRED, {"column": column, "unit": unit})
                    return scale
    raise RawDataRejected(MSG_TIME_UNIT_UNKNOWN, {"column": column}, file_format="maccor")
