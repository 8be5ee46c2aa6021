"""Values of a cycler row: numbers (decimal point or comma, with a unit factor), durations
(``d hh:mm:ss``), clock times, step types and step labels.

How time is written is settled once, from the first data row (``first_row_parsers``); every
later row is parsed by the same functions, so the row loop makes no choice per row.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from certification.parsers.cycler.messages import MSG_BAD_TIME, MSG_NOT_NUMBER
from certification.parsers.cycler.plan import Plan
from certification.parsers.errors import MSG_NUMBER_TOO_LARGE, RawDataRejected

# Text -> float; raises ValueError for text that is not a value.
Parser = Callable[[str], float]

# What float() reads as infinity or not-a-number, as opposed to a number beyond its range.
_NON_FINITE = {"inf", "infinity", "nan"}
_INF = float("inf")

DURATION = re.compile(
    r"\s*(?:(?P<days>\d+)\s*d\s*|(?P<dot_days>\d+)\.(?=\d{1,2}:\d))?"
    r"(?P<h>\d+):(?P<m>\d{1,2}):(?P<s>\d{1,2}(?:[.,]\d*)?)\s*"
)
CLOCK = re.compile(
    r"\s*(?P<a>\d{1,4})[-/.](?P<b>\d{1,2})[-/.](?P<c>\d{1,4})[ T]+"
    r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}(?:[.,]\d*)?))?\s*"
    r"(?:(?P<half>[AaPp])\.?[Mm]\.?\s*)?(?:Z|[+-]\d{2}:?\d{2})?\s*"
)


def parse_duration(text: str) -> float:
    match = DURATION.fullmatch(text)
    if match is None:
        raise ValueError(text)
    days = int(match["days"] or match["dot_days"] or 0)
    seconds = float(match["s"].replace(",", "."))
    try:
        return days * 86400 + int(match["h"]) * 3600 + int(match["m"]) * 60 + seconds
    except OverflowError:  # more hours than a float holds: as float("1e400") does, infinity
        return _INF


class ClockParser:
    """Date and time of day -> seconds on a uniform scale (time zone and DST are ignored).

    A 24-hour clock or a 12-hour one with AM/PM (``5/11/2021 3:40:24 PM``, as Maccor writes its
    ``DPT Time`` on an English Windows). The date order is settled by the first value: year first
    (ISO); else month first, as BioLogic, Arbin and Maccor write it in their US default, unless
    the first number exceeds 12.
    """

    def __init__(self) -> None:
        self._day_first: bool | None = None
        self._days: dict[str, int] = {}

    def __call__(self, text: str) -> float:
        match = CLOCK.fullmatch(text)
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
        hour = int(match["h"])
        if match["half"] is not None:  # a 12-hour clock: 12:05 AM is 00:05, 12:05 PM is 12:05
            if not 1 <= hour <= 12:
                raise ValueError(text)
            hour = hour % 12 + (12 if match["half"] in "Pp" else 0)
        return days * 86400.0 + hour * 3600 + int(match["m"]) * 60 + seconds

    def _date(self, a: int, b: int, c: int, a_text: str) -> int:
        if len(a_text) == 4:
            return datetime.date(a, b, c).toordinal()
        if self._day_first is None:
            self._day_first = a > 12
        day, month = (a, b) if self._day_first else (b, a)
        return datetime.date(c, month, day).toordinal()


def looks_like_clock(text: str) -> bool:
    return CLOCK.fullmatch(text) is not None


def number_parser(factor: float, decimal_comma: bool) -> Parser:
    if decimal_comma:
        if factor == 1.0:
            return lambda text: float(text.replace(",", "."))
        return lambda text: float(text.replace(",", ".")) * factor
    if factor == 1.0:
        return float
    return lambda text: float(text) * factor


def state_sign(state: str) -> int:
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


def step_label(cycle: str, step: str) -> str:
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


def format_time(value: float) -> str:
    return f"{value:.10g}"


def first_row_parsers(
    plan: Plan, t_text: str, v_text: str, i_text: str, delimiter: str, line: int
) -> tuple[Parser, Parser, Parser, bool]:
    """Settle, from the first data row, how time is written and whether decimals use commas.

    Returns the parsers of time, voltage and current (to s, V and A, but a time of unknown unit
    as written), and whether time is a plain number.
    """
    decimal_comma = delimiter != "," and any(
        "," in text and "." not in text for text in (t_text, v_text, i_text)
    )
    parse_v = number_parser(plan.voltage_factor, decimal_comma)
    parse_i = number_parser(plan.current_factor, decimal_comma)
    sample = t_text.strip()
    if ":" in sample:
        if looks_like_clock(sample):
            return ClockParser(), parse_v, parse_i, False
        if DURATION.fullmatch(sample):
            return parse_duration, parse_v, parse_i, False
        raise RawDataRejected(
            MSG_BAD_TIME,
            {"line": line, "column": plan.time.label, "value": sample[:40]},
            line=line,
        )
    return number_parser(plan.time_factor, decimal_comma), parse_v, parse_i, True


def value_error(
    plan: Plan,
    parse_time: Parser,
    parse_v: Parser,
    parse_i: Parser,
    row: list[str],
    line: int,
    *,
    finite: bool = False,
) -> RawDataRejected:
    """The precise error for a row whose time, voltage or current did not parse (or, with
    ``finite``, parsed to infinity or not-a-number)."""
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
            if number is not None and value.strip().lstrip("+-").lower() not in _NON_FINITE:
                template = MSG_NUMBER_TOO_LARGE  # 1e309, or 1e306 h in seconds: an overflow
            return RawDataRejected(
                template,
                {"line": line, "column": column.label, "value": value.strip()[:40]},
                line=line,
            )
    return RawDataRejected(  # pragma: no cover - one of the three failed to get here
        MSG_NOT_NUMBER, {"line": line, "column": plan.current.label, "value": ""}, line=line
    )
