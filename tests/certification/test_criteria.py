"""The evaluation engine, case by case, on the shipped rule sets (no database).

Every boundary of the default rule set ``gbt-ssb-2026`` is here, each next to its neighbour on the
other side, plus the predecessor ``t-csae-434-2025``. The baseline is a cell that passes
everything as all-solid-state; each case changes one thing.
"""

from __future__ import annotations

import json
import string
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from certification.criteria import (
    MESSAGES,
    ChamberEvidence,
    CyclerEvidence,
    EvaluationInput,
    LabFacts,
    ProductFacts,
    SheetEvidence,
    evaluate,
    render,
)
from certification.rules import load_ruleset, ruleset_files

RULESETS = {p.stem: load_ruleset(p.read_text(encoding="utf-8")) for p in ruleset_files()}
DEFAULT = RULESETS["gbt-ssb-2026"]
TCSAE = RULESETS["t-csae-434-2025"]

TEST_DAY = date(2026, 7, 15)
LAB = LabFacts(
    name="Tianjin Battery Test Centre",
    accreditation_number="CNAS L0001",
    accreditation_valid_from=date(2025, 1, 1),
    accreditation_valid_until=date(2028, 12, 31),
    assigned_to_submission=True,
)
PRODUCT = ProductFacts(
    rated_capacity_ah=D("30"),  # 1 I3 = 10 A
    nominal_voltage_v=D("3.7"),
    rated_energy_wh=D("111"),
    max_continuous_power_w=D("333"),  # 3 W/Wh: high-energy
    cell_mass_g=D("200"),
    declared_liquid_electrolyte_pct=None,
    electrolyte_family="sulfide",
    conducting_ion="lithium",
)
SEED_TESTS = ("nail_penetration", "crush", "heating", "immersion")


# --- evidence builders --------------------------------------------------------------------------


def wl_row(sid="W1", *, before="10.00", after="9.98", **overrides):
    row = {
        "sample_id": sid,
        "mass_before_g": D(before),
        "mass_after_g": D(after),
        "temperature_c": D("120"),
        "duration_h": D("6"),
        "pressure_pa": D("100"),
        "leakage": False,
        "balance_resolution_g": D("0.01"),
        "test_date": TEST_DAY,
    }
    row.update({k: D(v) if isinstance(v, str) else v for k, v in overrides.items()})
    return row


def weight_loss(*afters, n=3, source="lab", lab=LAB, **overrides):
    """n samples of 10.00 g; ``afters`` gives each sample's mass after drying."""
    afters = afters or ("9.98",) * n
    rows = tuple(wl_row(f"W{i}", after=a, **overrides) for i, a in enumerate(afters, 1))
    return SheetEvidence("weight_loss", source, f"{source}-weight-loss.csv", rows, lab)


def content(*values, source="lab", lab=LAB):
    rows = tuple(
        {"sample_id": f"C{i}", "liquid_electrolyte_pct": D(v), "test_date": TEST_DAY}
        for i, v in enumerate(values or ("3",), 1)
    )
    return SheetEvidence("electrolyte_content", source, f"{source}-content.csv", rows, lab)


def energy(*energies_wh, mass_g="200", current_a="10", temperature_c="25", source="lab", lab=LAB):
    rows = tuple(
        {
            "sample_id": f"E{i}",
            "discharge_energy_wh": D(e),
            "cell_mass_g": D(mass_g),
            "temperature_c": D(temperature_c),
            "discharge_current_a": D(current_a),
            "test_date": TEST_DAY,
        }
        for i, e in enumerate(energies_wh or ("120",), 1)  # 120 Wh / 0.2 kg = 600 Wh/kg
    )
    return SheetEvidence("energy_density", source, f"{source}-energy.csv", rows, lab)


def safety(tests=SEED_TESTS, *, fire=(), explosion=(), source="lab", lab=LAB):
    rows = tuple(
        {
            "sample_id": f"S-{test}",
            "test": test,
            "fire": test in fire,
            "explosion": test in explosion,
            "test_date": TEST_DAY,
            "max_temperature_c": D("61.5"),
            "notes": None,
        }
        for test in tests
    )
    return SheetEvidence("safety", source, f"{source}-safety.csv", rows, lab)


