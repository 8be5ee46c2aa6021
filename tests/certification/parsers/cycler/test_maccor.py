"""Maccor text exports: the vendor's watt-hours, a test time without a unit, milli units, a
12-hour clock."""

from __future__ import annotations

import csv

import pytest

from certification.parsers.cycler import maccor
from certification.parsers.cycler.columns import column
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


def vendor_rows(name: str, skip: int) -> list[dict[str, str]]:
    """The discharge rows of a real Maccor file, as the vendor wrote them."""
    with (DATA / name).open(newline="", encoding="latin-1") as stream:
        for _ in range(skip):
            stream.readline()
        rows = csv.DictReader(stream, delimiter="\t")
        return [row for row in rows if row.get("State", row.get("Md")) == "D"]


MILLI = "maccor/maccor_three__lines_1-700.txt"
TWELVE_HOUR = "maccor/maccor_002__lines_1-15_3500-4100.txt"


def test_it_reads_a_maccor_milli_unit_export_in_ma_and_mv():
    summary = summarise_file(MILLI)

    rows = vendor_rows(MILLI, skip=4)
    main = summary.main_discharge
    assert summary.file_format == "maccor"
    assert summary.warnings == ()
    # The vendor's own mWatt-hr and mAmp-hr: "Volts" holds mV beside the milli columns.
    assert main.energy_wh == pytest.approx(
        (float(rows[-1]["mWatt-hr"]) - float(rows[0]["mWatt-hr"])) / 1000, rel=1e-4
    )
    assert main.capacity_ah == pytest.approx(
        (float(rows[-1]["mAmp-hr"]) - float(rows[0]["mAmp-hr"])) / 1000, rel=1e-4
    )
    assert main.mean_current_a == pytest.approx(0.896, rel=1e-3)
    assert (main.start_voltage_v, main.end_voltage_v) == pytest.approx((3.7406, 1.3001), rel=1e-4)


def test_it_reads_maccor_dpt_stamps_on_a_12_hour_clock_across_midnight():
    summary = summarise_file(TWELVE_HOUR)

    rows = vendor_rows(TWELVE_HOUR, skip=13)
    main = summary.main_discharge
    assert summary.warnings == (
        'The Maccor column "TestTime" has no unit; the DPT Time stamps show it is in minutes.',
    )
    # The excerpt's discharge runs from 10:49:51 PM to 2:55:43 AM the next day.
    assert main.duration_s == pytest.approx(
        (float(rows[-1]["TestTime"]) - float(rows[0]["TestTime"])) * 60, rel=1e-6
    )
    assert main.energy_wh == pytest.approx(
        float(rows[-1]["Ener. [Wh]"]) - float(rows[0]["Ener. [Wh]"]), rel=1e-4
    )


@pytest.mark.parametrize(
    ("labels", "current", "voltage"),
    [
        (["Rec#", "Step", "TestTime", "mAmps", "Volts", "State"], ("amps", "ma"), ("volts", "mv")),
        (["Rec#", "Step", "TestTime", "mAmps", "mVolts", "State"], ("amps", "ma"), ("volts", "mv")),
        (["Rec#", "Step", "TestTime", "Amps", "Volts", "State"], ("amps", ""), ("volts", "")),
    ],
)
def test_milli_labels_are_their_quantity_in_milli_units(labels, current, voltage):
    columns = maccor.milli_units([column(i, label) for i, label in enumerate(labels)])

    assert (columns[3].name, columns[3].unit) == current
    assert (columns[4].name, columns[4].unit) == voltage


def test_a_header_that_is_no_cycler_header_names_what_was_looked_for():
    error = rejection(b"Rec#\tCyc#\tStep\tmAmpere\tVolts\tMode\n1\t0\t1\t0.0\t3.4\tR\n")

    assert error.message.startswith(
        "This file is not a recognised cycler export: none of its first 200 lines is the header "
        'row of an accepted format (its first line with text reads "Rec# Cyc# Step mAmpere Volts '
        'Mode"). Looked for: Maccor (Rec# or Rec, Amps or mAmps or Current, State or Md); '
    )
    assert "Battery Data Format (Test Time / s" in error.message
    assert 'BioLogic (a first line "EC-Lab ASCII FILE"' in error.message
