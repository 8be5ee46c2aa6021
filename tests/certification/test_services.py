"""The services: submission, evaluation once per attempt, reproducibility, rule set immutability."""

from __future__ import annotations

import pytest

from certification import services
from certification.evidence import reproduce
from certification.exceptions import (
    EvidenceMissing,
    InvalidTransition,
    NotPermitted,
    RuleSetImmutable,
)
from certification.models import AuditEvent, Evaluation, RuleSet, Submission
from tests.conftest import SHEETS, upload_all
from tests.samples import sample_sheet

pytestmark = pytest.mark.django_db


def submit_and_run(submission, cast) -> Evaluation:
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    return services.evaluation_run(evaluation_id=evaluation.pk)


def test_a_solid_state_cell_with_lab_evidence_is_certifiable(submission, cast):
    upload_all(submission, cast["lab"])
    evaluation = submit_and_run(submission, cast)
    assert evaluation.status == "done"
    assert evaluation.determined_class == "all_solid_state"
    assert evaluation.certifiable is True
    assert evaluation.may_label_solid_state is True
    assert evaluation.classification_code
    assert {c["outcome"] for c in evaluation.result["criteria"]} == {"pass"}
    assert len(evaluation.inputs) == 4 and all(len(i["sha256"]) == 64 for i in evaluation.inputs)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.AWAITING_REVIEW


def test_a_hybrid_cell_claimed_as_solid_state_is_certifiable_only_as_hybrid(submission, cast):
    upload_all(submission, cast["lab"], profile="hybrid_solid_liquid")
    evaluation = submit_and_run(submission, cast)
    assert evaluation.determined_class == "hybrid_solid_liquid"
    assert evaluation.claim_supported is False
    assert evaluation.may_label_solid_state is False
    assert evaluation.certifiable is True


def test_maker_declarations_alone_cannot_even_be_submitted(submission, cast):
    # (The engine shows them as declarations that never decide: tests/certification/criteria.)
    upload_all(submission, cast["maker"])
    with pytest.raises(EvidenceMissing) as refused:
        services.submission_submit(user=cast["maker"], submission=submission)
    assert [e.column for e in refused.value.errors] == list(SHEETS)
    assert not Evaluation.objects.filter(submission=submission).exists()


def test_a_liquid_cell_is_not_certifiable(submission, cast):
    upload_all(submission, cast["lab"], profile="liquid")
    evaluation = submit_and_run(submission, cast)
    assert evaluation.determined_class == "liquid"
    assert evaluation.certifiable is False


def test_submitting_twice_leaves_one_evaluation(submission, cast):
    upload_all(submission, cast["lab"])
    services.submission_submit(user=cast["maker"], submission=submission)
    with pytest.raises(InvalidTransition):
        services.submission_submit(user=cast["maker"], submission=submission)
    assert Evaluation.objects.filter(submission=submission).count() == 1


def test_running_an_evaluation_twice_changes_nothing(submission, cast):
    upload_all(submission, cast["lab"])
    first = submit_and_run(submission, cast)
    again = services.evaluation_run(evaluation_id=first.pk)
    assert again.finished_at == first.finished_at
    assert again.result == first.result
    assert Evaluation.objects.filter(submission=submission).count() == 1
    assert AuditEvent.objects.filter(action="evaluation.finished").count() == 1


def test_only_the_maker_submits(submission, cast):
    with pytest.raises(NotPermitted):
        services.submission_submit(user=cast["lab"], submission=submission)


def test_the_submission_fixes_the_rule_set_and_marks_it_used(submission, cast):
    upload_all(submission, cast["lab"])
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    assert evaluation.ruleset.code == "gbt-ssb-2026"
    evaluation.ruleset.refresh_from_db()
    assert evaluation.ruleset.first_used_at is not None


def test_a_tampered_file_stops_the_evaluation(submission, cast):
    upload_all(submission, cast["lab"])
    dataset = submission.datasets.first()
    with dataset.file.storage.open(dataset.file.name, "wb") as handle:
        handle.write(sample_sheet(dataset.kind, profile="liquid"))
    evaluation = submit_and_run(submission, cast)
    assert evaluation.status == "error"
    assert "SHA-256" in evaluation.error
    submission.refresh_from_db()
    assert submission.status == Submission.Status.EVALUATION_FAILED


def test_a_regulator_can_reproduce_a_finished_evaluation(submission, cast):
    upload_all(submission, cast["lab"])
    evaluation = submit_and_run(submission, cast)
    report = reproduce(evaluation)
    assert report["identical"] is True, report["differences"]


def test_withdrawn_evidence_is_not_evaluated(submission, cast):
    upload_all(submission, cast["lab"])
    weight_loss = submission.datasets.get(kind="weight_loss")
    services.dataset_withdraw(user=cast["lab"], dataset=weight_loss, reason="wrong batch")
    # The replacement (of a cell that holds liquid) is evaluated, the withdrawn file is not.
    upload_all(submission, cast["lab"], profile="liquid", kinds=("weight_loss",))
    evaluation = submit_and_run(submission, cast)
    assert weight_loss.pk not in [i["dataset"] for i in evaluation.inputs]
    assert len(evaluation.inputs) == 4
    assert evaluation.may_label_solid_state is False


def test_a_used_rule_set_cannot_change(submission, cast, monkeypatch):
    upload_all(submission, cast["lab"])
    services.submission_submit(user=cast["maker"], submission=submission)
    ruleset = services.ruleset_in_force()  # the one the submission used
    RuleSet.objects.filter(pk=ruleset.pk).update(
        sha256="0" * 64
    )  # as if the file had changed since
    with pytest.raises(RuleSetImmutable):
        services.rulesets_sync()


def test_an_unused_rule_set_follows_its_file(db):
    RuleSet.objects.filter(code="t-csae-434-2025").update(sha256="0" * 64, first_used_at=None)
    report = services.rulesets_sync()
    assert ("t-csae-434-2025", 1, "updated") in report