def solid_state(**sheets):
    """Evidence of a cell that passes every all-solid-state criterion; override by kind."""
    base = {
        "weight_loss": weight_loss(),
        "electrolyte_content": content("3"),
        "energy_density": energy("120"),
        "safety": safety(),
    }
    base.update(sheets)
    return tuple(s for s in base.values() if s is not None)


def hybrid(**sheets):
    return solid_state(electrolyte_content=content("10"), energy_density=energy("90"), **sheets)


def run(sheets, *, claimed="all_solid_state", ruleset=DEFAULT, product=PRODUCT, **raw):
    return evaluate(
        ruleset,
        EvaluationInput(claimed_class=claimed, product=product, sheets=tuple(sheets), **raw),
    )


def outcome_of(result, code):
    return next(c for c in result.criteria if c.code == code).outcome


def criterion(result, code):
    return next(c for c in result.criteria if c.code == code)


def flags(result):
    return {f.code for f in result.flags}


# --- the baseline -------------------------------------------------------------------------------


def test_a_cell_passing_everything_is_certified_all_solid_state_with_its_code():
    result = run(solid_state())
    assert result.verdict == "certifiable"
    assert result.determined_class == "all_solid_state"
    assert result.certifiable and result.may_label_solid_state and result.claim_supported
    assert result.classification_code == "SS-SUL-LI-HE"
    assert result.reviewer_approvals_required == 2
    assert "solid-state battery" in result.permitted_labels.en
    assert "全固态电池" in result.permitted_labels.zh
    assert "semi-solid" in result.forbidden_labels.en
    assert {c.outcome for c in result.criteria} == {"pass"}
    assert (result.ruleset_code, result.ruleset_version) == ("gbt-ssb-2026", 1)


def test_a_hybrid_cell_passing_its_criteria_is_certified_hybrid_without_solid_state_wording():
    result = run(hybrid(), claimed="hybrid_solid_liquid")
    assert (result.determined_class, result.certifiable) == ("hybrid_solid_liquid", True)
    assert not result.may_label_solid_state
    assert result.classification_code == "HSL-SUL-LI-HE"
    assert result.reviewer_approvals_required == 1
    assert result.permitted_labels.en == ("hybrid solid-liquid battery",)
    assert result.permitted_labels.zh == ("混合固液电池",)
    assert {"solid-state", "semi-solid", "quasi-solid"} <= set(result.forbidden_labels.en)


# --- vacuum weight loss: the limit, leakage, and the class it gates -----------------------------

WEIGHT_LOSS_CASES = [
    # (afters, leakage, weight-loss outcome, determined class)
    (("9.95", "9.95", "9.95"), False, "pass", "all_solid_state"),  # exactly 0.5 %
    (("9.95", "9.9499", "9.98"), False, "fail", "hybrid_solid_liquid"),  # 0.501 %
    (("9.99", "9.99", "9.99"), True, "fail", "hybrid_solid_liquid"),  # 0.1 % but leaking
]


@pytest.mark.parametrize(("afters", "leakage", "expected", "klass"), WEIGHT_LOSS_CASES)
def test_weight_loss_passes_up_to_the_limit_and_fails_above_it_or_with_leakage(
    afters, leakage, expected, klass
):
    result = run(solid_state(weight_loss=weight_loss(*afters, leakage=leakage)))
    assert outcome_of(result, "weight_loss") == expected
    assert result.determined_class == klass


def test_a_loss_of_exactly_half_a_percent_is_computed_exactly_not_as_a_float():
    result = run(solid_state(weight_loss=weight_loss("9.95", "9.95", "9.95")))
    measured = criterion(result, "weight_loss").measured
    assert measured["max_loss_pct"] == "0.5"
    assert measured["samples"][0]["loss_pct"] == "0.5"


