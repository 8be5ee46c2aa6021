"""From what a pass over the rows found to the ``CyclerSummary``: shared by the row loop
(``scan``) and the column engine (``columnar``), so both report alike.

``Totals`` is what a pass found, in the file's own time unit; ``build_summary`` rejects a file
without data or discharge, infers a missing time unit, adds the warnings counted on the way, and
converts to seconds, watt-hours and ampere-hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from certification.parsers.cycler import maccor
from certification.parsers.cycler.integration import Found, finish, sig
from certification.parsers.cycler.messages import (
    MSG_NO_DATA,
    MSG_NO_DISCHARGE,
    WARN_LONG_TIME_AXIS,
    WARN_NEGATIVE_VOLTAGE,
    WARN_REPEATED_TIME,
    WARN_SEGMENTS_CUT,
    WARN_SIGN,
)
from certification.parsers.cycler.summary import CYCLER_FORMATS, CyclerSummary, Warnings
from certification.parsers.errors import MSG_TIME_TOO_LARGE, RawDataRejected
from certification.parsers.preview import PreviewBuilder

_INF = float("inf")
_NEG_INF = -_INF


@dataclass(frozen=True)
class Totals:
    """What a pass over the rows found, for the summary."""

    last_line: int  # the line of the last accepted row
    rows_read: int  # data rows, skipped glitch rows included
    rows_skipped: int
    first_t: float | None  # time of the first and last accepted rows, in the file's unit
    last_t: float
    unknown_time_unit: bool  # a bare number whose unit the clock column must tell
    clock_first: tuple[float, str] | None  # (time, clock text) of the first and last rows
    clock_last: tuple[float, str] | None
    sign_conflicts: int
    negative_voltage: int
    found: Found
    repeated_time: int = 0  # discharge rows at the same time as the row before, in one step
    repeated_line: int = 0  # the first of them


@dataclass(frozen=True)
class Previews:
    """The builders fed with the accepted rows (time in the file's unit, sign normalised)."""

    voltage: PreviewBuilder
    current: PreviewBuilder


def time_too_large(line: int) -> RawDataRejected:
    return RawDataRejected(MSG_TIME_TOO_LARGE, {"line": line}, line=line)


def build_summary(
    totals: Totals,
    *,
    fmt: str,
    encoding: str,
    warnings: Warnings,
    time_label: str,
    previews: Previews,
    max_duration_s: float | None = None,
) -> CyclerSummary:
    """The summary of a file read to the end; rejects one without data or without discharge.
    ``time_label`` names the time column (for an inferred unit); ``max_duration_s``, where the
    rule set gives it, is the longest plausible time axis (a longer one is warned about)."""
    fmt_name = CYCLER_FORMATS.get(fmt, fmt)
    found = totals.found
    if totals.rows_read == 0 or totals.first_t is None:
        raise RawDataRejected(MSG_NO_DATA, {"format": fmt_name}, file_format=fmt)
    if found.main is None:
        raise RawDataRejected(
            MSG_NO_DISCHARGE,
            {"rows": f"{totals.rows_read:,}", "format": fmt_name},
            file_format=fmt,
        )
    scale = 1.0  # seconds per unit of the time column, when it was not known up front
    if totals.unknown_time_unit:
        scale = maccor.infer_time_scale(time_label, totals.clock_first, totals.clock_last, warnings)
    if totals.sign_conflicts:
        warnings.add(WARN_SIGN, {"rows": f"{totals.sign_conflicts:,}"})
    if totals.negative_voltage:
        warnings.add(WARN_NEGATIVE_VOLTAGE, {"rows": f"{totals.negative_voltage:,}"})
    if totals.repeated_time:
        warnings.add(
            WARN_REPEATED_TIME,
            {"line": totals.repeated_line, "rows": f"{totals.repeated_time:,}"},
        )
    if found.count > len(found.kept):
        warnings.add(
            WARN_SEGMENTS_CUT, {"kept": f"{len(found.kept):,}", "count": f"{found.count:,}"}
        )
    first_t = totals.first_t
    duration_s = sig((totals.last_t - first_t) * scale)
    if not _NEG_INF < duration_s < _INF:
        raise time_too_large(totals.last_line)
    if max_duration_s is not None and duration_s > max_duration_s:
        warnings.add(
            WARN_LONG_TIME_AXIS,
            {"duration": _days(duration_s), "limit": _days(max_duration_s)},
        )
    return CyclerSummary(
        file_format=fmt,
        encoding=encoding,
        rows_read=totals.rows_read,
        rows_skipped=totals.rows_skipped,
        duration_s=duration_s,
        discharge_segment_count=found.count,
        segments=tuple(finish(seg, first_t, scale) for seg in found.kept),
        main_discharge=finish(found.main, first_t, scale),
        warnings=warnings.as_tuple(),
        preview=MappingProxyType(
            {
                "voltage_v": previews.voltage.result(scale),
                "current_a": previews.current.result(scale),
            }
        ),
    )


def _days(seconds: float) -> str:
    return f"{seconds / 86400:,.1f}"


def new_previews() -> Previews:
    return Previews(PreviewBuilder(), PreviewBuilder())
