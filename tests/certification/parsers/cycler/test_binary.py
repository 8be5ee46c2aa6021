"""Binary cycler files (BioLogic .mpr, Neware .ndax, .xlsx workbooks): real files checked
against the vendor's own numbers, and every way such a file can be bad."""

from __future__ import annotations

import io
import zipfile

import fastnda
import numpy as np
import openpyxl
import pyarrow.feather as feather
import pytest
from galvani import BioLogic

from certification.parsers.cycler.binary import sniff, summarise_binary
from certification.parsers.cycler.binary.zipguard import ZipLimits
from certification.parsers.cycler.summary import CyclerSummary
from certification.parsers.errors import RawDataRejected
from tests.certification.parsers.cycler.exports import DATA

GCPL = "biologic/250116_kigr_gen6_01_02_GCPL_CD8.mpr"
NDAX = "neware/nw4-120-6-1-36.ndax"
NDAX_REFERENCE = "neware/46_1_5_60_ZZZZZZZZTEST_20250924092922"
ARBIN_XLSX = "arbin/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx"


def summarise_bytes(data: bytes, **kwargs) -> CyclerSummary:
    stream = io.BytesIO(data)
    head = sniff(stream)
    assert head is not None
    return summarise_binary(stream, head, **kwargs)


def summarise_file(name: str, **kwargs) -> CyclerSummary:
    return summarise_bytes((DATA / name).read_bytes(), **kwargs)


def refusal(data: bytes, **kwargs) -> RawDataRejected:
    with pytest.raises(RawDataRejected) as caught:
        summarise_bytes(data, **kwargs)
    return caught.value


# BioLogic .mpr


def test_a_real_gcpl_mpr_without_a_current_column_matches_ec_labs_own_capacity():
    summary = summarise_file(GCPL)

    records = BioLogic.MPRfile(str(DATA / GCPL)).data
    main = summary.main_discharge
    assert summary.file_format == "biologic_mpr"
    assert summary.rows_read == len(records) == 3791
    assert summary.discharge_segment_count == 3
    # EC-Lab's charge of the half cycle at the segment's last record.
    assert main.capacity_ah * 1000 == pytest.approx(
        abs(records["Q charge/discharge/mA.h"][main.last_line - 1]), rel=1e-4
    )
    assert (main.start_voltage_v, main.end_voltage_v) == pytest.approx((4.7885, 3.5582), rel=1e-4)
    assert main.energy_wh == pytest.approx(0.007765016, rel=1e-6)
    assert summary.warnings == (
        "The .mpr file records no current column; the current of each record was derived from "
        "the charge passed since the record before (dq/mA.h) over the time between them.",
    )


@pytest.mark.parametrize(
    ("name", "technique"),
    [
        ("biologic/PEIS.mpr", "Potentio Electrochemical Impedance Spectroscopy"),
    ],
)
def test_a_real_mpr_of_a_technique_that_is_no_energy_test_is_refused_naming_it(name, technique):
    error = refusal((DATA / name).read_bytes())

    assert error.file_format == "biologic_mpr"
    assert error.message.startswith(f'This BioLogic .mpr file records "{technique}", which is not')


def test_the_real_cp_mpr_against_a_reference_electrode_has_no_positive_energy():
    error = refusal((DATA / "biologic/cp.mpr").read_bytes())

    assert error.message.startswith(
        "Lines 1 to 121: the largest discharge of this BioLogic EC-Lab .mpr file has an energy "
        "of -0.01134 Wh, which is not positive (its voltage runs from -3.246 V to -3.594 V)."
    )


def test_a_real_mpr_without_a_current_is_refused_naming_its_columns():
    error = refusal((DATA / "biologic/commercial_cell_001__1753343328_C01.mpr").read_bytes())

    assert error.message == (
        "The BioLogic .mpr file lacks a current (I/mA or dq/mA.h) (its columns: Ns, time/s, "
        "Ewe/V); export a file that records time, the cell voltage (Ewe or Ecell) and the current "
        "(I or dq)."
    )