def test_below_five_percent_with_a_failed_weight_loss_is_hybrid_and_flagged():
    result = run(solid_state(weight_loss=weight_loss("9.95", "9.90", "9.95")))
    assert result.determined_class == "hybrid_solid_liquid"
    assert "content_contradicted_by_weight_loss" in flags(result)
    # judged in the hybrid class: 600 Wh/kg clears 400, so it is certifiable as hybrid
    assert result.certifiable and not result.may_label_solid_state
    assert "claim_not_supported" in flags(result)


# --- liquid electrolyte content: the class bands ------------------------------------------------

CONTENT_CASES = [
    ("4.99", "all_solid_state", True),
    ("5", "hybrid_solid_liquid", True),
    ("20", "hybrid_solid_liquid", True),
    ("20.01", "liquid", False),
]


@pytest.mark.parametrize(("pct", "klass", "certifiable"), CONTENT_CASES)
def test_the_content_band_decides_the_class(pct, klass, certifiable):
    result = run(solid_state(electrolyte_content=content(pct)), claimed=klass)
    assert result.determined_class == klass
    assert result.certifiable is certifiable


def test_the_highest_content_sample_decides():
    result = run(solid_state(electrolyte_content=content("3", "4.99", "5")))
    assert result.determined_class == "hybrid_solid_liquid"
    assert criterion(result, "electrolyte_content").measured["liquid_electrolyte_pct"] == "5"


def test_a_liquid_cell_is_never_certifiable_and_may_print_only_liquid_wording():
    result = run(solid_state(electrolyte_content=content("35")), claimed="hybrid_solid_liquid")
    assert result.determined_class == "liquid"
    assert not result.certifiable and result.verdict == "not_certifiable"
    assert result.classification_code is None
    assert outcome_of(result, "electrolyte_content") == "fail"
    assert outcome_of(result, "energy_density") == "not_applicable"
    assert outcome_of(result, "safety") == "not_applicable"
    assert result.permitted_labels.en == ("liquid battery",)
    assert "solid-state" in result.forbidden_labels.en
    assert {"liquid_not_certifiable", "claim_not_supported"} <= flags(result)


def test_a_hybrid_without_a_weight_loss_result_needs_none():
    result = run(hybrid(weight_loss=None), claimed="hybrid_solid_liquid")
    assert result.certifiable
    assert outcome_of(result, "weight_loss") == "not_applicable"


def test_content_below_five_percent_without_a_valid_weight_loss_leaves_the_class_open():
    result = run(solid_state(weight_loss=None))
    assert result.determined_class is None
    assert result.verdict == "incomplete"
    assert "class_undetermined_weight_loss" in flags(result)
    assert not result.certifiable and not result.claim_supported


def test_without_a_lab_content_result_no_class_is_determined():
    result = run(solid_state(electrolyte_content=None))
    assert result.determined_class is None and result.verdict == "incomplete"
    assert outcome_of(result, "electrolyte_content") == "incomplete"
    assert "class_undetermined_content" in flags(result)
    assert result.permitted_labels.en == ()
    assert "solid-state battery" in result.forbidden_labels.en


# --- energy density floors ----------------------------------------------------------------------

ENERGY_CASES = [
    # (content %, discharge energy Wh of a 200 g cell, expected outcome)
    ("10", "80", "pass"),  # hybrid, exactly 400 Wh/kg
    ("10", "79.998", "fail"),  # hybrid, 399.99 Wh/kg
    ("3", "100", "pass"),  # all-solid-state, exactly 500 Wh/kg
    ("3", "99.998", "fail"),  # all-solid-state, 499.99 Wh/kg
    ("3", "90", "fail"),  # all-solid-state, 450: enough for hybrid, not for its own class
]


@pytest.mark.parametrize(("pct", "wh", "expected"), ENERGY_CASES)
def test_energy_density_must_reach_the_floor_of_the_determined_class(pct, wh, expected):
    sheets = solid_state(electrolyte_content=content(pct), energy_density=energy(wh))
    result = run(sheets, claimed="hybrid_solid_liquid")
    assert outcome_of(result, "energy_density") == expected
    assert result.certifiable is (expected == "pass")
    if expected == "fail":
        assert result.verdict == "not_certifiable"


