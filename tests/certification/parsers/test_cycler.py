"""Cycler exports: format detection, unit and sign normalisation, discharge energy, streaming.

Real files live in tests/data/cyclers (see SOURCES.md there); wherever a file carries the
vendor's own energy, capacity or power, the test checks the parser against it independently.
"""

from __future__ import annotations

import csv
import io
import math
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from certification.parsers import cycler
from certification.parsers.cycler import (
    CYCLER_FORMATS,
    CyclerSummary,
    RawDataRejected,
    summarise_cycler,
)
from tests.certification.parsers.streams import GeneratedStream

DATA = Path(__file__).resolve().parents[2] / "data" / "cyclers"
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


# --- real files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "file_format", "encoding", "rows_read", "segments", "main_step", "energy_wh"),
    [
        ("arbin/CS2_33_8_18_10.csv", "arbin", "utf-8", 516, 1, "1/7", 4.325794),
        (SINTEF, "bdf", "utf-8", 2489, 2, "1/8", 27.78227),
        ("bdf/batmo_bdf__lines_1-569.csv", "bdf", "utf-8", 568, 2, "1/5", 0.521825),
        ("maccor/PredictionDiagnostics_000151_test.052", "maccor", "utf-8", 333, 1, "37/44", 0.01730477),
        ("neware/neware_uio__lines_2045-2415.csv", "neware", "utf-8", 371, 2, "1/4", 1.751157e-05),
        ("neware/nw_regular_export_ife_example__lines_1-423.csv", "neware", "utf-8", 415, 1, "4", 1.343475),
        ("biologic/cp.mpt", "biologic", "utf-8", 121, 1, "0/0", -0.0003324189),
        ("biologic/mb__lines_1-189.mpt", "biologic", "latin-1", 100, 1, "0/1", -3.440587e-11),
    ],
)  # fmt: skip
def test_it_summarises_each_vendors_real_export(
    name, file_format, encoding, rows_read, segments, main_step, energy_wh
):
    summary = summarise_file(name)

    assert summary.file_format == file_format
    assert summary.encoding == encoding
    assert summary.rows_read == rows_read
    assert summary.discharge_segment_count == segments == len(summary.segments)
    assert summary.main_discharge.step == main_step
    assert summary.main_discharge.energy_wh == pytest.approx(energy_wh, rel=1e-6)
    assert summary.main_discharge in summary.segments


@pytest.mark.parametrize(
    ("name", "file_format", "rows"),
    [
        ("bdf/sample.bdf.csv", "bdf", "3"),
        ("arbin/FastCharge_000025_CH8.csv", "arbin", "248"),
        ("arbin/sample_data_arbin.csv", "arbin", "13"),
        ("maccor/maccor_test_file_4267-66-6519.041", "maccor", "74"),
        ("maccor/maccor_two.txt", "maccor", "213"),
        ("biologic/Sample_data_biologic_timestamped.txt", "biologic", "8"),
    ],
)
def test_it_rejects_a_real_export_without_discharge(name, file_format, rows):
    with pytest.raises(RawDataRejected) as caught:
        summarise_file(name)

    assert caught.value.file_format == file_format
    assert "No discharge found" in caught.value.message
    assert f"none of the {rows} data rows of this {CYCLER_FORMATS[file_format]}" in str(
        caught.value
    )


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("neware/sample_data_neware.xlsx", "ZIP container (an .xlsx workbook"),
        ("biologic/cp.mpr", "BioLogic .mpr file"),
    ],
)
def test_it_rejects_binary_exports_naming_the_accepted_formats(name, what):
    with pytest.raises(RawDataRejected) as caught:
        summarise_file(name)

    assert what in caught.value.message
    assert "BioLogic .mpt text" in caught.value.message
    assert "Battery Data Format CSV" in caught.value.message


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


