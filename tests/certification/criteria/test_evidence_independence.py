"""Which evidence counts: an assigned lab accredited on the test date; the maker's rows are
declarations (no database).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from tests.certification.criteria.builders import (
    EXPIRED,
    LAB,
    NOT_YET,
    PRODUCT,
    TEST_DAY,
    UNASSIGNED,
    content,
    criterion,
    flags,
    outcome_of,
    run,
    solid_state,
    weight_loss,
)


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


def test_a_declared_percentage_on_the_product_form_is_not_maker_only_evidence():
    product = replace(PRODUCT, declared_liquid_electrolyte_pct=Decimal("3"))
    result = run(solid_state(electrolyte_content=None), product=product)
    assert outcome_of(result, "electrolyte_content") == "incomplete"
    assert "maker_only_evidence" not in flags(result)


def test_a_content_sheet_the_maker_uploaded_is_maker_only_evidence():
    product = replace(PRODUCT, declared_liquid_electrolyte_pct=Decimal("3"))
    maker = content("3", source="maker", lab=None)
    result = run(solid_state(electrolyte_content=maker), product=product)
    assert outcome_of(result, "electrolyte_content") == "incomplete"
    only = [f for f in result.flags if f.code == "maker_only_evidence"]
    assert len(only) == 1 and only[0].params["kind"] == "electrolyte_content"
