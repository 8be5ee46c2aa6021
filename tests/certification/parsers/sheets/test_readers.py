"""Reading a sheet in every format (CSV in UTF-8 or GB18030, XLSX, JSON) and refusing files that are not sheets."""

import datetime
import io
import json
import zipfile
from decimal import Decimal

import pytest

from certification.parsers.sheets.parse import ParsedSheet
from tests.certification.parsers.sheets.helpers import (
    EXPECTED_COLUMNS,
    VALID,
    csv_bytes,
    only_error,
    parse,
    sheet,
    xlsx_bytes,
)


def test_it_parses_a_utf8_csv_into_typed_values():
    parsed = parse("weight_loss", sheet("weight_loss", {}))
    assert parsed == ParsedSheet(
        kind="weight_loss",
        file_format="csv",
        encoding="utf-8",
        rows=(
            {
                "sample_id": "WL-1",
                "mass_before_g": Decimal("10.00"),
                "mass_after_g": Decimal("9.95"),
                "temperature_c": Decimal("120.0"),
                "duration_h": Decimal("6"),
                "pressure_pa": Decimal("800"),
                "leakage": False,
                "balance_resolution_g": Decimal("0.01"),
                "test_date": datetime.date(2026, 7, 2),
            },
        ),
        row_numbers=(2,),
    )


def test_it_reads_a_csv_with_a_byte_order_mark():
    parsed = parse("electrolyte_content", b"\xef\xbb\xbf" + sheet("electrolyte_content", {}))
    assert parsed.encoding == "utf-8-sig"
    assert parsed.rows[0]["sample_id"] == "EC-1"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_it_detects_the_delimiter_and_line_endings(delimiter, newline):
    data = csv_bytes(
        ["sample_id", "liquid_electrolyte_pct", "test_date"],
        ["EC-1", "3.5", "2026-07-02"],
        ["EC-2", "4", "2026-07-03"],
        delimiter=delimiter,
        newline=newline,
    )
    rows = parse("electrolyte_content", data).rows
    assert [r["liquid_electrolyte_pct"] for r in rows] == [Decimal("3.5"), Decimal("4")]


def test_it_reads_gb18030_with_chinese_notes_and_chinese_booleans():
    data = csv_bytes(
        ["sample_id", "test", "fire", "explosion", "test_date", "notes"],
        ["样品-1", "nail_penetration", "否", "否", "2026/07/02", "鼓包，无起火"],
        ["样品-2", "heating", "是", "否", "2026/7/3", "130 °C 起火"],
        encoding="gb18030",
    )
    parsed = parse("safety", data)
    assert parsed.encoding == "gb18030"
    assert [(r["sample_id"], r["fire"], r["explosion"], r["notes"]) for r in parsed.rows] == [
        ("样品-1", False, False, "鼓包，无起火"),
        ("样品-2", True, False, "130 °C 起火"),
    ]
    assert parsed.rows[1]["test_date"] == datetime.date(2026, 7, 3)
    assert parsed.rows[0]["max_temperature_c"] is None  # optional column absent


def test_it_normalises_header_case_and_whitespace():
    data = csv_bytes(
        [" Sample_ID ", "LIQUID_ELECTROLYTE_PCT", "Test_Date"], ["EC-1", " 3.5 ", "2026-07-02"]
    )
    assert parse("electrolyte_content", data).rows[0]["liquid_electrolyte_pct"] == Decimal("3.5")


def test_it_skips_blank_lines_but_keeps_counting_rows_like_a_spreadsheet():
    data = (
        b"sample_id,liquid_electrolyte_pct,test_date\n"  # row 1
        b"\n"  # row 2
        b"EC-1,3.5,2026-07-02\n"  # row 3
        b",,\n"  # row 4
        b"  \n"  # row 5
        b"EC-2,x,2026-07-02\n"  # row 6
    )
    error = only_error("electrolyte_content", data)
    assert (error.row, error.column) == (6, "liquid_electrolyte_pct")


