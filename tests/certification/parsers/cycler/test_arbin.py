"""Arbin CSV exports."""

from __future__ import annotations

import csv

import pytest

from tests.certification.parsers.cycler.exports import DATA, summarise_file, trapezoid


def test_its_arbin_energy_matches_a_naive_full_load_trapezoid_and_the_vendor_column():
    with (DATA / "arbin/CS2_33_8_18_10.csv").open(newline="") as stream:
        rows = [row for row in csv.DictReader(stream) if row["Step_Index"] == "7"]
    times = [float(row["Test_Time(s)"]) for row in rows]
    power = [float(row["Voltage(V)"]) * -float(row["Current(A)"]) for row in rows]
    current = [-float(row["Current(A)"]) for row in rows]
    vendor_wh = float(rows[-1]["Discharge_Energy(Wh)"]) - float(rows[0]["Discharge_Energy(Wh)"])

    main = summarise_file("arbin/CS2_33_8_18_10.csv").main_discharge

    assert main.rows == len(rows)
    assert main.energy_wh == pytest.approx(trapezoid(times, power) / 3600, rel=1e-6)
    assert main.capacity_ah == pytest.approx(trapezoid(times, current) / 3600, rel=1e-6)
    assert main.duration_s == pytest.approx(times[-1] - times[0], rel=1e-6)
    assert main.energy_wh == pytest.approx(vendor_wh, rel=1e-4)
    assert main.mean_current_a == pytest.approx(0.55, rel=1e-3)
    assert (main.first_line, main.last_line) == (260, 514)