def test_every_energy_sample_must_reach_the_floor():
    result = run(solid_state(energy_density=energy("120", "120", "99.998")))
    assert outcome_of(result, "energy_density") == "fail"
    assert criterion(result, "energy_density").params["below_floor_count"] == 1


DISCHARGE_CURRENT_CASES = [
    # rated 30 Ah -> 1 I3 = 10 A, ± 5 %
    ("10.5", "pass"),
    ("9.5", "pass"),
    ("10.5001", "incomplete"),
    ("9.4999", "incomplete"),
    ("-10", "pass"),  # a cycler's sign convention: discharge current negative
]


@pytest.mark.parametrize(("amps", "expected"), DISCHARGE_CURRENT_CASES)
def test_the_discharge_current_must_be_the_three_hour_rate_within_five_percent(amps, expected):
    result = run(solid_state(energy_density=energy("120", current_a=amps)))
    assert outcome_of(result, "energy_density") == expected


def test_a_current_exactly_five_percent_off_a_non_terminating_nominal_still_passes():
    # 10 Ah / 3 h = 3.333... A; 3.5 A is exactly 5 % above it
    product = replace(PRODUCT, rated_capacity_ah=D("10"))
    result = run(solid_state(energy_density=energy("120", current_a="3.5")), product=product)
    assert outcome_of(result, "energy_density") == "pass"
    sample = criterion(result, "energy_density").measured["samples"][0]
    assert D(sample["discharge_current_deviation_pct"]) == 5


@pytest.mark.parametrize(("temperature", "expected"), [("23", "pass"), ("22.99", "incomplete")])
def test_the_energy_test_must_run_at_25_plus_minus_2_degrees(temperature, expected):
    result = run(solid_state(energy_density=energy("120", temperature_c=temperature)))
    assert outcome_of(result, "energy_density") == expected


# --- invalid test conditions: incomplete, never fail --------------------------------------------

CONDITION_CASES = [
    ("temperature_c", "117.99"),
    ("temperature_c", "122.01"),
    ("duration_h", "5.99"),
    ("pressure_pa", "1000.01"),
    ("balance_resolution_g", "0.02"),
]


@pytest.mark.parametrize(("column", "value"), CONDITION_CASES)
def test_a_weight_loss_test_outside_its_conditions_is_incomplete_not_failed(column, value):
    # even with a loss far over the limit: an invalid test proves nothing either way
    sheet = weight_loss("9.95", "9.50", "9.95", **{column: value})
    result = run(solid_state(weight_loss=sheet))
    assert outcome_of(result, "weight_loss") == "incomplete"
    assert criterion(result, "weight_loss").message_id == "weight_loss.invalid_conditions"
    assert result.determined_class is None and result.verdict == "incomplete"
    assert "invalid_test_conditions" in flags(result)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("temperature_c", "118"),
        ("temperature_c", "122"),
        ("duration_h", "6"),
        ("pressure_pa", "1000"),
        ("balance_resolution_g", "0.01"),
    ],
)
def test_a_weight_loss_test_exactly_on_its_condition_limits_is_valid(column, value):
    result = run(solid_state(weight_loss=weight_loss(**{column: value})))
    assert outcome_of(result, "weight_loss") == "pass"


def test_two_weight_loss_samples_are_too_few():
    result = run(solid_state(weight_loss=weight_loss(n=2)))
    assert outcome_of(result, "weight_loss") == "incomplete"
    assert criterion(result, "weight_loss").message_id == "weight_loss.too_few_samples"
    assert result.verdict == "incomplete"


def test_a_weight_loss_row_with_a_blank_condition_is_incomplete():
    sheet = weight_loss()
    rows = (dict(sheet.rows[0], pressure_pa=None),) + sheet.rows[1:]
    result = run(solid_state(weight_loss=replace(sheet, rows=rows)))
    assert criterion(result, "weight_loss").message_id == "weight_loss.missing_values"


def test_without_a_chamber_log_the_sheet_decides_and_a_flag_says_so():
    assert "no_chamber_log" in flags(run(solid_state()))


