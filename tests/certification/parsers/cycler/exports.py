"""Helpers for the cycler tests: the real files, and synthetic exports made on the fly.

Real files live in tests/data/cyclers (see SOURCES.md there); wherever a file carries the
vendor's own energy, capacity or power, the tests check the parser against it independently.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from certification.parsers.cycler.scan import summarise_cycler
from certification.parsers.cycler.summary import CyclerSummary
from certification.parsers.errors import RawDataRejected

DATA = Path(__file__).resolve().parents[3] / "data" / "cyclers"


SINTEF = (
    "bdf/SINTEF__SLPBA842124HV__2024-10-23__Rate_25degC__Neware__Time_Bug__lines_7132-9620.bdf.csv"
)


def summarise(data: bytes) -> CyclerSummary:
    return summarise_cycler(io.BytesIO(data))


def summarise_file(name: str) -> CyclerSummary:
    with (DATA / name).open("rb") as stream:
        return summarise_cycler(stream)


def rejection(data: bytes) -> RawDataRejected:
    with pytest.raises(RawDataRejected) as caught:
        summarise(data)
    return caught.value


def trapezoid(times: list[float], values: list[float]) -> float:
    return sum(
        (values[k] + values[k - 1]) / 2 * (times[k] - times[k - 1]) for k in range(1, len(times))
    )


def constant_discharge(
    header: str, *, time_scale: float, volt_scale: float, amp_scale: float, sep: str = ","
) -> bytes:
    """Rest 60 s, then 3.6 V at 2 A discharge for one hour, sampled every 10 s."""
    lines = [header]
    for second in range(0, 3600 + 60 + 1, 10):
        amps = 0.0 if second < 60 else -2.0
        values = (second / time_scale, 3.6 / volt_scale, amps / amp_scale)
        lines.append(sep.join(f"{value:.10g}" for value in values))
    return ("\n".join(lines) + "\n").encode()


UNIT = {"time_scale": 1, "volt_scale": 1, "amp_scale": 1}


def bdf(rows: list[tuple], header: str = "Test Time / s,Voltage / V,Current / A") -> bytes:
    return ("\n".join([header, *(",".join(str(value) for value in row) for row in rows)])).encode()
