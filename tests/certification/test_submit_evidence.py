"""The maker cannot submit while the rule set's required evidence is missing: the service, the
API and the page list what is missing, per kind with its label, and nothing changes."""

from __future__ import annotations

import pytest
from django.utils import translation

from certification import services
from certification.evidence import rule_data
from certification.exceptions import EvidenceMissing
from certification.models import AuditEvent, Dataset, Evaluation, Submission
from certification.services.submissions import evidence_checklist
from tests.conftest import SHEETS, upload_all

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are compared in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


def label(kind: str) -> str:
    return str(Dataset.Kind(kind).label)


def _refusal(cast, submission) -> EvidenceMissing:
    with pytest.raises(EvidenceMissing) as refused:
        services.submission_submit(user=cast["maker"], submission=submission)
    return refused.value


def _nothing_changed(submission):
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT
    assert submission.attempt == 0 and submission.submitted_at is None
    assert not Evaluation.objects.filter(submission=submission).exists()
    assert not AuditEvent.objects.filter(action="submission.submitted").exists()


def test_a_submission_without_lab_data_is_refused_with_every_missing_kind(cast, submission):
    refusal = _refusal(cast, submission)
    assert refusal.code == "evidence_missing" and refusal.http_status == 409
    assert "requires evidence that is missing" in refusal.message
    assert [e.column for e in refusal.errors] == list(SHEETS)
    lab = submission.lab.name
    assert [e.message for e in refusal.errors] == [
        f"{label(kind)}: no file from {lab} yet." for kind in SHEETS
    ]
    _nothing_changed(submission)


def test_only_what_is_missing_is_listed(cast, submission):
    upload_all(submission, cast["lab"], kinds=("weight_loss", "safety"))
    refusal = _refusal(cast, submission)
    assert [e.column for e in refusal.errors] == ["electrolyte_content", "energy_density"]
    _nothing_changed(submission)


def test_the_makers_own_results_do_not_count(cast, submission):
    upload_all(submission, cast["lab"], kinds=("weight_loss", "electrolyte_content", "safety"))
    upload_all(submission, cast["maker"], kinds=("energy_density",))
    (missing,) = _refusal(cast, submission).errors
    assert missing.column == "energy_density"
    assert "the manufacturer's own results are declarations" in missing.message
    _nothing_changed(submission)


def test_a_withdrawn_file_does_not_count(cast, submission):
    upload_all(submission, cast["lab"])
    safety = submission.datasets.get(kind="safety")
    services.dataset_withdraw(user=cast["lab"], dataset=safety, reason="wrong cells")
    (missing,) = _refusal(cast, submission).errors
    assert missing.column == "safety"
    _nothing_changed(submission)


def test_results_of_a_lab_no_longer_assigned_do_not_count(cast, orgs, submission):
    upload_all(submission, cast["lab"])
    Submission.objects.filter(pk=submission.pk).update(lab=orgs["other_lab"])
    submission.refresh_from_db()
    refusal = _refusal(cast, submission)
    assert [e.column for e in refusal.errors] == list(SHEETS)
    assert orgs["other_lab"].name in refusal.errors[0].message


def test_a_hybrid_claim_needs_no_weight_loss_result(cast, submission):
    # gbt-ssb-2026: the hybrid class does not require the weight-loss criterion.
    Submission.objects.filter(pk=submission.pk).update(claimed_class="hybrid_solid_liquid")
    submission.refresh_from_db()
    upload_all(
        submission,
        cast["lab"],
        profile="hybrid_solid_liquid",
        kinds=("electrolyte_content", "energy_density", "safety"),
    )
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    assert evaluation.attempt == 1


def test_complete_evidence_is_submitted_and_the_checklist_says_so(cast, submission):
    upload_all(submission, cast["lab"])
    rules = rule_data(services.ruleset_in_force())
    assert [item["present"] for item in evidence_checklist(submission, rules)] == [True] * 4
    services.submission_submit(user=cast["maker"], submission=submission)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.EVALUATING


def test_the_api_answers_409_with_the_list(api, cast, submission):
    upload_all(submission, cast["lab"], kinds=("weight_loss",))
    response = api(cast["maker"]).post(f"/api/v1/submissions/{submission.pk}/submit/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "evidence_missing"
    assert [(e["column"], e["row"]) for e in body["errors"]] == [
        ("electrolyte_content", None),
        ("energy_density", None),
        ("safety", None),
    ]
    assert body["errors"][0]["message"].startswith(label("electrolyte_content"))
    _nothing_changed(submission)


def test_the_api_says_it_in_chinese(api, cast, submission):
    response = api(cast["maker"]).post(
        f"/api/v1/submissions/{submission.pk}/submit/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["column"] == "weight_loss"


def test_the_page_lists_what_is_missing(client, cast, submission):
    upload_all(submission, cast["lab"], kinds=("weight_loss", "electrolyte_content"))
    client.force_login(cast["maker"])
    response = client.post(f"/submissions/{submission.pk}/submit/", follow=True)
    page = response.content.decode()
    assert "requires evidence that is missing" in page
    assert f"{label('energy_density')}: no file from {submission.lab.name} yet." in page
    assert f"{label('safety')}: no file from {submission.lab.name} yet." in page
    assert f"{label('weight_loss')}: no file" not in page
    _nothing_changed(submission)
