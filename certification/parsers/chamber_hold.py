"""The hold of a chamber log, and what interrupted it: excursions, logging gaps, the first break.

``HoldTracker`` takes the readings of a log one at a time, in order, and keeps only what a summary
and its chart need, in bounded memory:

* the longest hold: a run of consecutive complying readings (target − tolerance <= temperature
  <= target + tolerance, both ends included, and pressure <= the limit) with no gap between two
  of its readings longer than ``max_gap_s``; its duration is first to last reading, nothing
  extrapolated. Ties keep the earlier run.
* the excursions: each run of consecutive readings outside the conditions *after* the chamber
  first reached them (the warm-up is no excursion; the cool-down at the end is one), with its
  worst value; the first ``MAX_MARKS`` are kept, the rest counted.
* the gaps: each interval between two consecutive readings longer than ``max_gap_s`` after the
  chamber first reached the conditions (none when the rule set gives no limit); the first
  ``MAX_MARKS`` kept, the rest counted.
* the first break: the earliest thing that ended a hold (an excursion, named by its worst value
  and that value's time; a gap, by its two ends), or, when nothing did, the end of the log. It is
  what a sentence names when the hold is too short.

The thresholds come from the rule set, as parameters; none is written here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# A threshold may be given as Decimal (as the rule set holds it), int, str, or float.
Number = Decimal | int | float | str
# Excursions and gaps kept for a chart and a reviewer; more are only counted. Presentation only.
MAX_MARKS = 50
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ChamberReading:
    """One row of a chamber log; time is seconds since the log's first reading."""

    line: int
    time_s: Decimal
    temperature_c: Decimal
    pressure_pa: Decimal


@dataclass(frozen=True)
class ChamberHold:
    """The longest continuous run of complying readings (all ``None`` and 0 when none)."""

    duration_s: Decimal
    start_s: Decimal | None = None
    end_s: Decimal | None = None
    first_line: int | None = None
    last_line: int | None = None
    readings: int = 0
    min_temperature_c: Decimal | None = None
    max_temperature_c: Decimal | None = None
    max_pressure_pa: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ChamberExcursion:
    """Consecutive readings outside the conditions, after the chamber first reached them.

    ``quantity`` is what the first of them broke ("temperature" outside the band, else
    "pressure" over the limit); ``value`` is its worst value in the run (furthest outside the
    band, or the highest pressure), read at ``time_s`` on ``line``; ``start_s`` and ``end_s`` are
    the first and last reading outside."""

    time_s: Decimal
    line: int
    quantity: str
    value: Decimal
    start_s: Decimal
    end_s: Decimal
    readings: int


@dataclass(frozen=True, slots=True)
class ChamberGap:
    """No readings from ``start_s`` to ``end_s``, longer than the allowed gap; ``line`` is the
    reading after the gap."""

    start_s: Decimal
    end_s: Decimal
    line: int


@dataclass(frozen=True, slots=True)
class HoldBreak:
    """What first ended a hold. ``cause``: "temperature" or "pressure" (an excursion: ``value``
    at ``time_s``), "gap" (no readings ``time_s`` to ``end_s``), "end" (the log ends at
    ``time_s`` while the chamber still held)."""

    cause: str
    time_s: Decimal
    line: int
    value: Decimal | None = None
    end_s: Decimal | None = None


def _threshold(value: Number, name: str) -> Decimal:
    # A float goes through str() so 0.1 means 0.1, not its binary neighbour.
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{name} must be finite, not {value!r}")
    return number


def thresholds(
    target_c: Number, tolerance_c: Number, max_pressure_pa: Number, max_gap_s: Number | None
) -> tuple[Decimal, Decimal, Decimal, Decimal | None]:
    """Validate the rule set's thresholds; a bad one is a programming error (ValueError)."""
    target = _threshold(target_c, "target_c")
    tolerance = _threshold(tolerance_c, "tolerance_c")
    pressure_limit = _threshold(max_pressure_pa, "max_pressure_pa")
    gap_limit = None if max_gap_s is None else _threshold(max_gap_s, "max_gap_s")
    if tolerance < 0:
        raise ValueError("tolerance_c must not be negative")
    if pressure_limit < 0:
        raise ValueError("max_pressure_pa must not be negative")
    if gap_limit is not None and gap_limit <= 0:
        raise ValueError("max_gap_s must be positive")
    return target, tolerance, pressure_limit, gap_limit


class _Run:
    """A run of complying readings being extended."""

    __slots__ = ("first", "last", "readings", "t_min", "t_max", "p_max")

    def __init__(self, reading: ChamberReading) -> None:
        self.first = self.last = reading
        self.readings = 1
        self.t_min = self.t_max = reading.temperature_c
        self.p_max = reading.pressure_pa

    def extend(self, reading: ChamberReading) -> None:
        self.last = reading
        self.readings += 1
        self.t_min = min(self.t_min, reading.temperature_c)
        self.t_max = max(self.t_max, reading.temperature_c)
        self.p_max = max(self.p_max, reading.pressure_pa)

    @property
    def duration_s(self) -> Decimal:
        return self.last.time_s - self.first.time_s

    def hold(self) -> ChamberHold:
        return ChamberHold(
            duration_s=self.duration_s,
            start_s=self.first.time_s,
            end_s=self.last.time_s,
            first_line=self.first.line,
            last_line=self.last.line,
            readings=self.readings,
            min_temperature_c=self.t_min,
            max_temperature_c=self.t_max,
            max_pressure_pa=self.p_max,
        )


