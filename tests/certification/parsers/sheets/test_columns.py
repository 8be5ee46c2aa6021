"""The column table of each sheet kind: exactly the standard's columns, immutable, pure."""

import subprocess
import sys
from pathlib import Path

import pytest

from certification.parsers.sheets.columns import COLUMNS
from certification.vocabulary import SAFETY_TESTS, SHEET_KINDS
from tests.certification.parsers.sheets.helpers import EXPECTED_COLUMNS


def test_the_column_table_has_exactly_the_columns_of_the_standard():
    assert tuple(COLUMNS) == SHEET_KINDS.codes
    assert {kind: [c.name for c in COLUMNS[kind]] for kind in COLUMNS} == EXPECTED_COLUMNS


def test_only_max_temperature_and_notes_are_optional():
    optional = {(kind, c.name) for kind in COLUMNS for c in COLUMNS[kind] if not c.required}
    assert optional == {("safety", "max_temperature_c"), ("safety", "notes")}


def test_every_column_has_a_description_and_the_test_column_lists_the_safety_tests():
    assert all(c.description.strip() for kind in COLUMNS for c in COLUMNS[kind])
    test_column = next(c for c in COLUMNS["safety"] if c.name == "test")
    assert test_column.choices == SAFETY_TESTS.codes


def test_the_column_table_cannot_be_changed_by_its_users():
    with pytest.raises(TypeError):
        COLUMNS["weight_loss"] = ()  # type: ignore[index]


def test_the_module_imports_without_django_settings():
    code = (
        "import sys; import certification.parsers.sheets.parse, certification.parsers.sheets.templates;"
        "assert not [m for m in sys.modules if m.startswith('django')], 'imports django'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[4])
