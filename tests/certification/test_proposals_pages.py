"""The proposal and what-if pages: every write route tried by every role of the cast; a bad file
is shown on the form with the path of the bad value (400) and nothing is stored."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from certification.models import AuditEvent, RuleSet, RuleSetApproval, RuleSetImpact

from .proposing import STRICTER, analysed, certify, proposal, propose

pytestmark = pytest.mark.django_db

ROLES = ["maker", "lab", "reviewer", "reviewer2", "automaker", "regulator", "other_maker",
         "other_lab", None]  # fmt: skip
PROPOSERS = ("reviewer", "reviewer2", "regulator")


def browser(cast, who) -> Client:
    client = Client()
    if who:
        client.force_login(cast[who])
    return client


def refused(response, who) -> bool:
    """Anonymous: sent to sign in; signed in without the right: 403."""
    if who is None:
        return response.status_code == 302 and "/login/" in response["Location"]
    return response.status_code == 403


def upload(client, content: bytes):
    return client.post("/rulesets/proposals/", {"file": SimpleUploadedFile("p.toml", content)})


def test_a_reviewer_uploads_runs_the_analysis_and_sees_the_changes(cast, submission):
    certificate = certify(submission, cast)
    client = browser(cast, "reviewer")
    response = upload(client, STRICTER.encode())
    ruleset = RuleSet.objects.get(version=4)
    assert (
        response.status_code == 302 and response["Location"] == f"/rulesets/proposals/{ruleset.pk}/"
    )
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"impact-button" in page.content
    assert client.post(f"/rulesets/proposals/{ruleset.pk}/impact/").status_code == 302
    running = client.get(f"/rulesets/proposals/{ruleset.pk}/").content.decode()
    assert 'http-equiv="refresh"' in running  # the page follows the worker's progress
    analysed(cast["reviewer"], ruleset)  # the worker's run (no after-commit hand-off in tests)
    page = client.get(f"/rulesets/proposals/{ruleset.pk}/").content.decode()
    assert certificate.number in page and "impact-table" in page
    csv_file = client.get(f"/rulesets/proposals/{ruleset.pk}/impact.csv")
    assert csv_file.status_code == 200 and certificate.number in csv_file.content.decode()
    numbers = client.get(f"/rulesets/proposals/{ruleset.pk}/impact.json").json()
    assert numbers["counts"]["changed"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"code = [", "(file): not valid TOML"),
        (proposal(4, ("min = 5, max = 20", "min = 5, max = 21")).encode(),
         "classes.hybrid_solid_liquid.content_pct: overlaps"),
        (STRICTER.encode() + b"#" * 300_000, "(file): the file has"),
    ],
)  # fmt: skip
def test_a_bad_file_is_shown_on_the_form_and_nothing_is_stored(cast, content, message):
    before = (RuleSet.objects.count(), AuditEvent.objects.count())
    response = upload(browser(cast, "regulator"), content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (RuleSet.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("who", ROLES)
def test_uploading_on_the_page(cast, who):
    response = upload(browser(cast, who), STRICTER.encode())
    if who in PROPOSERS:
        assert response.status_code == 302
        assert RuleSet.objects.filter(version=4).exists()
    else:
        assert refused(response, who)
        assert not RuleSet.objects.filter(version=4).exists()


@pytest.mark.parametrize("who", ROLES)
def test_reading_the_proposal_pages(cast, who):
    ruleset = propose(cast["regulator"])
    analysed(cast["regulator"], ruleset)
    for url in (
        "/rulesets/proposals/",
        f"/rulesets/proposals/{ruleset.pk}/",
        f"/rulesets/proposals/{ruleset.pk}/impact.json",
        f"/rulesets/proposals/{ruleset.pk}/impact.csv",
    ):
        response = browser(cast, who).get(url)
        assert response.status_code == 200 if who in PROPOSERS else refused(response, who), url


@pytest.mark.parametrize("who", ROLES)
def test_starting_an_analysis_on_the_page(cast, who):
    ruleset = propose(cast["regulator"])
    response = browser(cast, who).post(f"/rulesets/proposals/{ruleset.pk}/impact/")
    if who in PROPOSERS:
        assert response.status_code == 302 and RuleSetImpact.objects.count() == 1
    else:
        assert refused(response, who) and not RuleSetImpact.objects.exists()


@pytest.mark.parametrize("who", ROLES)
def test_approving_on_the_page(cast, who):
    ruleset = propose(cast["regulator"])
    analysed(cast["regulator"], ruleset)
    response = browser(cast, who).post(
        f"/rulesets/proposals/{ruleset.pk}/approve/", {"reason": "Checked."}
    )
    if who in ("reviewer", "reviewer2"):
        assert response.status_code == 302
        assert RuleSetApproval.objects.get().approver == cast[who]
    else:
        assert refused(response, who) and not RuleSetApproval.objects.exists()


def test_the_proposer_sees_why_they_may_not_approve(cast):
    ruleset = propose(cast["reviewer"])
    page = browser(cast, "reviewer").get(f"/rulesets/proposals/{ruleset.pk}/").content.decode()
    assert "You proposed this rule set" in page and "approval-form" not in page


@pytest.mark.parametrize("who", ROLES)
def test_a_whatif_on_the_page(cast, who, submission):
    certify(submission, cast)
    ruleset = propose(cast["regulator"])
    events = AuditEvent.objects.count()
    response = browser(cast, who).post(
        f"/submissions/{submission.pk}/whatif/", {"ruleset": ruleset.pk, "attempt": 1}
    )
    if who in PROPOSERS:
        assert response.status_code == 200
        assert "whatif-criteria" in response.content.decode()
        assert AuditEvent.objects.count() == events + 1
    else:
        visible = who in ("maker", "lab")
        assert (
            response.status_code == 403
            if visible
            else (refused(response, who) if who is None else response.status_code == 404)
        )
        assert AuditEvent.objects.count() == events


def test_a_whatif_with_a_bad_value_answers_400(cast, submission):
    certify(submission, cast)
    response = browser(cast, "regulator").post(
        f"/submissions/{submission.pk}/whatif/", {"ruleset": 999999, "attempt": 1}
    )
    assert response.status_code == 400