class _Episode:
    """An excursion being followed: its first reading's quantity, and its worst reading."""

    __slots__ = ("quantity", "start", "last", "worst", "worst_by", "readings")

    def __init__(self, reading: ChamberReading, quantity: str, badness: Decimal) -> None:
        self.quantity = quantity
        self.start = self.last = self.worst = reading
        self.worst_by = badness
        self.readings = 1

    def extend(self, reading: ChamberReading, badness: Decimal) -> None:
        self.last = reading
        self.readings += 1
        if badness > self.worst_by:
            self.worst, self.worst_by = reading, badness

    def excursion(self) -> ChamberExcursion:
        worst = self.worst
        value = worst.temperature_c if self.quantity == "temperature" else worst.pressure_pa
        return ChamberExcursion(
            time_s=worst.time_s,
            line=worst.line,
            quantity=self.quantity,
            value=value,
            start_s=self.start.time_s,
            end_s=self.last.time_s,
            readings=self.readings,
        )


class HoldTracker:
    """The longest hold, the excursions, the gaps and the first break of a log, reading by
    reading (see the module docstring)."""

    def __init__(
        self,
        *,
        target_c: Number,
        tolerance_c: Number,
        max_pressure_pa: Number,
        max_gap_s: Number | None = None,
    ) -> None:
        target, tolerance, self.pressure_limit, self.gap_limit = thresholds(
            target_c, tolerance_c, max_pressure_pa, max_gap_s
        )
        self.low, self.high = target - tolerance, target + tolerance
        self.excursions: list[ChamberExcursion] = []
        self.excursions_omitted = 0
        self.gaps: list[ChamberGap] = []
        self.gaps_omitted = 0
        self.hold_break: HoldBreak | None = None
        self._best: ChamberHold | None = None
        self._run: _Run | None = None
        self._episode: _Episode | None = None
        self._break_pending = False  # a hold just ended with a reading outside the conditions
        self._breaking: _Episode | None = None  # the excursion that is the first break
        self._previous: ChamberReading | None = None
        self._reached = False  # the chamber has complied at least once

    @property
    def hold(self) -> ChamberHold:
        return self._best if self._best is not None else ChamberHold(duration_s=_ZERO)

    def _temperature_out_by(self, t: Decimal) -> Decimal:
        return self.low - t if t < self.low else (t - self.high if t > self.high else _ZERO)

    def add(self, reading: ChamberReading) -> None:
        previous = self._previous
        gap = (
            self.gap_limit is not None
            and previous is not None
            and reading.time_s - previous.time_s > self.gap_limit
        )
        if gap and self._reached:  # a gap in the warm-up hides no break of a hold
            assert previous is not None
            if len(self.gaps) < MAX_MARKS:
                self.gaps.append(ChamberGap(previous.time_s, reading.time_s, reading.line))
            else:
                self.gaps_omitted += 1
            if self._run is not None and self.hold_break is None:
                self.hold_break = HoldBreak(
                    "gap", previous.time_s, reading.line, end_s=reading.time_s
                )
        temperature_by = self._temperature_out_by(reading.temperature_c)
        complies = temperature_by == 0 and reading.pressure_pa <= self.pressure_limit
        if complies:
            self._close_episode()
            self._reached = True
            if self._run is not None and not gap:
                self._run.extend(reading)
            else:
                self._close_run()
                self._run = _Run(reading)
        else:
            if self._run is not None and not gap and self.hold_break is None:
                self._break_pending = True  # the excursion opened next is the first break
            self._close_run()
            self._follow_excursion(reading, temperature_by)
        self._previous = reading

    def _follow_excursion(self, reading: ChamberReading, temperature_by: Decimal) -> None:
        if not self._reached:
            return  # the warm-up
        episode = self._episode
        if episode is None:
            quantity = "temperature" if temperature_by > 0 else "pressure"
            episode = self._episode = _Episode(
                reading, quantity, self._badness(reading, quantity, temperature_by)
            )
            if self._break_pending:
                self._breaking, self._break_pending = episode, False
        else:
            episode.extend(reading, self._badness(reading, episode.quantity, temperature_by))

    def _badness(self, reading: ChamberReading, quantity: str, temperature_by: Decimal) -> Decimal:
        return temperature_by if quantity == "temperature" else reading.pressure_pa

    def _close_episode(self) -> None:
        episode, self._episode = self._episode, None
        if episode is None:
            return
        excursion = episode.excursion()
        if len(self.excursions) < MAX_MARKS:
            self.excursions.append(excursion)
        else:
            self.excursions_omitted += 1
        if episode is self._breaking:
            self._breaking = None
            self.hold_break = HoldBreak(
                excursion.quantity, excursion.time_s, excursion.line, value=excursion.value
            )

    def _close_run(self) -> None:
        run, self._run = self._run, None
        if run is not None and (self._best is None or run.duration_s > self._best.duration_s):
            self._best = run.hold()

    def finish(self) -> None:
        """Close what is open: the last run, the last excursion; the end of the log is the
        first break when nothing else ended a hold."""
        last = self._previous
        if self._run is not None and self.hold_break is None and last is not None:
            self.hold_break = HoldBreak("end", last.time_s, last.line)
        self._close_run()
        self._close_episode()


def longest_hold(
    readings: Iterable[ChamberReading],
    *,
    target_c: Number,
    tolerance_c: Number,
    max_pressure_pa: Number,
    max_gap_s: Number | None = None,
) -> ChamberHold:
    """The longest time the chamber stayed, continuously, within target ± tolerance at or below
    the pressure limit, with no reading gap over ``max_gap_s`` (STANDARD.md section 4, criterion
    1: the test conditions). Consumes the readings once, in order. Ties keep the earlier run.
    """
    tracker = HoldTracker(
        target_c=target_c,
        tolerance_c=tolerance_c,
        max_pressure_pa=max_pressure_pa,
        max_gap_s=max_gap_s,
    )
    for reading in readings:
        tracker.add(reading)
    tracker.finish()
    return tracker.hold
