"""Battery Data Format CSV (the Battery Data Alliance's format).

Labels carry their unit after a slash ("Test Time / s", "Voltage / V", "Current / A", any time,
voltage or current unit) or are the machine names ``test_time_second``, ``voltage_volt``,
``current_ampere``. Its conventions are the ones every other vendor is normalised to: seconds,
volts, amperes, charge positive and discharge negative. Where a ``Step Type / 1`` column gives the
step type, it decides the sign, and rows whose raw sign disagrees are counted for a warning.
"""

from __future__ import annotations

from certification.parsers.cycler.columns import Column, Vendor

VENDOR = Vendor(
    "bdf",
    test_time=("testtime",),
    voltage=("voltage",),
    current=("current",),
    step=("stepindex", "stepcount"),
    cycle=("cyclecount", "cycleindex", "cycle"),
    state=("steptype",),
    clock=("unixtime",),
    check_sign=True,
)


LOOKED_FOR = (
    "Battery Data Format (Test Time / s or Unix Time / s, Voltage / V or Current / A; or "
    "test_time_second, voltage_volt, current_ampere)"
)


def recognises(names: set[str], columns: list[Column]) -> bool:
    """A test time (or Unix time) and a voltage or current column."""
    return bool(names & {"testtime", "unixtime"} and names & {"voltage", "current"})
