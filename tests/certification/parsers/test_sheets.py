"""Result-sheet parser: formats, values, errors with their row and column, limits, templates."""

import datetime
import io
import json
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from certification.parsers.sheets import (
    COLUMNS,
    ERROR_CAP,
    FILE_FORMATS,
    SAFETY_TESTS,
    SHEET_KINDS,
    CellError,
    ParsedSheet,
    SheetRejected,
    parse_sheet,
    sheet_template,
)

LIMITS = {"max_bytes": 1_000_000, "max_rows": 500}

# One valid sample per kind, as a lab would type it; cases below override single cells.
VALID = {
    "weight_loss": {
        "sample_id": "WL-1",
        "mass_before_g": "10.00",
        "mass_after_g": "9.95",
        "temperature_c": "120.0",
        "duration_h": "6",
        "pressure_pa": "800",
        "leakage": "no",
        "balance_resolution_g": "0.01",
        "test_date": "2026-07-02",
    },
    "electrolyte_content": {
        "sample_id": "EC-1",
        "liquid_electrolyte_pct": "3.5",
        "test_date": "2026-07-02",
    },
    "energy_density": {
        "sample_id": "ED-1",
        "discharge_energy_wh": "52.4",
        "cell_mass_g": "100.0",
        "temperature_c": "25",
        "discharge_current_a": "3.3",
        "test_date": "2026-07-02",
    },
    "safety": {
        "sample_id": "SF-1",
        "test": "crush",
        "fire": "no",
        "explosion": "no",
        "test_date": "2026-07-02",
        "max_temperature_c": "61.2",
        "notes": "",
    },
}


def csv_bytes(header, *rows, delimiter=",", encoding="utf-8", newline="\n"):
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    return (newline.join(lines) + newline).encode(encoding)


def sheet(kind, *rows, **kwargs):
    """A CSV of ``kind`` with every column; each row is VALID[kind] with some cells overridden."""
    header = list(VALID[kind])
    return csv_bytes(header, *([{**VALID[kind], **row}[name] for name in header] for row in rows))


def parse(kind, data, **limits):
    return parse_sheet(kind, data, **{**LIMITS, **limits})


def rejection(kind, data, **limits) -> tuple[CellError, ...]:
    with pytest.raises(SheetRejected) as caught:
        parse(kind, data, **limits)
    return caught.value.errors


def only_error(kind, data, **limits) -> CellError:
    errors = rejection(kind, data, **limits)
    assert len(errors) == 1, errors
    return errors[0]


def xlsx_bytes(*rows, extra_sheet=None):
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    for row in rows:
        worksheet.append(row)
    if extra_sheet is not None:
        other = workbook.create_sheet("other")
        for row in extra_sheet:
            other.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the column table ---------------------------------------------------------------------------

EXPECTED_COLUMNS = {
    "weight_loss": [
        "sample_id",
        "mass_before_g",
        "mass_after_g",
        "temperature_c",
        "duration_h",
        "pressure_pa",
        "leakage",
        "balance_resolution_g",
        "test_date",
    ],
    "electrolyte_content": ["sample_id", "liquid_electrolyte_pct", "test_date"],
    "energy_density": [
        "sample_id",
        "discharge_energy_wh",
        "cell_mass_g",
        "temperature_c",
        "discharge_current_a",
        "test_date",
    ],
    "safety": [
        "sample_id",
        "test",
        "fire",
        "explosion",
        "test_date",
        "max_temperature_c",
        "notes",
    ],
}


def test_the_column_table_has_exactly_the_columns_of_the_standard():
    assert tuple(COLUMNS) == SHEET_KINDS
    assert {kind: [c.name for c in COLUMNS[kind]] for kind in COLUMNS} == EXPECTED_COLUMNS


def test_only_max_temperature_and_notes_are_optional():
    optional = {(kind, c.name) for kind in COLUMNS for c in COLUMNS[kind] if not c.required}
    assert optional == {("safety", "max_temperature_c"), ("safety", "notes")}


def test_every_column_has_a_description_and_the_test_column_lists_the_safety_tests():
    assert all(c.description.strip() for kind in COLUMNS for c in COLUMNS[kind])
    test_column = next(c for c in COLUMNS["safety"] if c.name == "test")
    assert test_column.choices == SAFETY_TESTS


