"""Sheets with the Chinese templates' headers: each maps to the same column as its English name,
in CSV (UTF-8 and GB18030) and XLSX, and the messages quote the sheet's own headers."""

from datetime import date
from decimal import Decimal

import pytest

from certification.parsers.sheets.columns import COLUMNS, HEADERS_ZH, column_named
from certification.vocabulary import SHEET_KINDS
from tests.certification.parsers.sheets.helpers import (
    VALID,
    csv_bytes,
    parse,
    rejection,
    xlsx_bytes,
)


def chinese(kind, *rows, encoding="utf-8"):
    header = [HEADERS_ZH[name] for name in VALID[kind]]
    cells = ([{**VALID[kind], **row}[name] for name in VALID[kind]] for row in rows)
    return csv_bytes(header, *cells, encoding=encoding)


def test_every_column_has_one_chinese_header_and_no_two_columns_share_one():
    names = {c.name for kind in COLUMNS for c in COLUMNS[kind]}
    assert set(HEADERS_ZH) == names
    assert len(set(HEADERS_ZH.values())) == len(HEADERS_ZH)


@pytest.mark.parametrize("kind", SHEET_KINDS)
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_csv_with_chinese_headers_reads_as_the_english_one(kind, encoding):
    english = parse(kind, csv_bytes(list(VALID[kind]), list(VALID[kind].values())))
    assert parse(kind, chinese(kind, {}, encoding=encoding)).rows == english.rows


def test_an_xlsx_with_chinese_headers_reads_its_typed_values():
    header = [HEADERS_ZH[name] for name in VALID["weight_loss"]]
    row = ["WL-1", 10.0, 9.95, 120, 6, 800, "否", 0.01, date(2026, 7, 2)]
    parsed = parse("weight_loss", xlsx_bytes(header, row))
    assert parsed.file_format == "xlsx"
    values = parsed.rows[0]
    assert values["mass_after_g"] == Decimal("9.95")
    assert values["leakage"] is False
    assert values["test_date"] == date(2026, 7, 2)


@pytest.mark.parametrize(
    "written",
    ["干燥前质量（g）", " 干燥前质量 (g) ", "干燥前质量(G)"],
)
def test_full_width_brackets_spaces_and_case_do_not_matter(written):
    assert column_named("weight_loss", written)[0].name == "mass_before_g"


def test_the_degree_celsius_sign_counts_as_degree_c():
    assert column_named("weight_loss", "温度(℃)")[0].name == "temperature_c"


def test_english_and_chinese_headers_may_be_mixed_but_not_repeated():
    header = ["sample_id", HEADERS_ZH["liquid_electrolyte_pct"], "test_date"]
    parsed = parse("electrolyte_content", csv_bytes(header, ["EC-1", "3.5", "2026-07-02"]))
    assert parsed.rows[0]["liquid_electrolyte_pct"] == Decimal("3.5")

    twice = ["sample_id", "样品编号", "liquid_electrolyte_pct", "test_date"]
    errors = rejection(
        "electrolyte_content", csv_bytes(twice, ["EC-1", "EC-1", "3.5", "2026-07-02"])
    )
    assert [(e.row, e.column) for e in errors] == [(1, "sample_id")]
    assert "appears more than once" in errors[0].message


def test_a_unit_other_than_the_templates_is_an_unknown_column():
    header = ["样品编号", "干燥前质量(kg)"] + [
        HEADERS_ZH[n] for n in list(VALID["weight_loss"])[2:]
    ]
    errors = rejection("weight_loss", csv_bytes(header, list(VALID["weight_loss"].values())))
    assert errors[0].column == "干燥前质量(kg)"
    # A Chinese sheet is told the Chinese headers, and the missing column by its Chinese header.
    assert "干燥前质量(g)" in errors[0].message
    assert "sample_id" not in errors[0].message
    assert [(e.column, e.message) for e in errors[1:]] == [
        ("mass_before_g", "Required column 干燥前质量(g) is missing.")
    ]


def test_cell_messages_of_a_chinese_sheet_quote_its_header_and_keep_the_column_code():
    errors = rejection("weight_loss", chinese("weight_loss", {"mass_before_g": "十克"}))
    assert [(e.row, e.column) for e in errors] == [(2, "mass_before_g")]
    assert errors[0].message.startswith("干燥前质量(g) (十克) is not a number")


def test_an_english_sheet_still_hears_the_english_names():
    header = ["sample_id", "colour", "test_date"]
    errors = rejection("electrolyte_content", csv_bytes(header, ["EC-1", "red", "2026-07-02"]))
    assert "sample_id, liquid_electrolyte_pct, test_date" in errors[0].message