def test_its_neware_energy_matches_the_discharge_energy_column():
    with (DATA / "neware/neware_uio__lines_2045-2415.csv").open(newline="") as stream:
        step4 = [row for row in csv.DictReader(stream) if row["Step Index"] == "4"]

    main = summarise_file("neware/neware_uio__lines_2045-2415.csv").main_discharge

    assert main.energy_wh == pytest.approx(float(step4[-1]["DChg. Energy(Wh)"]), rel=2e-3)
    assert main.capacity_ah == pytest.approx(float(step4[-1]["DChg. Cap.(Ah)"]), rel=2e-3)
    assert main.duration_s == 10181  # 31:04:13 to 33:53:54, from hh:mm:ss


def test_its_neware_regular_export_matches_the_step_row():
    # The step row of step 4 (CC DChg) reads: capacity 0.33067 Ah, energy 1.34319 Wh.
    main = summarise_file("neware/nw_regular_export_ife_example__lines_1-423.csv").main_discharge

    assert main.energy_wh == pytest.approx(1.34319, rel=1e-3)
    assert main.capacity_ah == pytest.approx(0.33067, rel=1e-3)
    assert main.mean_current_a == pytest.approx(0.474, rel=1e-3)


def test_its_biologic_capacity_matches_the_q_discharge_column_and_warns_of_negative_voltage():
    summary = summarise_file("biologic/cp.mpt")

    assert summary.main_discharge.capacity_ah == pytest.approx(3.302615821850671e-3, rel=1e-4)
    assert summary.main_discharge.mean_current_a == pytest.approx(0.0999, rel=1e-3)  # mA -> A
    assert summary.warnings == (
        "4 rows have a negative voltage; a cell's terminal voltage is positive, so check the "
        "electrode connections or the voltage column.",
    )


# --- synthetic files: every header variant and unit --------------------------------------------


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


def test_it_reads_a_neware_export_with_chinese_headers_in_gb18030_and_ma():
    # The current is logged positive in the discharge step: the step type 恒流放电 decides.
    rows = ["数据序号,循环号,工步号,工步类型,时间,总时间,电流(mA),电压(V),容量(mAh),能量(mWh),日期"]
    record = 0
    for step, kind, seconds, milliamps in ((1, "搁置", 600, 0), (2, "恒流放电", 1800, 1500)):
        for second in range(0, seconds + 1, 60):
            record += 1
            total = (0 if step == 1 else 600) + second
            rows.append(
                f"{record},1,{step},{kind},0:{second // 60:02d}:{second % 60:02d},"
                f"{total // 3600}:{total // 60 % 60:02d}:{total % 60:02d},{milliamps},3.70,0,0,"
                "2026-01-01 00:00:00"
            )
    data = ("\n".join(rows) + "\n").encode("gb18030")

    summary = summarise(data)

    assert (summary.file_format, summary.encoding) == ("neware", "gb18030")
    assert summary.rows_read == 11 + 31
    main = summary.main_discharge
    assert main.step == "1/2"
    assert main.energy_wh == pytest.approx(3.7 * 1.5 * 1800 / 3600, rel=1e-6)
    assert main.capacity_ah == pytest.approx(0.75, rel=1e-6)
    assert main.start_time_s == 600


def test_it_rebuilds_the_test_time_from_a_neware_step_time_that_restarts_each_step():
    header = "记录序号,状态,跳转,循环,步次,电流(mA),电压(V),容量(mAh),能量(mWh),相对时间(h:min:s.ms),绝对时间"
    rows = [header]
    record = 0
    plan = ((1, "搁置", 300, 0), (2, "恒流放电", 1200, -2000), (3, "搁置", 300, 0))
    for step, state, seconds, milliamps in plan:
        for second in range(0, seconds + 1, 30):
            record += 1
            rows.append(
                f"{record},{state},1,1,{step},{milliamps},3.5,0,0,"
                f"0:{second // 60:02d}:{second % 60:02d}.000,2026-01-01 00:00:00"
            )
    data = ("\n".join(rows) + "\n").encode("gb18030")

    summary = summarise(data)

    assert summary.duration_s == 1800
    assert summary.rows_skipped == 0
    assert summary.main_discharge.start_time_s == 300
    assert summary.main_discharge.energy_wh == pytest.approx(3.5 * 2 * 1200 / 3600, rel=1e-6)


