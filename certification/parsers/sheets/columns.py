"""The columns of each result-sheet kind (STANDARD.md section 6): what each holds and what a
value must satisfy. The sheet kinds and the safety test names are the scheme's own
(``certification.vocabulary``); the templates and the upload page list these columns.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from certification.vocabulary import SAFETY_TESTS, SHEET_KINDS, gettext_noop

ColumnType = Literal["text", "decimal", "boolean", "date", "choice"]

_ABSOLUTE_ZERO_C = Decimal("-273.15")
_ZERO = Decimal(0)


@dataclass(frozen=True)
class SheetColumn:
    """One column of a result sheet: what it holds and what a value must satisfy."""

    name: str
    type: ColumnType
    required: bool
    description: str  # short English sentence, marked for translation
    example: str  # the value written in the templates' example row
    min_value: Decimal | None = None
    min_exclusive: bool = False  # True: value must be > min_value; False: >= min_value
    max_value: Decimal | None = None
    choices: tuple[str, ...] = ()
    max_length: int | None = None


def _sample_id() -> SheetColumn:
    return SheetColumn(
        "sample_id",
        "text",
        True,
        gettext_noop("Identifier of the cell sample, as written on the lab's test record."),
        "EXAMPLE-001",
        max_length=100,
    )


def _test_date() -> SheetColumn:
    return SheetColumn(
        "test_date",
        "date",
        True,
        gettext_noop("Date the test was performed, as YYYY-MM-DD."),
        "2026-07-01",
    )


def _temperature(description: str, example: str, *, required: bool = True) -> SheetColumn:
    return SheetColumn(
        "temperature_c" if required else "max_temperature_c",
        "decimal",
        required,
        description,
        example,
        min_value=_ABSOLUTE_ZERO_C,
    )


COLUMNS: Mapping[str, tuple[SheetColumn, ...]] = MappingProxyType(
    {
        "weight_loss": (
            _sample_id(),
            SheetColumn(
                "mass_before_g",
                "decimal",
                True,
                gettext_noop("Cell mass before vacuum drying (M0), in grams."),
                "10.00",
                min_value=_ZERO,
                min_exclusive=True,
            ),
            SheetColumn(
                "mass_after_g",
                "decimal",
                True,
                gettext_noop(
                    "Cell mass after vacuum drying (M1), in grams; not more than mass_before_g."
                ),
                "9.98",
                min_value=_ZERO,
            ),
            _temperature(gettext_noop("Chamber temperature during drying, in °C."), "120.0"),
            SheetColumn(
                "duration_h",
                "decimal",
                True,
                gettext_noop("Time held at temperature under vacuum, in hours."),
                "6.0",
                min_value=_ZERO,
            ),
            SheetColumn(
                "pressure_pa",
                "decimal",
                True,
                gettext_noop("Absolute chamber pressure during drying, in pascals."),
                "500",
                min_value=_ZERO,
            ),
            SheetColumn(
                "leakage",
                "boolean",
                True,
                gettext_noop("Whether liquid was seen seeping from the breached cell (yes/no)."),
                "no",
            ),
            SheetColumn(
                "balance_resolution_g",
                "decimal",
                True,
                gettext_noop("Resolution of the balance used for weighing, in grams."),
                "0.01",
                min_value=_ZERO,
                # A resolution of 0 g is impossible and would pass any "0.01 g or better" check.
                min_exclusive=True,
            ),
            _test_date(),
        ),
        "electrolyte_content": (
            _sample_id(),
            SheetColumn(
                "liquid_electrolyte_pct",
                "decimal",
                True,
                gettext_noop(
                    "Measured mass fraction of liquid electrolyte in the cell, in percent."
                ),
                "3.2",
                min_value=_ZERO,
                max_value=Decimal(100),
            ),
            _test_date(),
        ),
        "energy_density": (
            _sample_id(),
            SheetColumn(
                "discharge_energy_wh",
                "decimal",
                True,
                gettext_noop("Energy delivered discharging at 1 I3 from full charge, in Wh."),
                "52.5",
                min_value=_ZERO,
            ),
            SheetColumn(
                "cell_mass_g",
                "decimal",
                True,
                gettext_noop("Mass of the cell, in grams."),
                "100.0",
                min_value=_ZERO,
                min_exclusive=True,
            ),
            _temperature(gettext_noop("Ambient temperature during the discharge, in °C."), "25.0"),
            SheetColumn(
                "discharge_current_a",
                "decimal",
                True,
                gettext_noop("Magnitude of the discharge current, in amperes (a positive number)."),
                "3.5",
                min_value=_ZERO,
            ),
            _test_date(),
        ),
        "safety": (
            _sample_id(),
            SheetColumn(
                "test",
                "choice",
                True,
                gettext_noop("Abuse test performed, one of the listed test names."),
                "nail_penetration",
                choices=SAFETY_TESTS.codes,
            ),
            SheetColumn(
                "fire",
                "boolean",
                True,
                gettext_noop("Whether the cell caught fire, including the observation period."),
                "no",
            ),
            SheetColumn(
                "explosion",
                "boolean",
                True,
                gettext_noop("Whether the cell exploded, including the observation period."),
                "no",
            ),
            _test_date(),
            _temperature(
                gettext_noop("Highest cell surface temperature recorded, in °C (optional)."),
                "68.5",
                required=False,
            ),
            SheetColumn(
                "notes",
                "text",
                False,
                gettext_noop("Free-text observations (optional)."),
                "no smoke; observed for 1 h",
                max_length=2000,
            ),
        ),
    }
)


# The header each column has in the Chinese templates. A sheet may use these or the English
# names (or both, one per column); each maps to the same column. Units stay in SI symbols.
HEADERS_ZH: Mapping[str, str] = MappingProxyType(
    {
        "sample_id": "样品编号",
        "mass_before_g": "干燥前质量(g)",
        "mass_after_g": "干燥后质量(g)",
        "temperature_c": "温度(°C)",
        "duration_h": "保持时间(h)",
        "pressure_pa": "绝对压力(Pa)",
        "leakage": "漏液",
        "balance_resolution_g": "天平分辨率(g)",
        "test_date": "测试日期",
        "liquid_electrolyte_pct": "液态电解质含量(%)",
        "discharge_energy_wh": "放电能量(Wh)",
        "cell_mass_g": "电池质量(g)",
        "discharge_current_a": "放电电流(A)",
        "test": "试验项目",
        "fire": "起火",
        "explosion": "爆炸",
        "max_temperature_c": "最高温度(°C)",
        "notes": "备注",
    }
)

# A short name of each column for table headings (the column code stays the machine's name).
LABELS: Mapping[str, str] = MappingProxyType(
    {
        "sample_id": gettext_noop("Sample"),
        "mass_before_g": gettext_noop("Mass before (g)"),
        "mass_after_g": gettext_noop("Mass after (g)"),
        "temperature_c": gettext_noop("Temperature (°C)"),
        "duration_h": gettext_noop("Duration (h)"),
        "pressure_pa": gettext_noop("Absolute pressure (Pa)"),
        "leakage": gettext_noop("Leakage"),
        "balance_resolution_g": gettext_noop("Balance resolution (g)"),
        "test_date": gettext_noop("Test date"),
        "liquid_electrolyte_pct": gettext_noop("Liquid electrolyte (%)"),
        "discharge_energy_wh": gettext_noop("Discharge energy (Wh)"),
        "cell_mass_g": gettext_noop("Cell mass (g)"),
        "discharge_current_a": gettext_noop("Discharge current (A)"),
        "test": gettext_noop("Test"),
        "fire": gettext_noop("Fire"),
        "explosion": gettext_noop("Explosion"),
        "max_temperature_c": gettext_noop("Highest temperature (°C)"),
        "notes": gettext_noop("Notes"),
    }
)


def normalise_name(raw: str) -> str:
    """A column name as written in a header, compared case- and space-insensitively."""
    return raw.strip().lstrip("\ufeff").strip().lower()


def _header_key(raw: str) -> str:
    """A Chinese header compared without spaces and in one width: NFKC makes full-width "（g）"
    "(g)" and "℃" "°C", as Chinese input methods and spreadsheets often write them."""
    return "".join(normalise_name(unicodedata.normalize("NFKC", raw)).split())


_BY_HEADER_ZH = {_header_key(zh): name for name, zh in HEADERS_ZH.items()}


def column_named(kind: str, raw: str) -> tuple[SheetColumn, bool] | None:
    """The column of ``kind`` that a header cell names, by its English name or its Chinese
    header, and whether it was the Chinese one; None for a header of no column of ``kind``."""
    by_name = {column.name: column for column in COLUMNS[kind]}
    column = by_name.get(normalise_name(raw))
    if column is not None:
        return column, False
    column = by_name.get(_BY_HEADER_ZH.get(_header_key(raw), ""))
    return (column, True) if column is not None else None


def check_kind(kind: str) -> None:
    """A kind the scheme does not have is a programming mistake, not a bad upload."""
    if kind not in SHEET_KINDS:
        raise ValueError(f"unknown sheet kind {kind!r}; expected one of {SHEET_KINDS.codes}")
