"""Four eyes: every branch of who may decide, from the API (the page tests cover the forms)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certification import services
from certification.models import AuditEvent, Decision, Organisation, Submission, User
from tests.conftest import make_user, upload_all
from tests.samples import sample_sheet

pytestmark = pytest.mark.django_db

SHEETS = ("weight_loss", "electrolyte_content", "energy_density", "safety")


def evaluate(submission, cast, *, uploader=None, profile="all_solid_state", kinds=SHEETS):
    for kind in kinds:
        services.dataset_upload(
            user=uploader or cast["lab"],
            submission=submission,
            kind=kind,
            upload=SimpleUploadedFile(f"{kind}.csv", sample_sheet(kind, profile=profile)),
        )
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    services.evaluation_run(evaluation_id=evaluation.pk)
    submission.refresh_from_db()
    return submission


def decide(api, user, submission, decision="approve", reason="Evidence complete and consistent."):
    return api(user).post(
        f"/api/v1/submissions/{submission.pk}/decision/", {"decision": decision, "reason": reason}
    )


@pytest.fixture
def evaluated(submission, cast):
    return evaluate(submission, cast)


def test_an_all_solid_state_cell_needs_two_different_reviewers(api, cast, evaluated):
    first = decide(api, cast["reviewer"], evaluated)
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "awaiting_review"
    second = decide(api, cast["reviewer2"], evaluated)
    assert second.status_code == 200
    assert second.json()["status"] == "approved"
    assert [d["reviewer"] for d in second.json()["decisions"]] == ["reviewer", "reviewer2"]


def test_a_second_approval_by_the_same_reviewer_does_not_count(api, cast, evaluated):
    assert decide(api, cast["reviewer"], evaluated).status_code == 200
    again = decide(api, cast["reviewer"], evaluated)
    assert again.status_code == 409
    assert "another reviewer" in again.json()["detail"]
    evaluated.refresh_from_db()
    assert evaluated.status == Submission.Status.AWAITING_REVIEW
    assert Decision.objects.filter(decision="approve").count() == 1


def test_a_hybrid_cell_needs_one_approval(api, cast, submission):
    submission.claimed_class = "hybrid_solid_liquid"
    submission.save(update_fields=["claimed_class"])
    evaluated = evaluate(submission, cast, profile="hybrid_solid_liquid")
    response = decide(api, cast["reviewer"], evaluated)
    assert response.json()["status"] == "approved"


def test_approving_a_non_certifiable_evaluation_is_refused(api, cast, submission):
    # Complete evidence of a liquid cell: evaluated, and not certifiable.
    evaluated = evaluate(submission, cast, profile="liquid")
    response = decide(api, cast["reviewer"], evaluated)
    assert response.status_code == 409
    assert "not certifiable" in response.json()["detail"]
    assert not Decision.objects.exists()
    # ...but it can be rejected or returned.
    assert (
        decide(
            api, cast["reviewer"], evaluated, "return", "The cell holds liquid electrolyte."
        ).json()["status"]
        == "returned"
    )


def test_a_rejection_is_final(api, cast, evaluated):
    response = decide(api, cast["reviewer"], evaluated, "reject", "Leakage seen on photos.")
    assert response.json()["status"] == "rejected"
    assert decide(api, cast["reviewer2"], evaluated).status_code == 409


def test_a_returned_submission_can_be_completed_and_submitted_again(api, cast, evaluated):
    decide(api, cast["reviewer"], evaluated, "return", "Please add the chamber log.")
    evaluated.refresh_from_db()
    assert evaluated.status == Submission.Status.RETURNED
    evaluation = services.submission_submit(user=cast["maker"], submission=evaluated)
    assert evaluation.attempt == 2


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("maker", 403),
        ("lab", 403),
        ("regulator", 403),
        ("automaker", 404),
        ("other_maker", 404),
        (None, 401),
    ],
)
def test_only_reviewers_decide(api, cast, evaluated, role, status):
    response = decide(api, cast.get(role), evaluated)
    assert response.status_code == status
    assert not Decision.objects.exists()


def test_a_reviewer_of_the_organisation_that_tested_the_cell_may_not_decide(
    api, cast, orgs, product
):
    cb = orgs["cb"]
    Organisation.objects.filter(pk=cb.pk).update(
        accreditation_number="CNAS L09999", accreditation_valid_from=dt.date(2024, 1, 1)
    )
    submission = services.submission_create(
        user=cast["maker"], product=product, claimed_class="all_solid_state", lab=cb
    )
    lab_engineer = make_user("cb_lab_engineer", cb)
    evaluated = evaluate(submission, cast, uploader=lab_engineer)
    response = decide(api, cast["reviewer"], evaluated)
    assert response.status_code == 403
    assert "laboratory" in response.json()["detail"]


def test_a_reviewer_who_uploaded_data_may_not_decide(api, cast, orgs, submission):
    # A lab engineer who later joined the certification body as a reviewer.
    mover = make_user("mover", orgs["lab"])
    evaluated = evaluate(submission, cast, uploader=mover)
    User.objects.filter(pk=mover.pk).update(organisation=orgs["cb"], role=User.Role.REVIEWER)
    mover.refresh_from_db()
    response = decide(api, mover, evaluated)
    assert response.status_code == 403
    assert "uploaded" in response.json()["detail"]


def test_a_member_of_the_certification_body_who_is_not_a_reviewer_may_not_decide(
    api, cast, orgs, evaluated
):
    clerk = make_user("clerk", orgs["cb"], User.Role.MEMBER)
    assert decide(api, clerk, evaluated).status_code == 403


def test_a_submission_not_awaiting_review_cannot_be_decided(api, cast, orgs, submission):
    upload_all(submission, cast["lab"])
    services.submission_submit(user=cast["maker"], submission=submission)  # still evaluating
    response = decide(api, cast["reviewer"], submission)
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("payload", "column"),
    [({"decision": "approve", "reason": "  "}, "reason"), ({"decision": "maybe", "reason": "x"}, "decision"),
     ({"reason": "x"}, "decision")],
)  # fmt: skip
def test_a_decision_needs_a_known_verdict_and_a_reason(api, cast, evaluated, payload, column):
    response = api(cast["reviewer"]).post(f"/api/v1/submissions/{evaluated.pk}/decision/", payload)
    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == column
    assert not Decision.objects.exists()


def test_every_decision_is_audited(api, cast, evaluated):
    decide(api, cast["reviewer"], evaluated)
    event = AuditEvent.objects.get(action="submission.approve")
    assert event.actor == cast["reviewer"]
    assert event.detail["approvals_required"] == 2


def test_the_service_refuses_too_not_only_the_api(cast, evaluated):
    from certification.exceptions import NotPermitted

    with pytest.raises(NotPermitted):
        services.submission_decide(
            user=cast["lab"], submission=evaluated, decision="approve", reason="ok"
        )
