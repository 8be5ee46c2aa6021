"""Maccor text exports: the vendor's watt-hours, a test time without a unit."""

from __future__ import annotations

import csv

import pytest

from tests.certification.parsers.cycler.exports import DATA, rejection, summarise, summarise_file


def test_its_maccor_energy_matches_the_watt_hour_column():
    path = DATA / "maccor/PredictionDiagnostics_000151_test.052"
    with path.open(newline="") as stream:
        stream.readline()
        rows = [row for row in csv.DictReader(stream, delimiter="\t") if row["Rec#"]]

    main = summarise_file("maccor/PredictionDiagnostics_000151_test.052").main_discharge

    vendor_wh = float(rows[-1]["Watt-hr"]) - float(rows[0]["Watt-hr"])
    assert main.energy_wh == pytest.approx(vendor_wh, rel=1e-4)
    assert main.capacity_ah == pytest.approx(
        float(rows[-1]["Amp-hr"]) - float(rows[0]["Amp-hr"]), rel=1e-4
    )


def maccor_minutes(*, with_clock: bool = True) -> bytes:
    """A Maccor template whose TestTime is in minutes, with no unit written anywhere."""
    columns = ["Rec", "Cycle P", "Cycle C", "Step", "TestTime", "StepTime", "Cap. [Ah]"]
    columns += ["Current [A]", "Voltage [V]", "Md"] + (["DPT Time"] if with_clock else [])
    lines = ["Name:\tTEST-1", "Channel:\t81", "", "\t".join(columns), ""]
    for minute in range(61):
        state = "R" if minute < 1 else "D"
        amps = "0,0000" if minute < 1 else "1,0000"  # unsigned: the state says discharge
        row = [str(minute + 1), "0", "1", "1" if minute < 1 else "2", f"{minute},000000"]
        row += ["0,0", "0,0", amps, "3,5000", state]
        if with_clock:
            row.append(f"06/05/2021 {11 + (23 + minute) // 60:02d}:{(23 + minute) % 60:02d}:46")
        lines.append("\t".join(row))
    return ("\n".join(lines) + "\n").encode("latin-1")


def test_it_infers_a_bare_maccor_test_time_in_minutes_from_the_dpt_stamps():
    summary = summarise(maccor_minutes())

    assert summary.file_format == "maccor"
    assert summary.duration_s == 3600
    main = summary.main_discharge
    assert main.duration_s == 3540
    assert main.energy_wh == pytest.approx(3.5 * 1.0 * 3540 / 3600, rel=1e-6)
    assert main.mean_current_a == pytest.approx(1.0)
    assert summary.warnings == (
        'The Maccor column "TestTime" has no unit; the DPT Time stamps show it is in minutes.',
    )


def test_it_rejects_a_bare_maccor_test_time_it_cannot_place():
    error = rejection(maccor_minutes(with_clock=False))

    assert error.file_format == "maccor"
    assert 'The Maccor column "TestTime" gives the test time without a unit' in error.message
