"""Rules that span tables: bands partition 0-100 %, a liquid class is never certifiable, wording
and fallbacks agree with their class; faults refused with the path of the bad value."""

from __future__ import annotations

import pytest

from .texts import TCSAE_TEXT, mutate, rejection

REJECTED = [
    pytest.param(
        mutate("min = 5, max = 20", "min = 5, max = 21"),
        "classes.hybrid_solid_liquid.content_pct: overlaps classes.liquid.content_pct; content "
        "bands must cover 0-100 % exactly once; 21 % falls in liquid, hybrid_solid_liquid",
        id="overlapping content bands",
    ),
    pytest.param(
        mutate(
            'content_pct = { comparator = "<", value = 5,',
            'content_pct = { comparator = "<", value = 6,',
        ),
        "classes.all_solid_state.content_pct: overlaps classes.hybrid_solid_liquid.content_pct",
        id="an all-solid-state band overlapping the hybrid one",
    ),
    pytest.param(
        mutate(
            'class_codes = { all_solid_state = "SS" }',
            'class_codes = { hybrid_solid_liquid = "HSL", all_solid_state = "SS" }',
            TCSAE_TEXT,
        ),
        "classification_code.class_codes.hybrid_solid_liquid: no [classes.hybrid_solid_liquid] "
        "in this rule set",
        id="a classification code for a class the file does not define",
    ),
    pytest.param(
        mutate(
            'class_codes = { hybrid_solid_liquid = "HSL"',
            'class_codes = { hybrid_solid_liquid = "SS"',
        ),
        "classification_code.class_codes.all_solid_state: 'SS' is already the code of "
        "hybrid_solid_liquid",
        id="two classes with the same classification code",
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
            'on_weight_loss_fail = "hybrid_solid_liquid"', 'on_weight_loss_fail = "all_solid_state"'
        ),
        "classes.all_solid_state.on_weight_loss_fail: must name a lower class",
        id="a weight-loss fallback that is not lower",
    ),
    pytest.param(
        mutate(
            'reviewer_approvals = { value = 2, source = "portal-assumption", assumption = true }\n',
            "",
        ),
        "classes.all_solid_state: missing reviewer_approvals",
        id="a certifiable class without a reviewer quorum",
    ),
]


@pytest.mark.parametrize(("text", "message"), REJECTED)
def test_a_contradictory_rule_set_is_rejected_with_the_path_in_the_message(text, message):
    error = rejection(text)
    assert str(error).startswith(message)
    assert isinstance(error, ValueError)