def test_the_column_table_cannot_be_changed_by_its_users():
    with pytest.raises(TypeError):
        COLUMNS["weight_loss"] = ()  # type: ignore[index]


def test_the_module_imports_without_django_settings():
    code = (
        "import sys; import certification.parsers.sheets as s;"
        "assert not [m for m in sys.modules if m.startswith('django')], 'imports django'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[3])


# --- formats ------------------------------------------------------------------------------------


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


# --- values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", True), ("YES", True), ("y", True), ("True", True), ("1", True), ("是", True),
        ("no", False), ("No", False), ("n", False), ("FALSE", False), ("0", False), ("否", False),
        (" yes ", True),
    ],
)  # fmt: skip
def test_it_accepts_the_listed_boolean_words(text, expected):
    assert parse("safety", sheet("safety", {"fire": text})).rows[0]["fire"] is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9.95", Decimal("9.95")),
        (" 9.95 ", Decimal("9.95")),
        ("+9.95", Decimal("9.95")),
        ("9.", Decimal("9")),
        (".5", Decimal("0.5")),
        ("1e1", Decimal("10")),
        ("1.5E-1", Decimal("0.15")),
    ],
)
def test_it_accepts_plain_numbers(text, expected):
    rows = parse("weight_loss", sheet("weight_loss", {"mass_after_g": text})).rows
    assert rows[0]["mass_after_g"] == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12abc", "mass_after_g (12abc) is not a number;"),
        ("9,95", "mass_after_g (9,95) is not a number;"),
        ("1 000", "mass_after_g (1 000) is not a number;"),
        ("1_000", "mass_after_g (1_000) is not a number;"),
        ("0x10", "mass_after_g (0x10) is not a number;"),
        ("９.９５", "mass_after_g (９.９５) is not a number;"),
        ("NaN", "mass_after_g (NaN) must be a finite number."),
        ("Infinity", "mass_after_g (Infinity) must be a finite number."),
        ("-inf", "mass_after_g (-inf) must be a finite number."),
    ],
)
def test_it_rejects_what_is_not_a_finite_number(text, message):
    data = sheet("weight_loss", {"mass_after_g": f'"{text}"'})
    error = only_error("weight_loss", data)
    assert (error.row, error.column) == (2, "mass_after_g")
    assert error.message.startswith(message)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07-02", datetime.date(2026, 7, 2)),
        ("2026/07/02", datetime.date(2026, 7, 2)),
        ("2026/7/2", datetime.date(2026, 7, 2)),
        ("2028-02-29", datetime.date(2028, 2, 29)),
    ],
)
def test_it_accepts_iso_and_slashed_dates(text, expected):
    rows = parse("electrolyte_content", sheet("electrolyte_content", {"test_date": text})).rows
    assert rows[0]["test_date"] == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "test_date (2026-02-30) is not a real calendar date."),
        ("2027-02-29", "test_date (2027-02-29) is not a real calendar date."),
        ("2026-13-01", "test_date (2026-13-01) is not a real calendar date."),
        ("02/07/2026", "test_date (02/07/2026) is not a date in the form YYYY-MM-DD."),
        ("2026-07/02", "test_date (2026-07/02) is not a date in the form YYYY-MM-DD."),
        ("2026-07-02T10:00", "test_date (2026-07-02T10:00) is not a date in the form YYYY-MM-DD."),
        ("yesterday", "test_date (yesterday) is not a date in the form YYYY-MM-DD."),
    ],
)
def test_it_rejects_impossible_and_badly_written_dates(text, message):
    error = only_error("electrolyte_content", sheet("electrolyte_content", {"test_date": text}))
    assert (error.row, error.column, error.message) == (2, "test_date", message)


def test_it_accepts_safety_test_names_in_any_case_with_spaces():
    rows = parse("safety", sheet("safety", {"test": "External Short"})).rows
    assert rows[0]["test"] == "external_short"


def test_blank_optional_cells_become_none():
    row = parse("safety", sheet("safety", {"max_temperature_c": " ", "notes": ""})).rows[0]
    assert (row["max_temperature_c"], row["notes"]) == (None, None)


