"""Rule set files: the shipped ones load, and a faulty file is refused with a path to the fault.

Covers ``loader`` and the two section readers it calls (``criteria_section``,
``classes_section``); numbers and limits are in test_reader.py, cross-table rules in
test_consistency.py.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings

from certification.rules import Limit, Number, RuleSetData, load_ruleset
from certification.vocabulary import CLASSES

from .texts import DEFAULT_TEXT, FILES, TCSAE_TEXT, mutate, rejection


def numbers_in(ruleset: RuleSetData):
    """Every Limit and Number reachable from the rule set."""
    seen = []

    def walk(obj):
        if isinstance(obj, Limit | Number):
            seen.append(obj)
        if isinstance(obj, tuple):
            for item in obj:
                walk(item)
        elif hasattr(obj, "__dataclass_fields__"):
            for name in obj.__dataclass_fields__:
                walk(getattr(obj, name))

    walk(ruleset)
    return seen


# --- the shipped files ------------------------------------------------------------------------


def test_both_shipped_rule_sets_are_listed_and_load():
    # <code>.toml is version 1; a later version of the same code is <code>.v<N>.toml.
    assert set(FILES) == {
        "gbt-ssb-2026",
        "gbt-ssb-2026.v2",
        "gbt-ssb-2026.v3",
        "t-csae-434-2025",
    }
    for stem, path in FILES.items():
        ruleset = load_ruleset(path.read_text(encoding="utf-8"))
        code, _, version = stem.partition(".v")
        assert ruleset.code == code
        assert ruleset.version == (int(version) if version else 1)


def test_the_default_rule_set_is_the_customers_basis():
    ruleset = load_ruleset(DEFAULT_TEXT)
    assert ruleset.code == settings.CERTIFICATION_RULESET
    assert ruleset.standard_id == "GB/T 43568-2026"
    assert "GB/T 48093.1-2026" in ruleset.standard_id_note
    assert ruleset.effective_from == date(2026, 7, 1)
    assert ruleset.effective_until is None
    assert ruleset.comparison == "full_value"
    assert [c.code for c in ruleset.classes] == list(CLASSES.codes)


def test_the_default_rule_set_holds_the_numbers_of_the_standard():
    rs = load_ruleset(DEFAULT_TEXT)
    assert rs.weight_loss.max_loss_pct.describe() == "<= 0.5 %"
    assert rs.weight_loss.condition("temperature_c").describe() == "118 to 122 °C"
    assert rs.weight_loss.condition("duration_h").describe() == ">= 6 h"
    assert rs.weight_loss.condition("pressure_pa").describe() == "<= 1000 Pa"
    assert rs.weight_loss.condition("balance_resolution_g").describe() == "<= 0.01 g"
    assert rs.weight_loss.min_samples.value == 3
    assert rs.class_rule("hybrid_solid_liquid").energy_floor_wh_per_kg.describe() == ">= 400 Wh/kg"
    assert rs.class_rule("all_solid_state").energy_floor_wh_per_kg.describe() == ">= 500 Wh/kg"
    assert rs.class_rule("hybrid_solid_liquid").content_pct.describe() == "5 to 20 %"
    assert rs.class_rule("all_solid_state").content_pct.describe() == "< 5 %"
    assert rs.class_rule("liquid").content_pct.describe() == "> 20 %"
    assert rs.class_rule("hybrid_solid_liquid").reviewer_approvals.as_int() == 1
    assert rs.class_rule("all_solid_state").reviewer_approvals.as_int() == 2
    assert rs.certificate_validity_months.as_int() == 36
    assert rs.energy_density.discharge_current.rate_hours.value == 3
    assert rs.classification_code.high_energy_ratio.describe() == "< 10 W/Wh"
    for code in ("hybrid_solid_liquid", "all_solid_state"):
        assert rs.class_rule(code).safety.tests == (
            "nail_penetration",
            "crush",
            "heating",
            "immersion",
        )


def test_our_assumptions_are_marked_as_such():
    rs = load_ruleset(DEFAULT_TEXT)
    assert rs.weight_loss.condition("temperature_c").tolerance.assumption
    assert rs.weight_loss.condition("pressure_pa").assumption
    assert rs.weight_loss.min_samples.assumption
    assert rs.energy_density.discharge_current.tolerance_pct.assumption
    assert rs.energy_density.cycler_tolerance_pct.assumption
    assert rs.certificate_validity_months.assumption
    assert not rs.weight_loss.max_loss_pct.assumption
    assert not rs.weight_loss.condition("duration_h").assumption


@pytest.mark.parametrize("stem", sorted(FILES))
def test_every_number_names_a_declared_source(stem):
    rs = load_ruleset(FILES[stem].read_text(encoding="utf-8"))
    declared = {s.id for s in rs.sources}
    numbers = numbers_in(rs)
    assert len(numbers) > 10
    for number in numbers:
        assert number.source in declared, number.path


def test_the_group_standard_decides_all_solid_state_by_weight_loss_alone():
    rs = load_ruleset(TCSAE_TEXT)
    assert rs.standard_id == "T/CSAE 434-2025"
    assert [c.code for c in rs.classes] == ["all_solid_state"]
    assert not rs.has_content_bands
    assert rs.weight_loss.max_loss_pct.describe() == "<= 1 %"
    assert rs.weight_loss.condition("ambient_temperature_c").describe() == "23 to 27 °C"
    assert rs.weight_loss.condition("ambient_temperature_c").optional
    assert rs.electrolyte_content is None and rs.energy_density is None
    assert "all_solid_state" in rs.description and "weight loss" in rs.description


def test_a_new_version_may_add_an_end_date():
    text = mutate("version = 1", "version = 2").replace(
        "effective_from = 2026-07-01", "effective_from = 2026-07-01\neffective_until = 2027-12-31"
    )
    ruleset = load_ruleset(text)
    assert (ruleset.version, ruleset.effective_until) == (2, date(2027, 12, 31))


# --- faulty files are refused with a path -----------------------------------------------------

REJECTED = [
    pytest.param(
        mutate(
            "[criteria.weight_loss.conditions.duration_h]",
            "[criteria.weight_loss.conditions.duration_min]",
        ),
        "criteria.weight_loss.conditions.duration_min: unknown condition",
        id="a condition on a column the sheet does not have",
    ),
    pytest.param(
        mutate(
            "[classes.hybrid_solid_liquid.safety]\ntests = [",
            '[classes.hybrid_solid_liquid.safety]\ntests = ["pogo", ',
        ),
        "classes.hybrid_solid_liquid.safety.tests: unknown value 'pogo'",
        id="an unknown safety test",
    ),
    pytest.param(
        mutate('format = "{class}-{family}-{ion}-{application}"', 'format = "{class}-{chemistry}"'),
        "classification_code.format: unknown field {chemistry}",
        id="a classification code with an unknown field",
    ),
    pytest.param(
        mutate(
            "effective_from = 2026-07-01",
            "effective_from = 2026-07-01\neffective_until = 2026-01-01",
        ),
        "effective_until: must be after effective_from",
        id="effective dates in the wrong order",
    ),
    pytest.param(
        mutate("version = 1", 'version = "1"'),
        "version: must be a whole number >= 1",
        id="a version that is not an integer",
    ),
    pytest.param("code = [", "(file): not valid TOML", id="a file that is not TOML"),
]


@pytest.mark.parametrize(("text", "message"), REJECTED)
def test_a_faulty_rule_set_is_rejected_with_the_path_in_the_message(text, message):
    error = rejection(text)
    assert str(error).startswith(message)
    assert isinstance(error, ValueError)
