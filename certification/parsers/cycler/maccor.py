"""Maccor text exports (tab-separated, a preamble before the header).

``Rec#``, ``Cyc#``, ``Step``, ``Test (Sec)`` or ``TestTime``, ``Amps``, ``Volts``, ``State`` (or
``Md``: C charge, D discharge, R rest) and often ``DPT Time``. The current is unsigned; the state
gives the sign. A ``TestTime`` exported as a bare number has no unit: it is inferred from the
``DPT Time`` stamps of the same rows (s, min or h) and reported in the warnings, else the file is
rejected.
"""

from __future__ import annotations

from certification.parsers.cycler.columns import Column, Vendor
from certification.parsers.cycler.messages import MSG_TIME_UNIT_UNKNOWN, WARN_TIME_UNIT_INFERRED
from certification.parsers.cycler.summary import Warnings
from certification.parsers.cycler.values import ClockParser
from certification.parsers.errors import RawDataRejected

VENDOR = Vendor(
    "maccor",
    test_time=("test", "testtime"),
    voltage=("volts", "voltage"),
    current=("amps", "current"),
    step=("step",),
    cycle=("cyc#", "cyclep", "cycle"),
    state=("state", "md"),
    default_time_unit=None,
    time_needs_unit=("test",),  # "Test (Sec)" is the test time; "Test" alone is not
    unit_clock=("dpttime",),
)


def recognises(names: set[str], columns: list[Column]) -> bool:
    """A record number, a current and a state column."""
    return bool(names & {"rec#", "rec"} and names & {"amps", "current"} and names & {"state", "md"})


def infer_time_scale(
    column: str,
    first: tuple[float, str] | None,
    last: tuple[float, str] | None,
    warnings: Warnings,
) -> float:
    """Seconds per unit of a bare Maccor TestTime, from the DPT Time stamps of the same rows.

    ``first`` and ``last`` are (test time, DPT Time text) of the first and last data rows;
    ``column`` is the time column's label, for the messages.
    """
    if first is not None and last is not None and last[0] > first[0]:
        parser = ClockParser()
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