# --- cell and row errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "cells", "column", "message"),
    [
        ("weight_loss", {"mass_after_g": "10.2", "mass_before_g": "10.1"}, "mass_after_g",
         "mass_after_g (10.2) is greater than mass_before_g (10.1)."),
        ("weight_loss", {"mass_before_g": "0"}, "mass_before_g",
         "mass_before_g (0) must be greater than 0."),
        ("weight_loss", {"mass_after_g": "-0.01"}, "mass_after_g",
         "mass_after_g (-0.01) must be at least 0."),
        ("weight_loss", {"duration_h": "-6"}, "duration_h", "duration_h (-6) must be at least 0."),
        ("weight_loss", {"pressure_pa": "-1"}, "pressure_pa",
         "pressure_pa (-1) must be at least 0."),
        ("weight_loss", {"balance_resolution_g": "0"}, "balance_resolution_g",
         "balance_resolution_g (0) must be greater than 0."),
        ("weight_loss", {"temperature_c": "-300"}, "temperature_c",
         "temperature_c (-300) must be at least -273.15."),
        ("weight_loss", {"leakage": "maybe"}, "leakage",
         "leakage (maybe) is not a yes/no value; use yes/no, true/false, 1/0, y/n or 是/否."),
        ("weight_loss", {"sample_id": "  "}, "sample_id", "sample_id is required but blank."),
        ("weight_loss", {"sample_id": "x" * 101}, "sample_id",
         "sample_id is longer than 100 characters."),
        ("electrolyte_content", {"liquid_electrolyte_pct": "100.1"}, "liquid_electrolyte_pct",
         "liquid_electrolyte_pct (100.1) must be at most 100."),
        ("electrolyte_content", {"liquid_electrolyte_pct": "-0.1"}, "liquid_electrolyte_pct",
         "liquid_electrolyte_pct (-0.1) must be at least 0."),
        ("electrolyte_content", {"test_date": ""}, "test_date", "test_date is required but blank."),
        ("energy_density", {"cell_mass_g": "0"}, "cell_mass_g",
         "cell_mass_g (0) must be greater than 0."),
        ("energy_density", {"discharge_energy_wh": "-52"}, "discharge_energy_wh",
         "discharge_energy_wh (-52) must be at least 0."),
        ("energy_density", {"discharge_current_a": "-3.3"}, "discharge_current_a",
         "discharge_current_a (-3.3) must be at least 0."),
        ("safety", {"test": "nail"}, "test",
         "test (nail) is not one of: " + ", ".join(SAFETY_TESTS) + "."),
        ("safety", {"explosion": ""}, "explosion", "explosion is required but blank."),
        ("safety", {"max_temperature_c": "hot"}, "max_temperature_c",
         "max_temperature_c (hot) is not a number; write digits with a point as the decimal "
         "separator and no thousands separators."),
    ],
)  # fmt: skip
def test_it_rejects_a_bad_cell_naming_its_row_and_column(kind, cells, column, message):
    data = sheet(kind, {"sample_id": "FIRST"}, cells)
    error = only_error(kind, data)
    assert (error.row, error.column, error.message) == (3, column, message)


def test_it_rejects_mass_after_greater_than_before():
    data = sheet("weight_loss", {"mass_before_g": "10.1", "mass_after_g": "10.2"})
    assert only_error("weight_loss", data) == CellError(
        2, "mass_after_g", "mass_after_g (10.2) is greater than mass_before_g (10.1)."
    )


def test_it_accepts_a_mass_that_did_not_change():
    data = sheet("weight_loss", {"mass_before_g": "10.1", "mass_after_g": "10.10"})
    assert parse("weight_loss", data).rows[0]["mass_after_g"] == Decimal("10.10")


@pytest.mark.parametrize(
    ("kind", "first", "later"),
    [
        ("weight_loss", {"sample_id": "S-1"}, {"sample_id": "S-1"}),
        ("weight_loss", {"sample_id": "S-1"}, {"sample_id": " s-1 "}),
        ("electrolyte_content", {"sample_id": "S-1"}, {"sample_id": "S-1"}),
        ("energy_density", {"sample_id": "S-1"}, {"sample_id": "S-1"}),
        ("safety", {"sample_id": "S-1", "test": "crush"}, {"sample_id": "S-1", "test": "Crush"}),
    ],
)
def test_it_rejects_a_repeated_sample_naming_the_later_row(kind, first, later):
    data = sheet(kind, first, {"sample_id": "S-2"}, later)
    error = only_error(kind, data)
    assert (error.row, error.column) == (4, "sample_id")
    assert "appears more than once" in error.message
    assert "first given in row 2" in error.message


