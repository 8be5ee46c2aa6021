"""One cell to its typed value: numbers, yes/no words, dates, safety test names, blanks."""

import datetime
from decimal import Decimal

import pytest

from tests.certification.parsers.sheets.helpers import only_error, parse, sheet


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
    ("text", "message"),
    [
        ("1e309", "mass_after_g (1e309) is too large to compute with;"),
        ("1.8e308", "mass_after_g (1.8e308) is too large to compute with;"),
        ("-1e999", "mass_after_g (-1e999) is too large to compute with;"),
    ],
)
def test_it_rejects_a_number_beyond_the_float_range(text, message):
    error = only_error("weight_loss", sheet("weight_loss", {"mass_after_g": text}))
    assert (error.row, error.column) == (2, "mass_after_g")
    assert error.message == f"{message} numbers must lie within ±1.7e308."


@pytest.mark.parametrize("text", ["1.7e308", "1e-999"])
def test_it_keeps_numbers_a_float_can_carry(text):
    rows = parse("weight_loss", sheet("weight_loss", {"temperature_c": text})).rows
    assert rows[0]["temperature_c"] == Decimal(text)


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
