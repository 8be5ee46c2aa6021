"""Rule sets: the shipped files load, and a faulty file is refused with a path to the fault."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from certification.rules import (
    CLASS_CODES,
    DEFAULT_RULESET_CODE,
    Limit,
    Number,
    RuleSet,
    RuleSetInvalid,
    load_ruleset,
    ruleset_files,
)

FILES = {path.stem: path for path in ruleset_files()}
DEFAULT_TEXT = FILES["gbt-ssb-2026"].read_text(encoding="utf-8")
TCSAE_TEXT = FILES["t-csae-434-2025"].read_text(encoding="utf-8")

MAX_LOSS_BLOCK = """[criteria.weight_loss.max_loss_pct]
comparator = "<="
value = 0.5
unit = "%"
source = "gbt-ssb-press"
"""


def mutate(old: str, new: str, text: str = DEFAULT_TEXT) -> str:
    assert old in text, f"test fixture out of date: {old!r} not in the rule set"
    return text.replace(old, new, 1)


def numbers_in(ruleset: RuleSet):
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
    assert set(FILES) == {"gbt-ssb-2026", "t-csae-434-2025"}
    for stem, path in FILES.items():
        ruleset = load_ruleset(path.read_text(encoding="utf-8"))
        assert ruleset.code == stem
        assert ruleset.version >= 1


def test_the_default_rule_set_is_the_customers_basis():
    ruleset = load_ruleset(DEFAULT_TEXT)
    assert ruleset.code == DEFAULT_RULESET_CODE
    assert ruleset.standard_id == "GB/T 43568-2026"
    assert "GB/T 48093.1-2026" in ruleset.standard_id_note
    assert ruleset.effective_from == date(2026, 7, 1)
    assert ruleset.effective_until is None
    assert ruleset.comparison == "full_value"
    assert [c.code for c in ruleset.classes] == list(CLASS_CODES)


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


def test_floats_in_the_file_become_exact_decimals():
    rs = load_ruleset(DEFAULT_TEXT)
    assert rs.weight_loss.condition("balance_resolution_g").value == Decimal("0.01")
    assert str(rs.weight_loss.max_loss_pct.value) == "0.5"


# --- faulty files are refused with a path -----------------------------------------------------

REJECTED = [
    pytest.param(
        mutate(MAX_LOSS_BLOCK, MAX_LOSS_BLOCK.replace('source = "gbt-ssb-press"\n', "")),
        "criteria.weight_loss.max_loss_pct: missing source",
        id="a limit without a source",
    ),
    pytest.param(
        mutate(MAX_LOSS_BLOCK, MAX_LOSS_BLOCK.replace('"<="', '"=<"')),
        "criteria.weight_loss.max_loss_pct.comparator: unknown comparator '=<'",
        id="an unknown comparator",
    ),
    pytest.param(
        mutate(MAX_LOSS_BLOCK, MAX_LOSS_BLOCK.replace("0.5", "-0.5")),
        "criteria.weight_loss.max_loss_pct.value: must not be negative",
        id="a negative threshold",
    ),
    pytest.param(
        mutate(MAX_LOSS_BLOCK, MAX_LOSS_BLOCK.replace('"<="', '">="')),
        "criteria.weight_loss.max_loss_pct.comparator: comparator '>=' not allowed here",
        id="a maximum written as a minimum",
    ),
    pytest.param(
        mutate(MAX_LOSS_BLOCK, MAX_LOSS_BLOCK.replace("gbt-ssb-press", "rumour")),
        "criteria.weight_loss.max_loss_pct.source: unknown source 'rumour'",
        id="a source that is not declared",
    ),
    pytest.param(
        mutate(MAX_LOSS_BLOCK, MAX_LOSS_BLOCK.replace("0.5", '"half"')),
        "criteria.weight_loss.max_loss_pct.value: must be a number",
        id="a threshold that is not a number",
    ),
    pytest.param(
        mutate(MAX_LOSS_BLOCK, MAX_LOSS_BLOCK + "tolerence = 1\n"),
        "criteria.weight_loss.max_loss_pct.tolerence: unknown key",
        id="a misspelt key",
    ),
    pytest.param(
        mutate(
            'tolerance = { value = 2, source = "portal-assumption", assumption = true }',
            "tolerance = { value = 2, assumption = true }",
        ),
        "criteria.weight_loss.conditions.temperature_c.tolerance: missing source",
        id="a tolerance without a source",
    ),
    pytest.param(
        mutate(
            '[criteria.weight_loss.min_samples]\ncomparator = ">="\nvalue = 3',
            '[criteria.weight_loss.min_samples]\ncomparator = ">="\nvalue = 2.5',
        ),
        "criteria.weight_loss.min_samples.value: must be a whole number",
        id="a fractional sample count",
    ),
    pytest.param(
        mutate(
            "[criteria.weight_loss.conditions.duration_h]",
            "[criteria.weight_loss.conditions.duration_min]",
        ),
        "criteria.weight_loss.conditions.duration_min: unknown condition",
        id="a condition on a column the sheet does not have",
    ),
    pytest.param(
        mutate("min = 5, max = 20", "min = 5, max = 21"),
        "classes: content bands must cover 0-100 % exactly once; 21 % falls in liquid, "
        "hybrid_solid_liquid",
        id="overlapping content bands",
    ),
    pytest.param(
        mutate("min = 5, max = 20", "min = 6, max = 20"),
        "classes: content bands must cover 0-100 % exactly once; 5 % falls in no class",
        id="a gap between content bands",
    ),
    pytest.param(
        mutate(
            'name = { en = "liquid battery", zh = "液态电池" }\ncertifiable = false',
            'name = { en = "liquid battery", zh = "液态电池" }\ncertifiable = true',
        ),
        "classes.liquid.certifiable: a liquid battery is never certifiable",
        id="a certifiable liquid class",
    ),
    pytest.param(
        mutate(
            'permitted = { en = ["hybrid solid-liquid battery"]',
            'permitted = { en = ["semi-solid battery"]',
        ),
        "classes.hybrid_solid_liquid.labels.permitted.en: 'semi-solid battery' contains the "
        "forbidden term 'semi-solid'",
        id="a permitted label with a forbidden word",
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
        mutate(
            'on_weight_loss_fail = "hybrid_solid_liquid"', 'on_weight_loss_fail = "all_solid_state"'
        ),
        "classes.all_solid_state.on_weight_loss_fail: must name a lower class",
        id="a weight-loss fallback that is not lower",
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
    pytest.param(
        mutate(
            'reviewer_approvals = { value = 2, source = "portal-assumption", assumption = true }\n',
            "",
        ),
        "classes.all_solid_state: missing reviewer_approvals",
        id="a certifiable class without a reviewer quorum",
    ),
    pytest.param("code = [", "(file): not valid TOML", id="a file that is not TOML"),
]


@pytest.mark.parametrize(("text", "message"), REJECTED)
def test_a_faulty_rule_set_is_rejected_with_the_path_in_the_message(text, message):
    with pytest.raises(RuleSetInvalid) as caught:
        load_ruleset(text)
    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, ValueError)


def test_a_between_limit_may_be_written_as_min_and_max_or_as_value_and_tolerance():
    text = mutate(
        'value = 120\ntolerance = { value = 2, source = "portal-assumption", assumption = true }',
        "min = 118\nmax = 122",
    )
    limit = load_ruleset(text).weight_loss.condition("temperature_c")
    assert (limit.low, limit.high, limit.tolerance) == (118, 122, None)
    assert limit.holds(Decimal("118")) and limit.holds(Decimal("122"))
    assert not limit.holds(Decimal("117.99")) and not limit.holds(Decimal("122.01"))


def test_a_new_version_may_add_an_end_date():
    text = mutate("version = 1", "version = 2").replace(
        "effective_from = 2026-07-01", "effective_from = 2026-07-01\neffective_until = 2027-12-31"
    )
    ruleset = load_ruleset(text)
    assert (ruleset.version, ruleset.effective_until) == (2, date(2027, 12, 31))
