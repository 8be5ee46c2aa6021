"""The verdict: class, claim, certifiability, labels, classification code, and the outcome's
shape (no database).
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal as D

import pytest

from certification.criteria import (
    CyclerEvidence,
    EvaluationInput,
    evaluate,
    render,
)
from tests.certification.criteria.builders import (
    DEFAULT,
    EXPIRED,
    PRODUCT,
    TCSAE,
    content,
    energy,
    flags,
    hybrid,
    outcome_of,
    run,
    safety,
    solid_state,
    weight_loss,
)


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


def test_below_five_percent_with_a_failed_weight_loss_is_hybrid_and_flagged():
    result = run(solid_state(weight_loss=weight_loss("9.95", "9.90", "9.95")))
    assert result.determined_class == "hybrid_solid_liquid"
    assert "content_contradicted_by_weight_loss" in flags(result)
    # judged in the hybrid class: 600 Wh/kg clears 400, so it is certifiable as hybrid
    assert result.certifiable and not result.may_label_solid_state
    assert "claim_not_supported" in flags(result)


def test_content_below_five_percent_without_a_valid_weight_loss_leaves_the_class_open():
    result = run(solid_state(weight_loss=None))
    assert result.determined_class is None
    assert result.verdict == "incomplete"
    assert "class_undetermined_weight_loss" in flags(result)
    assert not result.certifiable and not result.claim_supported


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


def test_the_group_standard_cannot_certify_a_hybrid_claim():
    result = run([weight_loss()], claimed="hybrid_solid_liquid", ruleset=TCSAE)
    assert "claimed_class_not_certifiable" in flags(result)
    assert [c.code for c in result.criteria] == ["weight_loss"]


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


def test_three_sheets_of_a_thousand_rows_evaluate():
    # How fast is measured in bench/evaluation.py, beside a bare csv.reader, not here: a timed
    # assertion fails whenever the machine is busy.
    sheets = (
        weight_loss(*(["9.98"] * 1000)),
        energy(*(["120"] * 1000)),
        replace(safety(), rows=safety().rows * 250),
        content("3"),
    )
    result = evaluate(DEFAULT, EvaluationInput("all_solid_state", PRODUCT, sheets))
    assert result.certifiable


def test_an_unknown_claimed_class_is_a_programming_error():
    with pytest.raises(ValueError, match="claimed class"):
        run(solid_state(), claimed="semi_solid")