def test_it_reads_an_xlsx_with_float_date_and_boolean_cells_exactly():
    data = xlsx_bytes(
        EXPECTED_COLUMNS["weight_loss"],
        [101, 10.0, 9.95, 120, 6, 800.5, False, 0.01, datetime.datetime(2026, 7, 2)],
        ["WL-2", 10, 9.95, 119.5, 6.25, 0, "yes", 0.01, datetime.date(2026, 7, 3)],
        extra_sheet=[["not", "a", "sheet", "we", "read"]],
    )
    parsed = parse("weight_loss", data)
    assert (parsed.file_format, parsed.encoding) == ("xlsx", None)
    first, second = parsed.rows
    assert first["sample_id"] == "101"
    assert first["mass_after_g"] == Decimal("9.95")
    assert str(first["mass_after_g"]) == "9.95"  # not 9.949999999999999289...
    assert first["pressure_pa"] == Decimal("800.5")
    assert first["leakage"] is False
    assert first["balance_resolution_g"] == Decimal("0.01")
    assert first["test_date"] == datetime.date(2026, 7, 2)
    assert second["leakage"] is True
    assert second["test_date"] == datetime.date(2026, 7, 3)
    assert (first["mass_before_g"] - first["mass_after_g"]) / first["mass_before_g"] * 100 == (
        Decimal("0.5")
    )


def test_it_reports_xlsx_errors_at_the_row_the_spreadsheet_shows():
    data = xlsx_bytes(
        ["sample_id", "liquid_electrolyte_pct", "test_date"],
        ["EC-1", 3.5, datetime.date(2026, 7, 2)],
        [],
        ["EC-2", "abc", datetime.date(2026, 7, 2)],
    )
    error = only_error("electrolyte_content", data)
    assert (error.row, error.column) == (4, "liquid_electrolyte_pct")


def test_it_reads_a_json_list_of_objects_with_exact_numbers():
    record = {
        "sample_id": "ED-1",
        "discharge_energy_wh": 52.45,
        "cell_mass_g": 100,
        "temperature_c": "25",
        "discharge_current_a": 3.3,
        "test_date": "2026-07-02",
    }
    data = json.dumps([record]).encode()
    parsed = parse("energy_density", data)
    assert (parsed.file_format, parsed.encoding) == ("json", "utf-8")
    assert parsed.rows[0]["discharge_energy_wh"] == Decimal("52.45")
    assert str(parsed.rows[0]["discharge_energy_wh"]) == "52.45"
    assert parsed.rows[0]["cell_mass_g"] == Decimal(100)


@pytest.mark.parametrize("kind_key", [{}, {"kind": "safety"}, {"kind": " Safety "}])
def test_it_reads_a_json_object_with_rows_and_an_optional_matching_kind(kind_key):
    record = {**VALID["safety"], "fire": False, "explosion": 0, "max_temperature_c": None}
    parsed = parse("safety", json.dumps({**kind_key, "rows": [record]}).encode())
    assert parsed.rows[0]["fire"] is False
    assert parsed.rows[0]["explosion"] is False
    assert parsed.rows[0]["max_temperature_c"] is None


def test_json_rows_are_numbered_like_the_csv_of_the_same_data():
    records = [VALID["electrolyte_content"], {**VALID["electrolyte_content"], "sample_id": ""}]
    error = only_error("electrolyte_content", json.dumps(records).encode())
    assert (error.row, error.column) == (3, "sample_id")


@pytest.mark.parametrize(
    ("document", "row", "column", "message"),
    [
        ({"kind": "weight_loss", "rows": []}, None, None, 'The file is for kind "weight_loss"'),
        ({"rows": [], "lab": "X"}, None, None, 'unexpected key "lab"'),
        ({"kind": "safety"}, None, None, "must be a list of objects"),
        ({"rows": {"sample_id": "SF-1"}}, None, None, "must be a list of objects"),
        ([], None, None, "The sheet has no sample rows."),
        ([3], 2, None, "Record 1 is not a JSON object."),
        ([{**VALID["safety"], "notes": ["a"]}], 2, "notes", "must be a single value"),
    ],
)
def test_it_rejects_json_of_the_wrong_shape(document, row, column, message):
    error = only_error("safety", json.dumps(document).encode())
    assert (error.row, error.column) == (row, column)
    assert message in error.message


