"""The downloadable templates: every one parses back into its example row, in English or with
the Chinese headers, and the CSV and XLSX ones state the rule set's test conditions and the
accepted values before a lab tests."""

import io
import json
from pathlib import Path

import openpyxl
import pytest

from certification.parsers.sheets.columns import HEADERS_ZH
from certification.parsers.sheets.templates import FILE_FORMATS, sheet_template
from certification.rules import RULESET_DIR, load_ruleset
from certification.vocabulary import SHEET_KINDS
from tests.certification.parsers.sheets.helpers import EXPECTED_COLUMNS, parse

RULES = load_ruleset((Path(RULESET_DIR) / "gbt-ssb-2026.v2.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("chinese_headers", [False, True])
@pytest.mark.parametrize("file_format", FILE_FORMATS)
@pytest.mark.parametrize("kind", SHEET_KINDS)
def test_every_template_parses_back_into_one_example_row(kind, file_format, chinese_headers):
    data = sheet_template(kind, file_format, rules=RULES, chinese_headers=chinese_headers)
    parsed = parse(kind, data)
    assert parsed.file_format == file_format
    assert len(parsed.rows) == 1
    assert parsed.rows[0]["sample_id"] == "EXAMPLE-001"
    assert set(parsed.rows[0]) == set(EXPECTED_COLUMNS[kind])


def _csv_lines(data: bytes) -> list[str]:
    assert data.startswith(b"\xef\xbb\xbf")  # so spreadsheet programs read the UTF-8 right
    return data.decode("utf-8-sig").splitlines()


@pytest.mark.parametrize("kind", SHEET_KINDS)
def test_the_csv_template_has_the_header_after_its_comment_lines(kind):
    lines = _csv_lines(sheet_template(kind, rules=RULES))
    comments = [line for line in lines if line.startswith("# ")]
    assert lines[: len(comments)] == comments
    assert lines[len(comments)].split(",") == EXPECTED_COLUMNS[kind]


def test_the_chinese_csv_template_has_the_chinese_headers():
    lines = _csv_lines(sheet_template("energy_density", rules=RULES, chinese_headers=True))
    header = next(line for line in lines if not line.startswith("#"))
    assert header.split(",") == [HEADERS_ZH[name] for name in EXPECTED_COLUMNS["energy_density"]]


def test_the_csv_template_states_the_conditions_and_sample_count_of_the_rule_set():
    text = "\n".join(_csv_lines(sheet_template("weight_loss", rules=RULES)))
    assert "# Test conditions of rule set gbt-ssb-2026 version 2" in text
    assert "# - Chamber temperature during drying: 120 ± 2 °C" in text
    assert "# - Time held at temperature under vacuum: at least 6 h\n" in text
    assert "# - Absolute chamber pressure during drying: at most 1000 Pa" in text
    assert "# - Samples: at least 3 samples" in text
    assert "# - leakage: yes: yes, true, 1, y, 是; no: no, false, 0, n, 否" in text


def test_the_energy_template_states_the_discharge_current_and_ambient():
    text = "\n".join(_csv_lines(sheet_template("energy_density", rules=RULES)))
    assert "Ambient temperature during the discharge: 25 ± 2 °C" in text
    assert "Discharge current: 1 I3: rated capacity / 3 h, ± 5 %" in text


def test_the_safety_template_lists_the_test_names_and_what_each_class_needs():
    text = "\n".join(_csv_lines(sheet_template("safety", rules=RULES)))
    assert "# - test: nail_penetration, crush, heating, immersion, overcharge," in text
    assert "external_short (external short circuit)" in text
    assert (
        "Abuse tests (All-solid-state battery): nail_penetration, crush, heating, immersion" in text
    )


def test_the_notes_follow_the_language_given():
    words = {"Accepted values": "可接受的值", ", ": "、"}
    data = sheet_template("safety", rules=RULES, translate=lambda m: words.get(m, m))
    text = data.decode("utf-8-sig")
    assert "# 可接受的值" in text
    assert "nail_penetration、crush" in text


def test_without_a_rule_set_the_template_still_lists_the_accepted_values():
    text = sheet_template("safety").decode("utf-8-sig")
    assert "Test conditions" not in text
    assert "# - fire: yes: yes, true" in text


def test_the_json_template_declares_its_kind_and_keeps_english_keys():
    document = json.loads(sheet_template("safety", "json", rules=RULES, chinese_headers=True))
    assert document["kind"] == "safety"
    assert list(document["rows"][0]) == EXPECTED_COLUMNS["safety"]


def test_the_xlsx_template_has_instructions_then_the_column_guide():
    data = sheet_template("weight_loss", "xlsx", rules=RULES)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["weight_loss", "Instructions", "Columns"]
    notes = [row[0] for row in workbook["Instructions"].iter_rows(values_only=True)]
    assert notes[0].startswith("Test conditions of rule set gbt-ssb-2026 version 2")
    assert "- Chamber temperature during drying: 120 ± 2 °C" in notes[1]
    guide = workbook["Columns"]
    assert [row[0] for row in guide.iter_rows(min_row=2, values_only=True)] == (
        EXPECTED_COLUMNS["weight_loss"]
    )


def test_the_chinese_xlsx_template_has_chinese_headers_and_translated_sheet_names():
    words = {"Instructions": "说明", "Columns": "列", "description": "说明文字"}
    data = sheet_template(
        "weight_loss",
        "xlsx",
        rules=RULES,
        chinese_headers=True,
        translate=lambda m: words.get(m, m),
    )
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["weight_loss", "说明", "列"]
    header = [cell.value for cell in workbook["weight_loss"][1]]
    assert header == [HEADERS_ZH[name] for name in EXPECTED_COLUMNS["weight_loss"]]
    assert workbook["列"]["C1"].value == "说明文字"


def test_an_unknown_template_format_is_a_programming_mistake():
    with pytest.raises(ValueError):
        sheet_template("safety", "pdf")