def test_one_safety_sample_id_may_appear_once_per_test():
    data = sheet("safety", {"test": "crush"}, {"test": "heating"}, {"test": "immersion"})
    assert [r["test"] for r in parse("safety", data).rows] == ["crush", "heating", "immersion"]


def test_it_collects_every_error_in_the_sheet_in_row_order():
    data = sheet(
        "energy_density",
        {"sample_id": "ED-1", "cell_mass_g": "0", "temperature_c": "warm"},
        {"sample_id": "ED-2"},
        {"sample_id": "ED-3", "test_date": "2026-02-30", "discharge_current_a": ""},
    )
    errors = rejection("energy_density", data)
    assert [(e.row, e.column) for e in errors] == [
        (2, "cell_mass_g"),
        (2, "temperature_c"),
        (4, "discharge_current_a"),
        (4, "test_date"),
    ]


def test_it_caps_the_error_list_with_a_final_count():
    rows = [{"sample_id": f"S-{i}", "liquid_electrolyte_pct": "x"} for i in range(ERROR_CAP + 50)]
    errors = rejection("electrolyte_content", sheet("electrolyte_content", *rows))
    assert len(errors) == ERROR_CAP + 1
    assert errors[-1] == CellError(None, None, "… and 50 more errors.")


def test_every_error_carries_its_template_and_parameters_for_translation():
    data = sheet("weight_loss", {"mass_before_g": "10.1", "mass_after_g": "10.2", "leakage": "?"})
    for error in rejection("weight_loss", data):
        assert error.template
        assert error.template % dict(error.params) == error.message


# --- header errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", EXPECTED_COLUMNS["weight_loss"])
def test_it_rejects_a_missing_required_column_in_row_1(missing):
    header = [name for name in EXPECTED_COLUMNS["weight_loss"] if name != missing]
    row = [VALID["weight_loss"][name] for name in header]
    error = only_error("weight_loss", csv_bytes(header, row))
    assert error == CellError(1, missing, f"Required column {missing} is missing.")


def test_it_rejects_an_unknown_column_naming_it():
    header = [*EXPECTED_COLUMNS["electrolyte_content"], "Operator"]
    error = only_error("electrolyte_content", csv_bytes(header, ["EC-1", "3", "2026-07-02", "Li"]))
    assert (error.row, error.column) == (1, "Operator")
    assert error.message.startswith('Unknown column "Operator"; a electrolyte_content sheet has')


def test_it_rejects_a_column_given_twice():
    header = [*EXPECTED_COLUMNS["electrolyte_content"], "Sample_ID"]
    error = only_error("electrolyte_content", csv_bytes(header, ["EC-1", "3", "2026-07-02", "X"]))
    assert error == CellError(1, "sample_id", "Column sample_id appears more than once.")


def test_it_rejects_a_row_with_more_values_than_columns():
    data = b"sample_id,liquid_electrolyte_pct,test_date\nEC-1,3,2026-07-02,surplus\n"
    error = only_error("electrolyte_content", data)
    assert (error.row, error.column) == (2, None)
    assert error.message == "This row has 4 values but the header has only 3 columns."


def test_it_ignores_trailing_empty_cells_but_not_values_under_no_header():
    fine = b"sample_id,liquid_electrolyte_pct,test_date,,\nEC-1,3,2026-07-02,,\n"
    assert parse("electrolyte_content", fine).rows[0]["sample_id"] == "EC-1"
    bad = b"sample_id,liquid_electrolyte_pct,test_date,\nEC-1,3,2026-07-02,\nEC-2,3,2026-07-02,x\n"
    error = only_error("electrolyte_content", bad)
    assert (error.row, error.column) == (3, None)
    assert "column 4, which has no header" in error.message


# --- whole-file rejections ----------------------------------------------------------------------


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