def test_it_rejects_a_repeated_key_in_a_json_record():
    text = (
        '[{"sample_id": "EC-1", "SAMPLE_ID": "EC-2",'
        ' "liquid_electrolyte_pct": 1, "test_date": "2026-07-02"}]'
    )
    error = only_error("electrolyte_content", text.encode())
    assert (error.row, error.column) == (2, "sample_id")
    assert "appears more than once" in error.message


@pytest.mark.parametrize("text", ["[{]", '{"rows": [1,]}', "[NaN"])
def test_it_reports_broken_json_with_its_line_and_column(text):
    error = only_error("safety", text.encode())
    assert error.message.startswith("The file is not valid JSON:")
    assert "(line 1, column" in error.message


def test_it_rejects_nan_in_json_as_not_finite():
    record = {**VALID["electrolyte_content"]}
    text = json.dumps([record]).replace('"3.5"', "NaN")
    error = only_error("electrolyte_content", text.encode())
    assert (error.row, error.column) == (2, "liquid_electrolyte_pct")
    assert error.message == "liquid_electrolyte_pct (NaN) must be a finite number."


def test_it_rejects_a_json_number_beyond_the_float_range():
    text = json.dumps([VALID["electrolyte_content"]]).replace('"3.5"', "1e309")
    error = only_error("electrolyte_content", text.encode())
    assert (error.row, error.column) == (2, "liquid_electrolyte_pct")
    assert error.message == (
        "liquid_electrolyte_pct (1e309) is too large to compute with; numbers must lie within "
        "±1.7e308."
    )


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b" \r\n\t\n", "The file is empty."),
        (b"\xef\xbb\xbf", "The file is empty."),
        (b"sample_id,test,fire,explosion,test_date\n", "The sheet has no sample rows."),
        (b"sample_id,test,fire,explosion,test_date\n\n,,,,\n", "The sheet has no sample rows."),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
         "This is a PDF document, not a CSV, XLSX or JSON file."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is an image, not a CSV, XLSX or JSON file."),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "This is an image, not a CSV, XLSX or JSON file."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "This is an old Excel .xls workbook"),
        (b"sample_id,test\x00,fire", "This is not a CSV, XLSX or JSON file."),
        (b"\x7fELF\x02\x01\x01", "This is not a CSV, XLSX or JSON file."),
        ("sample_id,test".encode("utf-16"), "This text file is in UTF-16"),
        (b"sample_id,\x80\xff,test", "The text is neither UTF-8 nor GB18030"),
        (_zip({"word/document.xml": "<w/>"}), "This is a ZIP archive but not an XLSX workbook"),
        (_zip({"xl/workbook.xml": "not xml"}), "The XLSX workbook could not be read"),
        (b"PK\x03\x04 truncated", "This is not a CSV, XLSX or JSON file."),
    ],
)  # fmt: skip
def test_it_rejects_files_that_are_not_result_sheets(data, message):
    error = only_error("safety", data)
    assert (error.row, error.column) == (None, None)
    assert error.message.startswith(message)


def test_it_rejects_an_empty_workbook():
    assert only_error("safety", xlsx_bytes()).message == "The file is empty."


def test_it_refuses_a_zip_bomb_without_inflating_it():
    workbook = xlsx_bytes(EXPECTED_COLUMNS["electrolyte_content"], ["EC-1", 3, "2026-07-02"])
    with zipfile.ZipFile(io.BytesIO(workbook)) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members["xl/media/padding.bin"] = b"\x00" * (8 * 1024 * 1024)
    bomb = _zip(members)
    assert len(bomb) < 100_000
    error = only_error("electrolyte_content", bomb, max_bytes=100_000)
    assert error.message.startswith("The workbook would expand to more than 1.91 MB")