CHAMBER_CASES = [
    (6 * 3600, 118.5, 121.9, 40.0, "pass"),
    (6 * 3600 - 60, 118.5, 121.9, 40.0, "incomplete"),  # 5 h 59 min
    (7 * 3600, 117.9, 121.9, 40.0, "incomplete"),
    (7 * 3600, 118.5, 121.9, 1000.5, "incomplete"),
]


@pytest.mark.parametrize(("hold_s", "t_min", "t_max", "p_max", "expected"), CHAMBER_CASES)
def test_a_chamber_log_must_show_the_whole_hold_within_temperature_and_pressure(
    hold_s, t_min, t_max, p_max, expected
):
    log = ChamberEvidence("chamber.csv", hold_s, t_min, t_max, p_max)
    result = run(solid_state(), chambers=(log,))
    assert outcome_of(result, "weight_loss") == expected
    assert "no_chamber_log" not in flags(result)
    assert ("chamber_log_conditions_not_met" in flags(result)) is (expected != "pass")


# --- abuse safety -------------------------------------------------------------------------------


def test_a_missing_safety_test_makes_the_evaluation_incomplete():
    result = run(solid_state(safety=safety(SEED_TESTS[:3])))
    assert outcome_of(result, "safety.immersion") == "incomplete"
    assert outcome_of(result, "safety.crush") == "pass"
    assert result.verdict == "incomplete" and not result.certifiable


@pytest.mark.parametrize("kind", ["fire", "explosion"])
def test_fire_or_explosion_in_a_required_test_fails(kind):
    result = run(solid_state(safety=safety(**{kind: ("crush",)})))
    assert outcome_of(result, "safety.crush") == "fail"
    assert result.verdict == "not_certifiable" and not result.certifiable
    assert result.determined_class == "all_solid_state"


def test_a_fire_in_a_test_the_class_does_not_require_is_flagged():
    result = run(solid_state(safety=safety(SEED_TESTS + ("overcharge",), fire=("overcharge",))))
    assert result.certifiable
    assert "safety_failure_other_test" in flags(result)


# --- independent evidence -----------------------------------------------------------------------

EXPIRED = replace(LAB, accreditation_valid_until=date(2026, 6, 30))
NOT_YET = replace(LAB, accreditation_valid_from=date(2026, 8, 1))
UNASSIGNED = replace(LAB, assigned_to_submission=False)


@pytest.mark.parametrize(
    ("lab", "flag"),
    [
        (EXPIRED, "accreditation_invalid"),
        (NOT_YET, "accreditation_invalid"),
        (UNASSIGNED, "lab_not_assigned"),
        (None, "lab_unknown"),
    ],
)
def test_results_of_a_lab_not_accredited_and_assigned_on_the_test_date_are_ignored(lab, flag):
    result = run(solid_state(weight_loss=weight_loss(lab=lab)))
    assert outcome_of(result, "weight_loss") == "incomplete"
    assert criterion(result, "weight_loss").measured["ignored_rows"] == 3
    assert flag in flags(result)
    assert result.verdict == "incomplete"


def test_an_accreditation_valid_on_its_last_day_counts():
    lab = replace(LAB, accreditation_valid_until=TEST_DAY)
    assert run(solid_state(weight_loss=weight_loss(lab=lab))).certifiable


def test_maker_only_data_is_shown_as_a_declaration_and_leaves_the_test_incomplete():
    result = run(solid_state(weight_loss=weight_loss(source="maker", lab=None)))
    result_wl = criterion(result, "weight_loss")
    assert result_wl.outcome == "incomplete"
    assert result_wl.measured["declared"]["outcome"] == "pass"
    assert "maker_only_evidence" in flags(result)
    assert not result.certifiable


def test_a_maker_declaration_that_disagrees_with_the_lab_is_flagged():
    maker = replace(weight_loss(source="maker", lab=None), dataset_ref="maker-wl.csv")
    lab = weight_loss("9.98", "9.90", "9.98")
    result = run(solid_state(weight_loss=lab) + (maker,))
    assert outcome_of(result, "weight_loss") == "fail"
    assert "declared_result_disagrees" in flags(result)


