"""Discharge segments and their energy: ∫ V·|I| dt and ∫ |I| dt by trapezoids.

The row loop (``scan``) keeps the open segment's sums in plain local variables, for speed; this
module says what those sums are, closes a segment with them, keeps the segments found, and
reports them in SI units.

For the rows k = f .. l of a segment, the trapezoid rule
    ∫ I dt ≈ Σ_{k=f}^{l-1} (I_k + I_{k+1}) · (t_{k+1} − t_k) / 2
is rearranged as ½ · Σ_{k=f}^{l} I_k · (t_{k+1} − t_{k−1}), with t_{f−1} = t_f and
t_{l+1} = t_l: each row's current weighs the span between its neighbours. So the loop adds
I_k · (t_{k+1} − t_{k−1}) when row k + 1 arrives (one row of delay, three new floats per row
instead of eight), and ``Found.close`` adds the last row's term. The energy is the same sum over
V_k · I_k. The sums are twice the integrals and negative in discharge.

The interval between the last rest row and the first discharge row is not counted (as the
vendors do), and a run of a single row spans no time, so it is not a segment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from certification.parsers.cycler.messages import MSG_DISCHARGE_TOO_LARGE
from certification.parsers.cycler.summary import DischargeSegment
from certification.parsers.errors import RawDataRejected

# The summary lists at most this many discharge segments (in file order); the main discharge is
# always kept, and ``discharge_segment_count`` tells how many there were.
MAX_SEGMENTS_KEPT = 1000
_SIGNIFICANT_DIGITS = 7


@dataclass(frozen=True)
class RawSegment:
    """A closed discharge segment in the file's own time unit."""

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


class Found:
    """The discharge segments found so far: a count, the first few, and the largest."""

    def __init__(self) -> None:
        self.count = 0
        self.kept: list[RawSegment] = []
        self.main: RawSegment | None = None

    def close(
        self,
        first_line: int,
        last_line: int,
        rows: int,
        step: str | None,
        start_t: float,
        start_v: float,
        end_t: float,
        end_v: float,
        end_i: float,
        t_before_last: float,
        sum_e: float,
        sum_q: float,
    ) -> None:
        """Close the open segment. ``sum_e`` and ``sum_q`` are the loop's sums over the rows
        before the last; the last row (``end_v``, ``end_i``) weighs ``end_t − t_before_last``.
        A segment of one row is dropped; one whose sums overflowed rejects the file."""
        if rows < 2:
            return  # one row spans no time: nothing to integrate
        charge = end_i * (end_t - t_before_last)
        twice_energy = sum_e + end_v * charge
        twice_charge = sum_q + charge
        if not (math.isfinite(twice_energy) and math.isfinite(twice_charge)):
            raise _too_large(first_line, last_line)
        self.count += 1
        segment = RawSegment(
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


def sig(value: float) -> float:
    """``value`` rounded to 7 significant digits."""
    return float(f"{value:.{_SIGNIFICANT_DIGITS}g}")


def finish(seg: RawSegment, first_t: float, scale: float) -> DischargeSegment:
    """Report a segment in seconds, watt-hours, ampere-hours and amperes (``scale``: seconds
    per unit of the file's time column; ``first_t``: the time of the file's first data row).
    Rejects the file when a figure overflows in the conversion."""
    duration_s = (seg.end_t - seg.start_t) * scale
    charge_as = -0.5 * seg.twice_charge * scale
    segment = DischargeSegment(
        index=seg.index,
        first_line=seg.first_line,
        last_line=seg.last_line,
        rows=seg.rows,
        step=seg.step,
        start_time_s=sig((seg.start_t - first_t) * scale),
        duration_s=sig(duration_s),
        energy_wh=sig(-0.5 * seg.twice_energy * scale / 3600.0),
        capacity_ah=sig(charge_as / 3600.0),
        mean_current_a=sig(charge_as / duration_s) if duration_s > 0 else 0.0,
        start_voltage_v=sig(seg.start_v),
        end_voltage_v=sig(seg.end_v),
    )
    figures = (duration_s, segment.start_time_s, segment.energy_wh, segment.mean_current_a)
    if not all(math.isfinite(value) for value in (*figures, segment.capacity_ah)):
        raise _too_large(seg.first_line, seg.last_line)
    return segment


def _too_large(first_line: int, last_line: int) -> RawDataRejected:
    return RawDataRejected(
        MSG_DISCHARGE_TOO_LARGE, {"first": first_line, "last": last_line}, line=first_line
    )
