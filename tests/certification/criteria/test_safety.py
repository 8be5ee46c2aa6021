"""The abuse safety tests a class requires (no database)."""

from __future__ import annotations

import pytest

from tests.certification.criteria.builders import (
    SEED_TESTS,
    flags,
    outcome_of,
    run,
    safety,
    solid_state,
)


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