def test_a_declared_three_percent_against_a_measured_six_and_a_failed_weight_loss_is_flagged():
    product = replace(PRODUCT, declared_liquid_electrolyte_pct=D("3"))
    sheets = solid_state(
        electrolyte_content=content("6"), weight_loss=weight_loss("9.98", "9.90", "9.98")
    )
    result = run(sheets, product=product)
    assert result.determined_class == "hybrid_solid_liquid"
    assert {
        "declared_content_disagrees",
        "declared_content_contradicted_by_weight_loss",
        "claim_not_supported",
    } <= flags(result)
    declared = criterion(result, "electrolyte_content").measured["declared"]
    assert declared["product_liquid_electrolyte_pct"] == "3"


@pytest.mark.parametrize(("declared", "flagged"), [("4", False), ("1.99", True)])
def test_a_declared_content_within_the_tolerance_is_not_flagged(declared, flagged):
    product = replace(PRODUCT, declared_liquid_electrolyte_pct=D(declared))
    result = run(solid_state(), product=product)
    assert ("declared_content_disagrees" in flags(result)) is flagged


# --- claims -------------------------------------------------------------------------------------


def test_a_claim_above_the_determined_class_is_not_supported_but_may_be_certified_lower():
    result = run(hybrid(), claimed="all_solid_state")
    assert result.determined_class == "hybrid_solid_liquid"
    assert not result.claim_supported
    assert result.certifiable and not result.may_label_solid_state
    assert "claim_not_supported" in flags(result)


def test_a_claim_below_the_determined_class_is_judged_in_the_determined_class():
    result = run(solid_state(), claimed="hybrid_solid_liquid")
    assert result.claim_supported and result.determined_class == "all_solid_state"
    assert "claim_below_determined_class" in flags(result)


# --- raw data cross-checks ----------------------------------------------------------------------

CYCLER_CASES = [(123.6, "pass"), (116.4, "pass"), (123.61, "incomplete"), (110.0, "incomplete")]


@pytest.mark.parametrize(("cycler_wh", "expected"), CYCLER_CASES)
def test_the_sheet_energy_must_match_the_cycler_file_within_three_percent(cycler_wh, expected):
    cycler = CyclerEvidence("cycler.bdf.csv", cycler_wh, "bdf", sample_id="E1")
    result = run(solid_state(), cyclers=(cycler,))
    assert outcome_of(result, "energy_density") == expected
    assert ("cycler_energy_mismatch" in flags(result)) is (expected != "pass")


def test_a_cycler_file_for_an_unknown_sample_is_an_error():
    cycler = CyclerEvidence("cycler.csv", 120.0, "arbin", sample_id="E9")
    result = run(solid_state(), cyclers=(cycler,))
    assert outcome_of(result, "energy_density") == "incomplete"
    assert "cycler_sample_unknown" in flags(result)


# --- sub-classes and the classification code ----------------------------------------------------


@pytest.mark.parametrize(
    ("power_w", "family", "ion", "code"),
    [
        ("1109.99", "sulfide", "lithium", "SS-SUL-LI-HE"),
        ("1110", "sulfide", "lithium", "SS-SUL-LI-HP"),  # ratio exactly 10: high-power
        ("333", "oxide", "sodium", "SS-OXI-NA-HE"),
    ],
)
def test_the_classification_code_follows_the_rule_set_format(power_w, family, ion, code):
    product = replace(
        PRODUCT, max_continuous_power_w=D(power_w), electrolyte_family=family, conducting_ion=ion
    )
    assert run(solid_state(), product=product).classification_code == code


def test_a_declared_liquid_family_on_an_all_solid_state_cell_is_flagged():
    product = replace(PRODUCT, electrolyte_family="liquid")
    assert "family_inconsistent" in flags(run(solid_state(), product=product))


# --- the predecessor rule set T/CSAE 434-2025 ---------------------------------------------------


