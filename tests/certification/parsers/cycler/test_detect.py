"""Format detection from the content: every vendor's real export, binary exports whatever their
name, another format under a .csv name."""

from __future__ import annotations

import io

import pytest

from certification.parsers.cycler.scan import summarise_cycler
from certification.parsers.cycler.summary import CYCLER_FORMATS
from certification.parsers.errors import RawDataRejected
from tests.certification.parsers.cycler.exports import (
    DATA,
    SINTEF,
    UNIT,
    constant_discharge,
    summarise,
    summarise_file,
)


@pytest.mark.parametrize(
    ("name", "file_format", "encoding", "rows_read", "segments", "main_step", "energy_wh"),
    [
        ("arbin/CS2_33_8_18_10.csv", "arbin", "utf-8", 516, 1, "1/7", 4.325794),
        (SINTEF, "bdf", "utf-8", 2489, 2, "1/8", 27.78227),
        ("bdf/batmo_bdf__lines_1-569.csv", "bdf", "utf-8", 568, 2, "1/5", 0.521825),
        ("maccor/PredictionDiagnostics_000151_test.052", "maccor", "utf-8", 333, 1, "37/44", 0.01730477),
        ("neware/neware_uio__lines_2045-2415.csv", "neware", "utf-8", 371, 2, "1/4", 1.751157e-05),
        ("neware/nw_regular_export_ife_example__lines_1-423.csv", "neware", "utf-8", 415, 1, "4", 1.343475),
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
    ("name", "file_format", "energy_wh"),
    [
        ("biologic/250116_kigr_gen6_01_02_GCPL_CD8.mpr", "biologic_mpr", 0.007765016),
        ("neware/nw4-120-6-1-36.ndax", "neware_ndax", 0.1425289),
        ("arbin/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx", "arbin_xlsx", 0.0008403521),
    ],
)
@pytest.mark.parametrize("misleading_name", ["results.csv", "cell.mpt", None])
def test_binary_exports_are_read_whatever_their_name(name, file_format, energy_wh, misleading_name):
    stream = io.BytesIO((DATA / name).read_bytes())
    if misleading_name:
        stream.name = misleading_name

    summary = summarise_cycler(stream)

    assert summary.file_format == file_format
    assert summary.main_discharge.energy_wh == pytest.approx(energy_wh, rel=1e-6)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\n", "This is a PDF document, which the portal does not read."),
        (b"PK\x05\x06" + bytes(18), "This is a ZIP container but neither an .xlsx workbook nor"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>\n", "its first line with"),
    ],
)
def test_another_format_under_a_csv_name_is_refused_naming_what_it_is(data, message):
    stream = io.BytesIO(data)
    stream.name = "cycler.csv"

    with pytest.raises(RawDataRejected) as caught:
        summarise_cycler(stream)

    assert message in caught.value.message


def test_it_detects_the_format_from_the_content_not_the_name():
    stream = io.BytesIO(constant_discharge("Test Time / s,Voltage / V,Current / A", **UNIT))
    stream.name = "results.xlsx"

    assert summarise_cycler(stream).file_format == "bdf"


@pytest.mark.parametrize(
    ("encoding", "expected"), [("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16")]
)
def test_it_honours_a_byte_order_mark(encoding, expected):
    text = constant_discharge("Test Time / s,Voltage / V,Current / A", **UNIT).decode()

    summary = summarise(text.encode(encoding))

    assert summary.encoding == expected
    assert summary.main_discharge.energy_wh == pytest.approx(7.2)
