"""Battery Data Format CSV: every header variant and unit, the SINTEF time bug, the sign."""

from __future__ import annotations

import csv

import pytest

from tests.certification.parsers.cycler.exports import (
    DATA,
    SINTEF,
    constant_discharge,
    summarise,
    summarise_file,
    trapezoid,
)


def test_it_skips_the_sintef_time_bug_rows_and_warns_with_their_lines():
    summary = summarise_file(SINTEF)

    assert summary.rows_skipped == 6
    assert len(summary.warnings) == 6
    assert summary.warnings[0] == (
        "Line 183: the test time jumps back from 71556.99 to 0; 1 row(s) skipped as an "
        "isolated time glitch."
    )
    assert summary.duration_s == pytest.approx(93216.88 - 69757.0 + 29.89, abs=30)


def test_its_sintef_energy_matches_the_logged_power():
    with (DATA / SINTEF).open(newline="") as stream:
        rows = [
            row
            for row in csv.DictReader(stream)
            if row["step_index"] == "8" and float(row["test_time_second"]) > 0
        ]
    times = [float(row["test_time_second"]) for row in rows]
    power = [-float(row["power_watt"]) for row in rows]

    main = summarise_file(SINTEF).main_discharge

    assert main.energy_wh == pytest.approx(trapezoid(times, power) / 3600, rel=1e-4)
    assert main.mean_current_a == pytest.approx(6.55, rel=1e-3)


def test_it_takes_the_sign_from_the_step_type_when_a_bdf_file_has_it_backwards():
    summary = summarise_file("bdf/batmo_bdf__lines_1-569.csv")
    with (DATA / "bdf/batmo_bdf__lines_1-569.csv").open(newline="") as stream:
        step5 = [row for row in csv.DictReader(stream) if row["Step Index / 1"] == "5"]

    assert summary.main_discharge.capacity_ah == pytest.approx(
        float(step5[-1]["Discharge Capacity / Ah"]), rel=1e-6
    )
    assert summary.main_discharge.duration_s == pytest.approx(95000.0)  # hours -> seconds
    assert summary.warnings == (
        "521 rows carry a current sign that contradicts their step type (the BDF convention is "
        "charge positive, discharge negative); the sign was taken from the step type.",
    )


@pytest.mark.parametrize(
    ("header", "time_scale", "volt_scale", "amp_scale"),
    [
        ("Test Time / s,Voltage / V,Current / A", 1, 1, 1),
        ("Test Time / h,Voltage / V,Current / A", 3600, 1, 1),
        ("test_time_second,voltage_volt,current_ampere", 1, 1, 1),
        ("test_time_hour,voltage_millivolt,current_milliampere", 3600, 1e-3, 1e-3),
        ("Test Time / ms,Voltage / mV,Current / mA", 1e-3, 1e-3, 1e-3),
        ("Test Time / min,Voltage / V,Current / µA", 60, 1, 1e-6),
    ],
)
def test_it_reads_every_bdf_header_variant_in_si_units(header, time_scale, volt_scale, amp_scale):
    data = constant_discharge(
        header, time_scale=time_scale, volt_scale=volt_scale, amp_scale=amp_scale
    )

    summary = summarise(data)

    assert summary.file_format == "bdf"
    assert summary.duration_s == pytest.approx(3660)
    main = summary.main_discharge
    assert main.energy_wh == pytest.approx(3.6 * 2 * 3600 / 3600 - 3.6 * 2 * 0 / 3600, rel=1e-6)
    assert main.energy_wh == pytest.approx(7.2, rel=1e-6)
    assert main.capacity_ah == pytest.approx(2.0, rel=1e-6)
    assert main.duration_s == pytest.approx(3600, rel=1e-6)
    assert main.mean_current_a == pytest.approx(2.0, rel=1e-6)
    assert main.start_time_s == pytest.approx(60, rel=1e-6)