@pytest.mark.parametrize(
    ("after", "expected", "klass"),
    [("9.90", "pass", "all_solid_state"), ("9.8999", "fail", None)],
)
def test_the_group_standard_certifies_all_solid_state_up_to_one_percent_loss(
    after, expected, klass
):
    result = run([weight_loss(after, after, after, ambient_temperature_c="25")], ruleset=TCSAE)
    assert outcome_of(result, "weight_loss") == expected
    assert result.determined_class == klass
    assert result.certifiable is (expected == "pass")
    assert result.may_label_solid_state is (expected == "pass")
    if expected == "fail":
        assert result.verdict == "not_certifiable"
        assert "not_gated_class" in flags(result)
    else:
        assert result.classification_code == "SS-SUL-LI-HE"


def test_the_group_standard_checks_the_ambient_only_when_reported():
    unreported = run([weight_loss()], ruleset=TCSAE)
    assert unreported.certifiable and "condition_not_reported" in flags(unreported)
    too_warm = run([weight_loss(ambient_temperature_c="27.01")], ruleset=TCSAE)
    assert outcome_of(too_warm, "weight_loss") == "incomplete"


def test_the_group_standard_cannot_certify_a_hybrid_claim():
    result = run([weight_loss()], claimed="hybrid_solid_liquid", ruleset=TCSAE)
    assert "claimed_class_not_certifiable" in flags(result)
    assert [c.code for c in result.criteria] == ["weight_loss"]


# --- the output contract ------------------------------------------------------------------------

SCENARIOS = {
    "certified": lambda: run(solid_state()),
    "liquid": lambda: run(solid_state(electrolyte_content=content("35"))),
    "incomplete": lambda: run(solid_state(weight_loss=weight_loss(n=2), safety=None)),
    "maker only": lambda: run(
        [weight_loss(source="maker", lab=None), energy(source="maker", lab=None)]
    ),
    "expired lab": lambda: run(solid_state(energy_density=energy(lab=EXPIRED))),
    "cycler": lambda: run(
        solid_state(), cyclers=(CyclerEvidence("c.csv", 100.0, "neware"),), chambers=()
    ),
    "t-csae fail": lambda: run([weight_loss("9.5", "9.5", "9.5")], ruleset=TCSAE),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_outcome_survives_a_json_round_trip(name):
    result = SCENARIOS[name]()
    as_dict = result.as_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    for item in result.criteria + result.flags:
        assert item.message == render(item.message_id, item.params)
    for c in result.criteria:
        assert c.outcome in ("pass", "fail", "incomplete", "not_applicable")


def test_every_message_template_is_a_valid_format_string():
    for message_id, template in MESSAGES.items():
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        assert all(f.isidentifier() for f in fields), message_id


def test_the_thresholds_come_from_the_rule_set_not_the_code():
    text = ruleset_files()[0].read_text(encoding="utf-8")
    assert "value = 0.5\n" in text
    loose = load_ruleset(text.replace("value = 0.5\n", "value = 1\n", 1))
    sheet = weight_loss("9.90", "9.90", "9.90")  # 1 %
    assert outcome_of(run(solid_state(weight_loss=sheet)), "weight_loss") == "fail"
    assert outcome_of(run(solid_state(weight_loss=sheet), ruleset=loose), "weight_loss") == "pass"


def test_three_sheets_of_a_thousand_rows_evaluate_well_under_100_ms():
    sheets = (
        weight_loss(*(["9.98"] * 1000)),
        energy(*(["120"] * 1000)),
        replace(safety(), rows=safety().rows * 250),
        content("3"),
    )
    evaluate(DEFAULT, EvaluationInput("all_solid_state", PRODUCT, sheets))  # warm up
    started = time.perf_counter()
    result = evaluate(DEFAULT, EvaluationInput("all_solid_state", PRODUCT, sheets))
    elapsed = time.perf_counter() - started
    assert result.certifiable
    assert elapsed < 0.1, f"{elapsed * 1000:.1f} ms"


def test_an_unknown_claimed_class_is_a_programming_error():
    with pytest.raises(ValueError, match="claimed class"):
        run(solid_state(), claimed="semi_solid")
