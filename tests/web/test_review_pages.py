"""The review queue and the decision panel, from every member of the cast, and every four-eyes
refusal as the reviewer meets it on the page: a message, and no Decision written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certification import services
from certification.models import Decision, Organisation, Submission, User
from tests.conftest import make_user, upload_all
from tests.web.reviewing import (
    ANON,
    as_user,
    assert_status,
    cases,
    evaluate,
    everyone,
)

pytestmark = pytest.mark.django_db

S = Submission.Status
REASON = "Evidence complete and consistent with the product data."


@pytest.fixture
def evaluated(submission, cast):
    return evaluate(submission, cast)


def _decide(client, submission, decision="approve", reason=REASON, **kwargs):
    return client.post(
        f"/submissions/{submission.pk}/decision/",
        {"decision": decision, "reason": reason},
        **kwargs,
    )


def _page(response) -> str:
    return response.content.decode()


# --- who may open and act ------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    url: Any  # submission -> str
    expected: dict
    method: str = "get"
    data: dict | None = None


REVIEWERS_ONLY = everyone(403, reviewer=200, reviewer2=200)
PAGES = [
    Page("review queue", lambda s: "/review/", REVIEWERS_ONLY),
    Page(
        "decision",
        lambda s: f"/submissions/{s.pk}/decision/",
        # Those who see the submission but are not reviewers: 403; the rest do not see it: 404.
        everyone(404, reviewer=302, reviewer2=302, maker=403, lab=403, regulator=403),
        "post",
        {"decision": "approve", "reason": REASON},
    ),
    Page("decision by GET", lambda s: f"/submissions/{s.pk}/decision/", everyone(405)),
]


@pytest.mark.parametrize(("page", "user", "expected"), cases(PAGES))
def test_review_page_access(client: Client, cast, evaluated, page, user, expected):
    as_user(client, cast, user)
    response = getattr(client, page.method)(page.url(evaluated), page.data or {})
    assert_status(response, expected)
    written = Decision.objects.filter(submission=evaluated).count()
    assert written == (1 if page.method == "post" and expected == 302 else 0)


# --- the queue -----------------------------------------------------------------------------


def test_the_queue_lists_evaluated_submissions_oldest_first(client, cast, orgs, product):
    first = services.submission_create(
        user=cast["maker"], product=product, claimed_class="all_solid_state", lab=orgs["lab"]
    )
    second = services.submission_create(
        user=cast["maker"], product=product, claimed_class="all_solid_state", lab=orgs["lab"]
    )
    draft = services.submission_create(
        user=cast["maker"], product=product, claimed_class="all_solid_state", lab=orgs["lab"]
    )
    evaluate(first, cast)
    evaluate(second, cast, profile="liquid")
    client.force_login(cast["reviewer"])
    page = _page(client.get("/review/"))
    assert page.index(f'data-submission="{first.pk}"') < page.index(
        f'data-submission="{second.pk}"'
    )
    assert f'data-submission="{draft.pk}"' not in page
    assert "QS-21700-SSB" in page and "Qingdao Solid Cells" in page
    assert "Tianjin Battery Test Centre" in page
    assert "0 / 2" in page  # an all-solid-state cell needs two different reviewers
    assert "2 submissions awaiting review" in page


def test_the_queue_counts_approvals_and_marks_my_own(client, cast, evaluated):
    _decide(as_user(client, cast, "reviewer"), evaluated)
    page = _page(client.get("/review/"))
    assert "1 / 2" in page and "You approved" in page
    client.force_login(cast["reviewer2"])
    page = _page(client.get("/review/"))
    assert "1 / 2" in page and "You approved" not in page
    assert f'href="/submissions/{evaluated.pk}/#review"' in page


def test_the_queue_marks_what_the_viewer_may_not_decide(client, cast, orgs, product):
    submission = _tested_by_the_certification_body(cast, orgs, product)
    client.force_login(cast["reviewer"])
    page = _page(client.get("/review/"))
    assert f'data-submission="{submission.pk}" class="is-conflict"' in page
    assert "May not decide" in page
    assert "laboratory" in page  # the reason, from access.review_conflict


def _awaiting_review(cast, orgs, product, count: int) -> None:
    Submission.objects.bulk_create(
        Submission(
            product=product, claimed_class="all_solid_state", lab=orgs["lab"],
            created_by=cast["maker"], status=S.AWAITING_REVIEW, attempt=1,
            submitted_at=timezone.now(),
        )
        for _ in range(count)
    )  # fmt: skip


def test_the_queue_takes_as_many_queries_for_20_submissions_as_for_2(
    client, cast, orgs, product, evaluated
):
    client.force_login(cast["reviewer"])
    client.get("/review/")  # sessions, translations and the like are loaded once

    def queries_for_the_queue(expected_rows: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/review/")
        assert response.status_code == 200
        assert _page(response).count("data-submission=") == expected_rows
        return len(captured)

    _awaiting_review(cast, orgs, product, 1)
    with_2 = queries_for_the_queue(2)
    _awaiting_review(cast, orgs, product, 18)
    assert queries_for_the_queue(20) == with_2


def test_the_reviewer_dashboard_links_to_the_queue_with_a_count(client, cast, evaluated):
    client.force_login(cast["reviewer"])
    page = _page(client.get("/"))
    assert 'href="/review/"' in page
    assert 'id="review-count">1<' in page
    client.force_login(cast["maker"])
    assert 'href="/review/"' not in _page(client.get("/"))


# --- the decision panel --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "panel"),
    [("reviewer", True), ("reviewer2", True), ("maker", False), ("lab", False),
     ("regulator", False)],
)  # fmt: skip
def test_only_reviewers_get_the_decision_form(client, cast, evaluated, user, panel):
    page = _page(as_user(client, cast, user).get(f"/submissions/{evaluated.pk}/"))
    assert ('id="decision-form"' in page) is panel
    assert 'id="review"' in page  # everyone who sees the submission sees the review card


def test_two_approvals_approve_and_everyone_reads_the_decisions(client, cast, evaluated):
    response = _decide(as_user(client, cast, "reviewer"), evaluated, follow=True)
    assert "Your approval is recorded (1 of 2)." in _page(response)
    evaluated.refresh_from_db()
    assert evaluated.status == S.AWAITING_REVIEW

    client.force_login(cast["reviewer2"])
    response = _decide(client, evaluated, reason="Agree; no fire in any abuse test.", follow=True)
    page = _page(response)
    assert "Approved. The certificate is being issued." in page
    evaluated.refresh_from_db()
    assert evaluated.status == S.APPROVED
    assert list(
        Decision.objects.filter(submission=evaluated).values_list("reviewer__username", flat=True)
    ) == ["reviewer", "reviewer2"]

    page = _page(as_user(client, cast, "maker").get(f"/submissions/{evaluated.pk}/"))
    assert REASON in page and "Agree; no fire in any abuse test." in page
    assert 'id="decision-form"' not in page


def test_a_reviewer_returns_a_submission(client, cast, evaluated):
    response = _decide(
        as_user(client, cast, "reviewer"), evaluated, "return", "Add the chamber log.", follow=True
    )
    assert "Returned to the manufacturer for more data." in _page(response)
    evaluated.refresh_from_db()
    assert evaluated.status == S.RETURNED


def test_a_reviewer_rejects_a_submission(client, cast, evaluated):
    response = _decide(
        as_user(client, cast, "reviewer"), evaluated, "reject", "Leakage on photos.", follow=True
    )
    assert "Rejected." in _page(response)
    evaluated.refresh_from_db()
    assert evaluated.status == S.REJECTED


# --- four eyes, from the page ---------------------------------------------------------------


def _tested_by_the_certification_body(cast, orgs, product) -> Submission:
    """The certification body runs an accredited lab, and that lab tested the cell."""
    cb = orgs["cb"]
    Organisation.objects.filter(pk=cb.pk).update(
        accreditation_number="CNAS L09999", accreditation_valid_from=dt.date(2024, 1, 1)
    )
    submission = services.submission_create(
        user=cast["maker"], product=product, claimed_class="all_solid_state", lab=cb
    )
    return evaluate(submission, cast, uploader=make_user("cb_lab_engineer", cb))


def _refused(client, submission, expected_text, *, decision="approve", reason=REASON):
    before = Decision.objects.count()
    status = Submission.objects.get(pk=submission.pk).status
    response = _decide(client, submission, decision, reason)
    assert response.status_code == 302
    assert response["Location"] == f"/submissions/{submission.pk}/"
    page = _page(client.get(response["Location"]))
    assert expected_text in page, page[:3000]
    assert "message-error" in page
    assert Decision.objects.count() == before
    assert Submission.objects.get(pk=submission.pk).status == status
    return page


def test_a_member_of_the_certification_body_who_is_not_a_reviewer_is_refused(
    client, cast, orgs, evaluated
):
    client.force_login(make_user("clerk", orgs["cb"], User.Role.MEMBER))
    page = _page(client.get(f"/submissions/{evaluated.pk}/"))
    assert 'id="decision-form"' not in page
    response = _decide(client, evaluated)
    assert response.status_code == 403
    assert "Only reviewers of the certification body can decide submissions." in _page(response)
    assert not Decision.objects.exists()


def test_a_reviewer_of_the_organisation_that_tested_the_cell_is_refused(
    client, cast, orgs, product
):
    submission = _tested_by_the_certification_body(cast, orgs, product)
    client.force_login(cast["reviewer"])
    page = _page(client.get(f"/submissions/{submission.pk}/"))
    assert 'id="review-conflict"' in page and 'id="decision-form"' not in page
    page = _refused(client, submission, "You may not decide this submission")
    assert "laboratory" in page


def test_a_reviewer_who_uploaded_data_is_refused(client, cast, orgs, submission):
    # A lab engineer who later joined the certification body as a reviewer.
    mover = make_user("mover", orgs["lab"])
    evaluated = evaluate(submission, cast, uploader=mover)
    User.objects.filter(pk=mover.pk).update(organisation=orgs["cb"], role=User.Role.REVIEWER)
    client.force_login(User.objects.get(pk=mover.pk))
    page = _refused(client, evaluated, "You uploaded some of this submission")
    assert 'id="review-conflict"' in page


def test_a_second_approval_by_the_same_reviewer_is_refused(client, cast, evaluated):
    _decide(as_user(client, cast, "reviewer"), evaluated)
    assert Decision.objects.count() == 1
    page = _page(client.get(f"/submissions/{evaluated.pk}/"))
    assert "You have approved this attempt; another reviewer must approve it too." in page
    _refused(client, evaluated, "another reviewer must approve it")
    assert Decision.objects.count() == 1


def test_approving_a_non_certifiable_evaluation_is_refused(client, cast, submission):
    # Complete evidence of a liquid cell: evaluated, and not certifiable.
    evaluated = evaluate(submission, cast, profile="liquid")
    client.force_login(cast["reviewer"])
    page = _page(client.get(f"/submissions/{evaluated.pk}/"))
    assert "Not possible: this evaluation is not certifiable." in page
    _refused(client, evaluated, "This evaluation is not certifiable, so it cannot be approved.")
    # ...but it can be returned.
    _decide(client, evaluated, "return", "The cell holds liquid electrolyte.")
    assert Submission.objects.get(pk=evaluated.pk).status == S.RETURNED


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_decision_without_a_reason_is_refused(client, cast, evaluated, reason):
    client.force_login(cast["reviewer"])
    _refused(client, evaluated, "A decision needs a written reason.", reason=reason)


@pytest.mark.parametrize("decision", ["", "maybe"])
def test_a_decision_must_be_approve_reject_or_return(client, cast, evaluated, decision):
    client.force_login(cast["reviewer"])
    _refused(client, evaluated, "Choose approve, reject or return.", decision=decision)


def test_a_submission_not_awaiting_review_is_refused(client, cast, submission):
    upload_all(submission, cast["lab"])
    services.submission_submit(user=cast["maker"], submission=submission)  # still evaluating
    client.force_login(cast["reviewer"])
    assert 'id="decision-form"' not in _page(client.get(f"/submissions/{submission.pk}/"))
    _refused(client, submission, "Only a submission awaiting review can be decided")


def test_a_decided_submission_cannot_be_decided_again(client, cast, evaluated):
    _decide(as_user(client, cast, "reviewer"), evaluated, "reject", "Leakage on photos.")
    client.force_login(cast["reviewer2"])
    _refused(client, evaluated, "Only a submission awaiting review can be decided")


def test_a_decision_needs_the_csrf_token(cast, evaluated):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["reviewer"])
    assert _decide(client, evaluated).status_code == 403
    assert not Decision.objects.exists()


def test_anonymous_decisions_go_to_the_login_page(client, evaluated):
    response = _decide(client, evaluated)
    assert_status(response, everyone(0)[ANON])
    assert not Decision.objects.exists()
