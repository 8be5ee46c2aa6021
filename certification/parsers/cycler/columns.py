"""Column labels and where each vendor keeps what.

A header label is read into a normalised name and unit ("Current(mA)" -> ``current``, ``ma``;
"Test Time / s" -> ``testtime``, ``s``; "test_time_second" -> ``testtime``, ``second``), so one
vendor description matches all the spellings its exports use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# Factors to seconds, volts and amperes, by normalised unit.
TIME_UNITS = {
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
VOLTAGE_UNITS = {"v": 1.0, "volt": 1.0, "volts": 1.0, "mv": 0.001, "millivolt": 0.001}
CURRENT_UNITS = {
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
class Column:
    """One column of a header line."""

    index: int
    label: str  # as written in the file
    name: str  # normalised: lower case, no spaces, underscores, dots, dashes or <>
    unit: str  # normalised: lower case, µ -> u; "" when the label has none


def column(index: int, label: str) -> Column:
    """A header label split into its normalised name and unit ("Voltage(V)", "Test Time / s",
    "voltage_volt" and "Ecell/V" all work)."""
    text = label.strip().lstrip("\ufeff").strip()
    name, unit = text, ""
    if match := _BRACKET_UNIT.fullmatch(text):
        name, unit = match["name"], match["unit"]
    elif "/" in text:
        name, unit = text.rsplit("/", 1)
    elif match := _MACHINE_UNIT.fullmatch(text.lower()):
        name, unit = match["name"], match["unit"]
    unit = unit.strip().lower().replace("µ", "u").replace("μ", "u")
    return Column(index, text, _NAME_NOISE.sub("", name.lower()), unit)


@dataclass(frozen=True)
class Vendor:
    """Where one vendor keeps time, voltage, current, step and state, by normalised name."""

    key: str  # a key of CYCLER_FORMATS
    test_time: tuple[str, ...]
    voltage: tuple[str, ...]
    current: tuple[str, ...]
    step: tuple[str, ...] = ()
    cycle: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    step_time: tuple[str, ...] = ()  # resets at each step; used with the step index
    clock: tuple[str, ...] = ()  # date and time of day; last resort for the time axis
    default_time_unit: str | None = "s"  # for a time column without a unit; None = unknown
    # Test-time names that are a time column only when the label carries a unit.
    time_needs_unit: tuple[str, ...] = ()
    # Date-and-time columns that tell the unit of a test time written without one.
    unit_clock: tuple[str, ...] = ()
    # The raw current sign is meant to agree with the step type: count the rows where it does not.
    check_sign: bool = False


@dataclass
class Layout:
    """What the header says: the vendor, the delimiter, the header's line and its columns."""

    vendor: Vendor
    delimiter: str
    header_line: int
    columns: list[Column]
    # Neware "regular export": step rows start with one empty field, records with two.
    hierarchical: bool = False
    step_columns: list[Column] = field(default_factory=list)


def find(columns: list[Column], names: Iterable[str], *, unitless: bool = False) -> Column | None:
    """First column, in the order of ``names``, with one of those names."""
    for name in names:
        for column in columns:
            if column.name == name and (not unitless or column.unit in ("", "1")):
                return column
    return None
