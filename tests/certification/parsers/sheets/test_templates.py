"""The downloadable templates: every one parses back into its example row."""

import io
import json

import openpyxl
import pytest

from certification.parsers.sheets.templates import FILE_FORMATS, sheet_template
from certification.vocabulary import SHEET_KINDS
from tests.certification.parsers.sheets.helpers import EXPECTED_COLUMNS, parse


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