def biologic_text(*, decimal_comma: bool, current_ma: float = -500.0) -> str:
    columns = ["mode", "ox/red", "Ns", "time/s", "Ecell/V", "I/mA", "cycle number"]
    header = [
        "EC-Lab ASCII FILE",
        "Nb header lines : 7",
        "",
        "Galvanostatic Cycling with Potential Limitation",
        "",
        "Cs : 10 µF",  # a latin-1 byte in the header block
        "\t".join(columns),
    ]
    rows = []
    for second in range(0, 7201, 60):
        values = ["1", "0", "2", f"{second:.3f}", "3.800", f"{current_ma:.1f}", "1"]
        if decimal_comma:
            values = [value.replace(".", ",") for value in values]
        rows.append("\t".join(values))
    return "\n".join(header + rows) + "\n"


@pytest.mark.parametrize("decimal_comma", [False, True])
def test_it_reads_a_biologic_mpt_in_latin1_with_ma_and_decimal_commas(decimal_comma):
    data = biologic_text(decimal_comma=decimal_comma).encode("latin-1")

    summary = summarise(data)

    assert (summary.file_format, summary.encoding) == ("biologic", "latin-1")
    assert summary.rows_read == 121
    main = summary.main_discharge
    assert main.step == "1/2"
    assert main.first_line == 8
    assert main.energy_wh == pytest.approx(3.8 * 0.5 * 2, rel=1e-6)
    assert main.mean_current_a == pytest.approx(0.5, rel=1e-6)


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


def test_it_detects_the_format_from_the_content_not_the_name():
    stream = io.BytesIO(constant_discharge("Test Time / s,Voltage / V,Current / A", **UNIT))
    stream.name = "results.xlsx"

    assert summarise_cycler(stream).file_format == "bdf"


UNIT = {"time_scale": 1, "volt_scale": 1, "amp_scale": 1}


@pytest.mark.parametrize(
    ("encoding", "expected"), [("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16")]
)
def test_it_honours_a_byte_order_mark(encoding, expected):
    text = constant_discharge("Test Time / s,Voltage / V,Current / A", **UNIT).decode()

    summary = summarise(text.encode(encoding))

    assert summary.encoding == expected
    assert summary.main_discharge.energy_wh == pytest.approx(7.2)


# --- segments -----------------------------------------------------------------------------------


def bdf(rows: list[tuple], header: str = "Test Time / s,Voltage / V,Current / A") -> bytes:
    return ("\n".join([header, *(",".join(str(value) for value in row) for row in rows)])).encode()


def test_it_splits_discharges_at_charge_and_rest_and_picks_the_largest_as_main():
    rows = [(t, 3.7, -1.0) for t in range(0, 11)]  # 10 s at 1 A
    rows += [(t, 3.9, 1.0) for t in range(11, 21)]
    rows += [(t, 3.7, -2.0) for t in range(21, 41)]  # 19 s at 2 A: the main one
    rows += [(t, 3.7, 0.0) for t in range(41, 45)]
    rows += [(t, 3.7, -1.0) for t in range(45, 50)]

    summary = summarise(bdf(rows))

    assert summary.discharge_segment_count == 3
    assert [s.duration_s for s in summary.segments] == [10, 19, 4]
    assert summary.main_discharge.index == 2
    assert summary.main_discharge.energy_wh == pytest.approx(3.7 * 2 * 19 / 3600)
    assert (summary.main_discharge.first_line, summary.main_discharge.last_line) == (23, 42)


