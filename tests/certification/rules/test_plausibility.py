"""[plausibility]: the physically possible values of each measured sheet column, rule-set data
with a source; refused with its path when malformed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from certification.parsers.sheets.columns import COLUMNS
from certification.rules import RuleSetInvalid, load_ruleset
from certification.rules.schema import PLAUSIBILITY_COLUMNS
from tests.certification.rules.texts import DEFAULT_TEXT, FILES

V2_TEXT = FILES["gbt-ssb-2026.v2"].read_text(encoding="utf-8")


def test_version_2_bounds_every_measured_column_and_changes_nothing_else():
    v1, v2 = load_ruleset(DEFAULT_TEXT), load_ruleset(V2_TEXT)
    assert {r.column for r in v2.plausibility} == set(PLAUSIBILITY_COLUMNS)
    assert v2.plausible_range("cell_mass_g").minimum == Decimal("0.1")
    assert v2.plausible_range("temperature_c").minimum == Decimal("-100")
    assert all(r.source == "portal-assumption" and r.assumption for r in v2.plausibility)
    assert v1.plausibility == ()
    same = ("classes", "weight_loss", "electrolyte_content", "energy_density", "safety", "evidence")
    assert [getattr(v1, f) for f in same] == [getattr(v2, f) for f in same]


def test_the_bounded_columns_are_the_sheets_numeric_columns():
    numeric = {c.name for columns in COLUMNS.values() for c in columns if c.type == "decimal"}
    assert numeric == set(PLAUSIBILITY_COLUMNS)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            '[plausibility.colour]\nmin = 0\nmax = 1\nsource = "portal-assumption"\n',
            "plausibility.colour: not a measured result-sheet column",
        ),
        (
            '[plausibility.cell_mass_g]\nmin = 5\nmax = 5\nsource = "portal-assumption"\n',
            "plausibility.cell_mass_g.max: must be greater than min",
        ),
        (
            '[plausibility.cell_mass_g]\nmin = 1\nmax = 5\nsource = "nowhere"\n',
            "plausibility.cell_mass_g.source",
        ),
        (
            "[plausibility.cell_mass_g]\nmin = 1\nmax = 5\n",
            "plausibility.cell_mass_g: missing source",
        ),
    ],
)
def test_a_malformed_range_is_refused_with_its_path(block, message):
    text = DEFAULT_TEXT.replace("\n[certificate]", "\n" + block + "\n[certificate]", 1)
    with pytest.raises(RuleSetInvalid, match=message.replace(".", r"\.")):
        load_ruleset(text)
