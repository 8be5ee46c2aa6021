"""Arbin CSV exports: ``Data_Point``, ``Test_Time(s)``, ``Step_Index``, ``Cycle_Index``,
``Current(A)``, ``Voltage(V)``; discharge current is negative."""

from __future__ import annotations

from certification.parsers.cycler.columns import Column, Vendor

VENDOR = Vendor(
    "arbin",
    test_time=("testtime",),
    voltage=("voltage",),
    current=("current",),
    step=("stepindex",),
    cycle=("cycleindex",),
)


LOOKED_FOR = (
    "Arbin (Data_Point or Date_Time with Step_Index and Cycle_Index, Test_Time, Current or Voltage)"
)


def recognises(names: set[str], columns: list[Column]) -> bool:
    """A data-point counter (or, as Arbin's .xlsx export has instead, a date-and-time column with
    the step and cycle indexes), a test time and a voltage or current column."""
    counter = "datapoint" in names or {"datetime", "stepindex", "cycleindex"} <= names
    return bool(counter and "testtime" in names and names & {"current", "voltage"})
