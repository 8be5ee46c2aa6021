"""Helpers for the result-sheet tests: one valid sample per kind, and sheets built from it."""

import io

import openpyxl
import pytest

from certification.parsers.sheets.errors import CellError, SheetRejected
from certification.parsers.sheets.parse import parse_sheet

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
