"""Errors in a sheet, each with its row and column: cells, rows, repeated samples, the header."""

from decimal import Decimal

import pytest

from certification.parsers.sheets.errors import ERROR_CAP, CellError
from certification.vocabulary import SAFETY_TESTS
from tests.certification.parsers.sheets.helpers import (
    EXPECTED_COLUMNS,
    VALID,
    csv_bytes,
    only_error,
    parse,
    rejection,
    sheet,
)


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


def test_a_test_date_after_the_upload_day_is_refused_with_its_row():
    import datetime as dt

    from certification.parsers.sheets.errors import SheetRejected
    from certification.parsers.sheets.parse import parse_sheet
    from tests.samples import sample_sheet

    data = sample_sheet("electrolyte_content", test_date="2099-01-01")
    with pytest.raises(SheetRejected) as refused:
        parse_sheet(
            "electrolyte_content", data, max_bytes=10**6, max_rows=100, today=dt.date(2026, 12, 5)
        )
    first = refused.value.errors[0]
    assert (first.row, first.column) == (2, "test_date")
    assert first.message == (
        "test_date (2099-01-01) is after today (2026-12-05): a test cannot have been run on a "
        "future date."
    )
    # The same sheet re-read without an upload day (a re-evaluation) is as it was.
    assert parse_sheet("electrolyte_content", data, max_bytes=10**6, max_rows=100).rows