def test_it_rejects_input_over_max_bytes_stating_the_limit_in_mb():
    data = sheet("electrolyte_content", *({"sample_id": f"S-{i}"} for i in range(400)))
    error = only_error("electrolyte_content", data, max_bytes=len(data) - 1)
    assert "the limit is" in error.message
    error = only_error("electrolyte_content", b"x" * (3 * 1024 * 1024), max_bytes=2 * 1024 * 1024)
    assert error.message == "The file is 3.0 MB; the limit is 2 MB."


def test_it_rejects_more_rows_than_max_rows():
    data = sheet("electrolyte_content", *({"sample_id": f"S-{i}"} for i in range(11)))
    assert len(parse("electrolyte_content", data, max_rows=11).rows) == 11
    error = only_error("electrolyte_content", data, max_rows=10)
    assert error.message == "The sheet has more than 10 sample rows; split it into several files."


def test_it_counts_only_sample_rows_against_max_rows_in_every_format():
    rows = [[f"EC-{i}", 3, datetime.date(2026, 7, 2)] for i in range(6)]
    data = xlsx_bytes(EXPECTED_COLUMNS["electrolyte_content"], *rows)
    assert "more than 5 sample rows" in only_error("electrolyte_content", data, max_rows=5).message
    records = [{**VALID["electrolyte_content"], "sample_id": f"S-{i}"} for i in range(6)]
    data = json.dumps(records).encode()
    assert "more than 5 sample rows" in only_error("electrolyte_content", data, max_rows=5).message


def test_it_refuses_a_zip_bomb_without_inflating_it():
    workbook = xlsx_bytes(EXPECTED_COLUMNS["electrolyte_content"], ["EC-1", 3, "2026-07-02"])
    with zipfile.ZipFile(io.BytesIO(workbook)) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members["xl/media/padding.bin"] = b"\x00" * (8 * 1024 * 1024)
    bomb = _zip(members)
    assert len(bomb) < 100_000
    error = only_error("electrolyte_content", bomb, max_bytes=100_000)
    assert error.message.startswith("The workbook would expand to more than 1.91 MB")


@pytest.mark.parametrize(
    ("kind", "limits"),
    [("weight", LIMITS), ("safety", {"max_bytes": 0, "max_rows": 1})],
)
def test_programming_mistakes_raise_value_error_not_a_rejection(kind, limits):
    with pytest.raises(ValueError) as caught:
        parse_sheet(kind, b"x", **limits)
    assert not isinstance(caught.value, SheetRejected)


# --- templates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", FILE_FORMATS)
@pytest.mark.parametrize("kind", SHEET_KINDS)
def test_every_template_parses_back_into_one_example_row(kind, file_format):
    parsed = parse(kind, sheet_template(kind, file_format))
    assert parsed.file_format == file_format
    assert len(parsed.rows) == 1
    assert parsed.rows[0]["sample_id"] == "EXAMPLE-001"
    assert set(parsed.rows[0]) == set(EXPECTED_COLUMNS[kind])


@pytest.mark.parametrize("kind", SHEET_KINDS)
def test_the_csv_template_starts_with_the_header(kind):
    first_line = sheet_template(kind).decode("utf-8").splitlines()[0]
    assert first_line.split(",") == EXPECTED_COLUMNS[kind]


def test_the_json_template_declares_its_kind():
    assert json.loads(sheet_template("safety", "json"))["kind"] == "safety"


def test_the_xlsx_template_documents_its_columns_on_a_second_sheet():
    workbook = openpyxl.load_workbook(io.BytesIO(sheet_template("weight_loss", "xlsx")))
    guide = workbook.worksheets[1]
    assert [row[0] for row in guide.iter_rows(min_row=2, values_only=True)] == (
        EXPECTED_COLUMNS["weight_loss"]
    )


def test_an_unknown_template_format_is_a_programming_mistake():
    with pytest.raises(ValueError):
        sheet_template("safety", "pdf")


# --- speed --------------------------------------------------------------------------------------


def test_it_parses_a_thousand_row_csv_well_under_100_ms():
    rows = [{"sample_id": f"WL-{i}"} for i in range(1000)]
    data = sheet("weight_loss", *rows)
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        parsed = parse("weight_loss", data, max_rows=1000)
        timings.append(time.perf_counter() - start)
    assert len(parsed.rows) == 1000
    assert min(timings) < 0.1
