"""The liquid electrolyte content: the class bands, the deciding sample and the declared
contents (no database).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from tests.certification.criteria.builders import (
    PRODUCT,
    content,
    criterion,
    flags,
    outcome_of,
    run,
    solid_state,
    weight_loss,
)

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


def test_without_a_lab_content_result_no_class_is_determined():
    result = run(solid_state(electrolyte_content=None))
    assert result.determined_class is None and result.verdict == "incomplete"
    assert outcome_of(result, "electrolyte_content") == "incomplete"
    assert "class_undetermined_content" in flags(result)
    assert result.permitted_labels.en == ()
    assert "solid-state battery" in result.forbidden_labels.en


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
