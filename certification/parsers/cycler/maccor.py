"""Maccor text exports (tab-separated, a preamble before the header).

``Rec#``, ``Cyc#``, ``Step``, ``Test (Sec)`` or ``TestTime``, ``Amps``, ``Volts``, ``State`` (or
``Md``: C charge, D discharge, R rest) and often ``DPT Time``. The current is unsigned; the state
gives the sign. A ``TestTime`` exported as a bare number has no unit: it is inferred from the
``DPT Time`` stamps of the same rows (s, min or h) and reported in the warnings, else the file is
rejected.

Maccor's "milli" export option writes ``mAmps``, ``mAmp-hr`` and ``mWatt-hr`` (and ``mVolts`` in
some templates); its voltage column keeps the label ``Volts`` but holds millivolts (the real WMG
export in tests/data shows it: its ``mWatt-hr`` over ``mAmp-hr`` is ``Volts`` / 1000). So in a
header with milli columns, ``Volts`` is read as mV, and each milli label as its quantity in mA,
mV, mAh or mWh (``milli_units``).
"""

from __future__ import annotations

from dataclasses import replace

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


# What the header-not-found message says this family's header has.
LOOKED_FOR = "Maccor (Rec# or Rec, Amps or mAmps or Current, State or Md)"
# Milli-unit labels of the "milli" export: normalised name -> (name, unit) of the same quantity.
_MILLI = {
    "mamps": ("amps", "ma"),
    "mvolts": ("volts", "mv"),
    "mamphr": ("amphr", "mah"),
    "mwatthr": ("watthr", "mwh"),
}


def recognises(names: set[str], columns: list[Column]) -> bool:
    """A record number, a current and a state column."""
    return bool(
        names & {"rec#", "rec"} and names & {"amps", "mamps", "current"} and names & {"state", "md"}
    )


def milli_units(columns: list[Column]) -> list[Column]:
    """The header of a "milli" export read in its units: ``mAmps`` is the current in mA, and a
    bare ``Volts`` beside milli columns holds mV (see the module's docstring). Other headers are
    returned unchanged."""
    if not any(c.name in _MILLI and not c.unit for c in columns):
        return columns
    adjusted = []
    for c in columns:
        if c.name in _MILLI and not c.unit:
            name, unit = _MILLI[c.name]
            c = replace(c, name=name, unit=unit)
        elif c.name == "volts" and not c.unit:
            c = replace(c, unit="mv")
        adjusted.append(c)
    return adjusted


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
