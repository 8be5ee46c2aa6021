"""The columns the row loop reads and the factors that bring their values to s, V and A.

Settled once from the header (``plan_columns``): which column is the test time (or, failing
that, a step time to accumulate, or a date and time), the voltage and the current, the optional
step, cycle and state columns, and each unit's factor. A missing column or a unit that is not a
time, voltage or current unit rejects the file with the header's line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from certification.parsers.cycler.columns import (
    CURRENT_UNITS,
    TIME_UNITS,
    VOLTAGE_UNITS,
    Column,
    Layout,
    find,
)
from certification.parsers.cycler.messages import MSG_BAD_UNIT, MSG_MISSING_COLUMNS
from certification.parsers.cycler.summary import CYCLER_FORMATS
from certification.parsers.errors import RawDataRejected


@dataclass(frozen=True)
class Plan:
    """Resolved columns and converters for the row loop."""

    time: Column
    voltage: Column
    current: Column
    time_factor: float  # number -> seconds; 1.0 when the unit is unknown (Maccor TestTime)
    voltage_factor: float
    current_factor: float
    step_mode: bool  # time column is a step time that restarts at every step
    unknown_time_unit: bool  # a bare number is still unknown: it may be a duration or a clock
    step: Column | None
    cycle: Column | None
    state: Column | None
    clock: Column | None  # Maccor DPT Time, to infer the unit of a bare TestTime


def _unit_factor(
    column: Column, units: Mapping[str, float], default: str | None, quantity: str, line: int
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


def plan_columns(layout: Layout) -> Plan:
    vendor, columns, line = layout.vendor, layout.columns, layout.header_line
    time = find(columns, vendor.test_time)
    step_mode = False
    if time is not None and time.name in vendor.time_needs_unit and not time.unit:
        time = None
    step = find(layout.step_columns or columns, vendor.step, unitless=True)
    if time is None and vendor.step_time and step is not None:
        time = find(columns, vendor.step_time)
        step_mode = time is not None
    if time is None and vendor.clock:
        time = find(columns, vendor.clock)
    voltage = find(columns, vendor.voltage)
    current = find(columns, vendor.current)
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
    time_factor = _unit_factor(time, TIME_UNITS, vendor.default_time_unit, "time", line)
    voltage_factor = _unit_factor(voltage, VOLTAGE_UNITS, "v", "voltage", line)
    current_factor = _unit_factor(current, CURRENT_UNITS, "a", "current", line)
    assert voltage_factor is not None and current_factor is not None  # defaults are given
    return Plan(
        time=time,
        voltage=voltage,
        current=current,
        time_factor=time_factor if time_factor is not None else 1.0,
        voltage_factor=voltage_factor,
        current_factor=current_factor,
        step_mode=step_mode,
        unknown_time_unit=time_factor is None,
        step=step,
        cycle=find(columns, vendor.cycle, unitless=True) if not layout.hierarchical else None,
        state=find(layout.step_columns or columns, vendor.state, unitless=True),
        clock=find(columns, vendor.unit_clock),
    )