def test_a_step_change_ends_a_segment_and_zero_current_inside_a_step_does_not():
    header = "Test Time / s,Voltage / V,Current / A,Step Index / 1"
    rows = [(t, 3.7, -1.0, 1) for t in range(0, 10)]
    rows += [(10, 3.7, 0.0, 1)]  # a zero reading inside step 1
    rows += [(t, 3.7, -1.0, 1) for t in range(11, 20)]
    rows += [(t, 3.7, -1.0, 2) for t in range(20, 30)]  # still discharging, next step

    summary = summarise(bdf(rows, header))

    assert summary.discharge_segment_count == 2
    first, second = summary.segments
    assert (first.step, first.duration_s, first.rows) == ("1", 19, 20)
    assert first.capacity_ah == pytest.approx(18 / 3600)  # the zero row costs half a second twice
    assert (second.step, second.duration_s) == ("2", 9)


def test_a_zero_current_row_ends_a_segment_when_there_is_no_step_column():
    rows = [(t, 3.7, -1.0) for t in range(0, 10)] + [(10, 3.7, 0.0)]
    rows += [(t, 3.7, -1.0) for t in range(11, 20)]

    assert summarise(bdf(rows)).discharge_segment_count == 2


def test_a_single_discharge_row_is_not_a_segment():
    rows = [(0, 3.7, 0.0), (1, 3.7, -1.0), (2, 3.7, 0.0), (3, 3.7, -1.0), (4, 3.7, -1.0)]

    summary = summarise(bdf(rows))

    assert summary.discharge_segment_count == 1
    assert summary.main_discharge.first_line == 5


def test_it_keeps_a_bounded_list_of_segments_but_always_the_main_one(monkeypatch):
    monkeypatch.setattr(cycler, "MAX_SEGMENTS_KEPT", 3)
    rows = []
    for k, seconds in enumerate((5, 5, 5, 5, 50, 5)):
        start = k * 100
        rows += [(start + t, 3.7, -1.0) for t in range(seconds + 1)]
        rows += [(start + 90, 3.7, 0.0)]

    summary = summarise(bdf(rows))

    assert summary.discharge_segment_count == 6
    assert len(summary.segments) == 3
    assert summary.main_discharge.index == 5
    assert summary.main_discharge.duration_s == 50
    assert summary.warnings == ("Only the first 3 of 6 discharge segments are listed.",)


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (b"", None, "The file is empty."),
        (b"a,b,c\n1,2,3\n", None, "This file is not a recognised cycler export"),
        (
            b"Test Time / s,Voltage / V\n0,3.7\n",
            1,
            "The Battery Data Format CSV header (line 1) lacks required columns: current.",
        ),
        (
            b"Test Time / s,Voltage / V,Current / A\n0,3.7,-1\n1,n/a,-1\n",
            3,
            'Line 3: column "Voltage / V" holds "n/a", not a number.',
        ),
        (
            b"Test Time / s,Voltage / V,Current / A\n0,3.7,-1\n1,3.7,nan\n",
            3,
            'Line 3: column "Current / A" holds "nan", not a number.',
        ),
        (
            b"Test Time / s,Voltage / V,Current / A\n0,3.7,-1\nsoon,3.7,-1\n",
            3,
            'Line 3: column "Test Time / s" holds "soon", which is neither a number',
        ),
        (
            b"Test Time / s,Voltage / V,Current / A\n0,3.7,-1\n1,3.7\n2,3.7,-1\n",
            3,
            'Line 3 has 2 fields; the column "Current / A" is missing from it.',
        ),
        (
            b"Test Time / s,Voltage / V,Current / kA\n0,3.7,-1\n",
            1,
            'Line 1: column "Current / kA" has the unit "ka"; accepted for current:',
        ),
        (
            b"Test Time / s,Voltage / V,Current / A\n0,3.7,1\n1,3.7,1\n",
            None,
            "No discharge found: none of the 2 data rows",
        ),
        (b"Test Time / s,Voltage / V,Current / A\n", None, "has a header but no data rows"),
        (b"PK\x03\x04rest of a zip", None, "This is a ZIP container"),
        (b"\x00\x01\x02binary", None, "This is not a text file, a binary file."),
    ],
)
def test_it_rejects_bad_files_with_a_clear_message(data, line, message):
    error = rejection(data)

    assert message in error.message
    assert error.line == line