def test_a_truncated_mpr_is_refused():
    data = (DATA / GCPL).read_bytes()

    error = refusal(data[: len(data) // 2])

    assert error.file_format == "biologic_mpr"
    assert error.message.startswith("The BioLogic .mpr file could not be read: ")


# Neware .ndax


def test_a_real_ndax_matches_the_energy_and_capacity_neware_recorded():
    summary = summarise_file(NDAX)

    records = fastnda.read(DATA / NDAX, cycle_mode="raw")  # the vendor's own running totals
    main = summary.main_discharge
    segment = records[main.first_line - 1 : main.last_line]
    assert summary.file_format == "neware_ndax"
    assert summary.rows_read == len(records) == 7257
    assert set(segment["step_type"].to_list()) == {"CC_DChg"}
    assert main.energy_wh * 1000 == pytest.approx(abs(segment["energy_mWh"][-1]), rel=1e-4)
    assert main.capacity_ah * 1000 == pytest.approx(abs(segment["capacity_mAh"][-1]), rel=1e-4)


def test_a_real_ndax_matches_newarendas_independent_decoding():
    summary = summarise_file(f"{NDAX_REFERENCE}.ndax")

    reference = feather.read_table(DATA / f"{NDAX_REFERENCE}.ftr").to_pydict()
    main = summary.main_discharge
    last = main.last_line - 1
    assert reference["Status"][main.first_line - 1] == reference["Status"][last] == "CC_DChg"
    assert reference["Status"][last + 1] == "Rest"
    assert main.energy_wh * 1000 == pytest.approx(
        reference["Discharge_Energy(mWh)"][last], rel=1e-3
    )
    assert main.capacity_ah * 1000 == pytest.approx(
        reference["Discharge_Capacity(mAh)"][last], rel=1e-3
    )
    assert main.start_voltage_v == pytest.approx(3.029949, rel=1e-6)


def test_the_navani_ndax_is_read():
    summary = summarise_file("neware/test.ndax")

    assert (summary.file_format, summary.rows_read, summary.discharge_segment_count) == (
        "neware_ndax",
        1464,
        1,
    )
    assert summary.main_discharge.energy_wh == pytest.approx(0.001876646, rel=1e-6)


def test_a_truncated_ndax_is_refused_as_a_damaged_container():
    data = (DATA / NDAX).read_bytes()

    error = refusal(data[: len(data) // 2])

    assert error.message.startswith(
        "This is a ZIP container (an .xlsx workbook or a Neware .ndax file), but damaged or cut "
        "off: it could not be read ("
    )


# .xlsx workbooks


def test_a_real_arbin_xlsx_matches_the_discharge_energy_column():
    summary = summarise_file(ARBIN_XLSX)

    workbook = openpyxl.load_workbook(DATA / ARBIN_XLSX, read_only=True)
    rows = list(workbook["Channel_11_1"].iter_rows(values_only=True))
    workbook.close()
    main = summary.main_discharge
    assert summary.file_format == "arbin_xlsx"
    assert summary.rows_read == len(rows) - 1
    # Record k is line k + 1; the sheet's row k + 2, rows[k + 1] here. Column K: Discharge_Energy.
    assert rows[0][10] == "Discharge_Energy(Wh)"
    assert main.energy_wh == pytest.approx(
        rows[main.last_line][10] - rows[main.first_line][10], rel=1e-4
    )


def test_the_real_neware_xlsx_with_excel_times_is_read_and_has_no_discharge():
    error = refusal((DATA / "neware/sample_data_neware.xlsx").read_bytes())

    assert error.file_format == "neware_xlsx"
    assert error.message == (
        "No discharge found: none of the 105 data rows of this Neware .xlsx export has a "
        "negative (discharge) current over two or more consecutive rows."
    )


def workbook(rows: list[list[object]], title: str = "record") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


NEWARE_HEADER = ["Total Time", "Step Index", "Step Type", "Current(mA)", "Voltage(V)"]


@pytest.mark.parametrize("bad", ["n/a", "NaN", "", None])
def test_a_cell_that_is_no_number_is_refused_naming_sheet_row_and_column(bad):
    rows = [NEWARE_HEADER] + [[t, 2, "CC DChg", 500, 3.6] for t in range(10)]
    rows[5][4] = bad

    error = refusal(workbook(rows))

    assert error.line == 6
    assert error.message == (
        f'Sheet "record", row 6: column "Voltage(V)" holds "{bad or ""}", not a number.'
    )


def test_a_workbook_without_a_cycler_header_names_its_sheets_and_what_was_looked_for():
    error = refusal(workbook([["name", "mass"], ["A1", 3.2]], title="samples"))

    assert error.message.startswith(
        'No sheet of this .xlsx workbook ("samples") starts with a cycler header row in its first '
        "50 rows. Looked for: Maccor"
    )


def test_a_workbook_with_a_header_only_is_refused():
    error = refusal(workbook([NEWARE_HEADER]))

    assert (error.file_format, error.message) == (
        "neware_xlsx",
        "The Neware .xlsx export has a header but no data rows.",
    )


def test_a_workbook_whose_time_goes_back_for_good_is_refused_naming_the_record():
    times = list(range(50)) + list(range(10))
    error = refusal(workbook([NEWARE_HEADER] + [[t, 2, "CC DChg", 500, 3.6] for t in times]))

    # Record 51 (sheet row 52: summarise_columns numbers records, not sheet rows).
    assert error.line == 51
    assert "the test time goes backwards (from 49 to 0)" in error.message


def test_a_workbook_with_an_unknown_unit_is_refused_naming_it():
    header = ["Total Time", "Step Index", "Step Type", "Current(kA)", "Voltage(V)"]

    error = refusal(workbook([header, [0, 1, "Rest", 0, 3.6]]))

    assert error.file_format == "neware_xlsx"
    assert error.message.startswith('Line 1: column "Current(kA)" has the unit "ka"; accepted')


def test_a_neware_xlsx_with_the_step_type_reads_the_sign_from_it():
    rows = [NEWARE_HEADER] + [[t * 60, 2, "CC DChg", 500, 3.6] for t in range(61)]

    summary = summarise_bytes(workbook(rows))

    assert summary.file_format == "neware_xlsx"
    assert summary.main_discharge.energy_wh == pytest.approx(3.6 * 0.5)


# ZIP containers: bombs and other archives


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("member", ["xl/workbook.xml", "data.ndc"])
def test_a_zip_bomb_posing_as_xlsx_or_ndax_is_refused_before_inflating(member):
    bomb = zip_of({member: bytes(20 * 1024 * 1024)})  # 20 MiB of zeros pack into ~20 kB
    assert len(bomb) < 100_000

    error = refusal(bomb)

    assert f'member "{member}" would inflate from ' in error.message
    assert "to 20,971,520 bytes, more than 250 times its packed size: a zip bomb" in error.message


def test_a_real_ndax_beyond_the_size_limit_is_refused():
    error = refusal((DATA / NDAX).read_bytes(), zip_limits=ZipLimits(max_total_bytes=100_000))

    assert error.message.startswith(
        "The ZIP container would inflate to more than 100,000 bytes (by its member "
    )


def test_a_zip_of_something_else_is_refused_naming_what_it_holds():
    error = refusal(zip_of({"word/document.xml": b"<w/>", "readme.txt": b"hi"}))

    assert error.message.startswith(
        "This is a ZIP container but neither an .xlsx workbook nor a Neware .ndax file (it holds "
        "readme.txt, word/document.xml). Accepted: "
    )


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n", "a PDF document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "an old Excel .xls (or other OLE) file"),
        (b"PAR1" + bytes(100), "a Parquet file"),
    ],
)
def test_a_binary_file_the_portal_does_not_read_is_named(data, what):
    error = refusal(data)

    assert error.message.startswith(f"This is {what}, which the portal does not read. Accepted: ")


def test_text_is_left_to_the_text_reader():
    assert sniff(io.BytesIO(b"Test Time / s,Voltage / V,Current / A\n")) is None


def test_sniffing_leaves_the_stream_where_it_was():
    stream = io.BytesIO(b"xx" + (DATA / NDAX).read_bytes())
    stream.seek(2)

    assert sniff(stream) is not None
    assert stream.tell() == 2
    assert np.frombuffer(stream.read(2), dtype=np.uint8).tolist() == [0x50, 0x4B]  # "PK"
