"""What-if: a finished evaluation re-run under another rule set, criterion by criterion beside
the original; nothing stored but the audit event."""

from __future__ import annotations

import pytest

from certification import services
from certification.exceptions import InvalidTransition, NotPermitted
from certification.models import AuditEvent, Evaluation, RuleSet
from tests.conftest import upload_all

from .proposing import SAME, propose

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(submission, cast) -> Evaluation:
    upload_all(submission, cast["lab"])
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    return services.evaluation_run(evaluation_id=evaluation.pk)


def rows(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


def test_a_stricter_proposal_shows_the_weight_loss_failing_beside_the_pass(cast, evaluated):
    ruleset = propose(cast["regulator"])
    evaluations = rows(Evaluation)
    report = services.evaluation_whatif(
        user=cast["regulator"], evaluation=evaluated, ruleset=ruleset
    )
    assert report["original_ruleset"]["version"] == 3
    assert (report["whatif_ruleset"]["version"], report["whatif_ruleset"]["status"]) == (
        4,
        "proposed",
    )
    assert report["original"]["determined_class"] == "all_solid_state"
    assert report["whatif"]["determined_class"] == "hybrid_solid_liquid"
    assert report["changes"] == ["class", "label"]
    weight_loss = next(c for c in report["criteria"] if c["code"] == "weight_loss")
    assert weight_loss["changed"]
    assert (weight_loss["original"]["outcome"], weight_loss["whatif"]["outcome"]) == (
        "pass",
        "fail",
    )
    assert "0.5" in weight_loss["original"]["limit"] and "0.1" in weight_loss["whatif"]["limit"]
    assert weight_loss["original"]["measured"] == weight_loss["whatif"]["measured"]
    assert not next(c for c in report["criteria"] if c["code"] == "safety.crush")["changed"]
    assert rows(Evaluation) == evaluations
    event = AuditEvent.objects.get(action="evaluation.whatif")
    assert event.actor == cast["regulator"] and event.submission_id == evaluated.submission_id
    assert event.detail["version"] == 4


def test_under_an_older_version_or_an_equivalent_text_nothing_changes(cast, evaluated):
    for ruleset in (
        RuleSet.objects.get(code="gbt-ssb-2026", version=2),
        propose(cast["reviewer"], SAME),
    ):
        report = services.evaluation_whatif(
            user=cast["reviewer"], evaluation=evaluated, ruleset=ruleset
        )
        assert report["changes"] == [] and report["error"] is None
        assert report["whatif"]["determined_class"] == "all_solid_state"


@pytest.mark.parametrize("who", ["maker", "lab", "automaker", "other_maker", "other_lab"])
def test_only_regulators_and_the_certification_body_run_a_whatif(cast, evaluated, who):
    ruleset = RuleSet.objects.get(code="gbt-ssb-2026", version=2)
    with pytest.raises(NotPermitted):
        services.evaluation_whatif(user=cast[who], evaluation=evaluated, ruleset=ruleset)
    assert not AuditEvent.objects.filter(action="evaluation.whatif").exists()


def test_an_unfinished_evaluation_is_not_re_run(cast, submission):
    upload_all(submission, cast["lab"])
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    with pytest.raises(InvalidTransition):
        services.evaluation_whatif(
            user=cast["regulator"], evaluation=evaluation, ruleset=evaluation.ruleset
        )