def test_it_rejects_time_that_goes_back_for_good_naming_the_line():
    rows = [(t, 3.7, -1.0) for t in range(100, 110)] + [(t, 3.7, -1.0) for t in range(0, 10)]

    error = rejection(bdf(rows))

    assert error.line == 12
    assert error.message.startswith(
        "Line 12: the test time goes backwards (from 109 to 0) and stays behind for more than 3 "
        "rows."
    )


def test_it_skips_an_isolated_time_glitch_of_up_to_three_rows():
    rows = [(t, 3.7, -1.0) for t in range(0, 10)]
    rows += [(0, 3.7, -1.0), (0.5, 3.7, -1.0), (1, 3.7, -1.0)]
    rows += [(t, 3.7, -1.0) for t in range(10, 20)]

    summary = summarise(bdf(rows))

    assert summary.rows_read == 23
    assert summary.rows_skipped == 3
    assert summary.discharge_segment_count == 1
    assert summary.main_discharge.duration_s == 19
    assert summary.warnings == (
        "Line 12: the test time jumps back from 9 to 0; 3 row(s) skipped as an isolated time "
        "glitch.",
    )


def test_it_ignores_a_last_row_cut_off_mid_line_and_says_so():
    data = bdf([(t, 3.7, -1.0) for t in range(10)]) + b"\n10,3.6"

    summary = summarise(data)

    assert summary.rows_read == 10
    assert summary.warnings == (
        "Line 12, the last line, is incomplete (the file was cut off mid-row); it was ignored.",
    )


def test_it_rejects_text_that_stops_decoding_after_the_sniffed_prefix():
    good = bdf([(t, 3.7, -1.0) for t in range(10_000)])  # well past the 64 kB prefix
    data = good + b"\n10000,3.7,-1\xff\n"

    error = rejection(data)

    assert error.message.startswith("The file is not utf-8 text throughout: bytes that cannot")
    assert 9000 < error.line <= 10_002  # decoding runs a block ahead of the rows


def test_it_refuses_a_line_longer_than_a_megabyte():
    data = b"Test Time / s,Voltage / V,Current / A\n" + b"1" * (2 * 1024 * 1024)

    assert "longer than 1048576 characters" in rejection(data).message


def test_its_messages_can_be_translated_from_template_and_params():
    error = rejection(b"Test Time / s,Voltage / V,Current / A\n0,3.7,-1\n1,x,-1\n")

    assert error.template == cycler.MSG_NOT_NUMBER
    assert error.template % dict(error.params) == error.message
    assert isinstance(error, ValueError)


# --- streaming ----------------------------------------------------------------------------------


def generated_bdf(rows: int) -> Iterator[bytes]:
    """A BDF file of ``rows`` rows, 1 s apart, 3.7 V at 1.5 A discharge, made 1,000 rows at a
    time: block b holds times b*1000 .. b*1000+999, written as b followed by three digits."""
    yield b"Test Time / s,Voltage / V,Current / A\n"
    template = b"".join(b"@%03d,3.7,-1.5\n" % row for row in range(1000))
    for block in range(rows // 1000):
        yield template.replace(b"@", b"%d" % block)


def test_it_streams_two_million_rows_in_bounded_memory():
    rows = 2_000_000
    tracemalloc.start()
    try:
        summary = summarise_cycler(GeneratedStream(generated_bdf(rows)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 2 * 1024 * 1024  # the file is ~30 MB; holding its rows would take ~500 MB
    assert summary.rows_read == rows
    main = summary.main_discharge
    assert main.rows == rows
    assert main.duration_s == rows - 1
    assert main.energy_wh == pytest.approx(3.7 * 1.5 * (rows - 1) / 3600, rel=1e-6)
    assert main.capacity_ah == pytest.approx(1.5 * (rows - 1) / 3600, rel=1e-6)
    assert math.isclose(main.mean_current_a, 1.5, rel_tol=1e-6)
