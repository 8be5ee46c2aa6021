"""The API of rule-set proposals, impact analyses and what-if: bad files answer 400 with the path
of the bad value and store nothing; every write route tried by every role of the cast."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certification import services
from certification.models import AuditEvent, RuleSet, RuleSetApproval, RuleSetImpact
from tests.certification.proposing import STRICTER, V3, analysed, certify, proposal, propose

pytestmark = pytest.mark.django_db

PROPOSALS = "/api/v1/rulesets/proposals/"
ROLES = ["maker", "lab", "reviewer", "reviewer2", "automaker", "regulator", "other_maker",
         "other_lab", None]  # fmt: skip


def client(api, cast, who):
    return api(cast[who] if who else None)


def upload(api_client, content: bytes, name: str = "proposal.toml"):
    return api_client.post(
        PROPOSALS, {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )


def stored() -> tuple:
    return (
        list(RuleSet.objects.order_by("pk").values_list("pk", "sha256", "status")),
        AuditEvent.objects.count(),
    )


def test_a_regulator_uploads_a_proposal_and_reads_it_back(api, cast):
    response = upload(api(cast["regulator"]), STRICTER.encode())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["code"], body["version"], body["status"]) == ("gbt-ssb-2026", 4, "proposed")
    assert body["proposed_by"] == "regulator" and body["approvals_needed"] == 2
    assert body["source_text"] == STRICTER
    listing = api(cast["reviewer"]).get(PROPOSALS).json()["proposals"]
    assert [p["id"] for p in listing] == [body["id"]]
    detail = api(cast["reviewer"]).get(f"{PROPOSALS}{body['id']}/").json()
    assert detail["sha256"] == body["sha256"] and detail["impact"] is None


BAD = [
    pytest.param(b"code = [", "(file)", "(file): not valid TOML", id="malformed TOML"),
    pytest.param(
        proposal(4, ("version = 4", 'version = "four"')).encode(),
        "version", "version: must be a whole number", id="wrong type",
    ),
    pytest.param(
        proposal(4, ("value = 0.5", 'value = "half"')).encode(),
        "criteria.weight_loss.max_loss_pct.value", "criteria.weight_loss.max_loss_pct.value: must "
        "be a number", id="a number that is text",
    ),
    pytest.param(
        STRICTER.encode() + b"\n" + b"# padding\n" * 30_000,
        "(file)", "(file): the file has", id="oversize file",
    ),
    pytest.param(V3.encode(), "version", "version: rule set gbt-ssb-2026 version 3 already",
                 id="duplicate code and version"),
    pytest.param(
        proposal(4, ('source = "gbt-8170"', 'source = "hearsay"')).encode(),
        "comparison.source", "comparison.source: unknown source 'hearsay'", id="unknown source",
    ),
    pytest.param(
        proposal(4, ("min = 5, max = 20", "min = 4, max = 20")).encode(),
        "classes.all_solid_state.content_pct",
        "classes.all_solid_state.content_pct: overlaps classes.hybrid_solid_liquid.content_pct",
        id="overlapping bands",
    ),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", "(file)", "(file): not UTF-8", id="binary"),
]  # fmt: skip


@pytest.mark.parametrize(("content", "path", "message"), BAD)
def test_a_bad_file_answers_400_with_the_path_and_stores_nothing(api, cast, content, path, message):
    before = stored()
    response = upload(api(cast["reviewer"]), content)
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] == "ruleset_invalid"
    assert body["detail"].startswith(message)
    assert body["errors"][0]["column"] == path
    assert stored() == before


def test_an_upload_without_a_file_answers_400(api, cast):
    before = stored()
    response = api(cast["regulator"]).post(PROPOSALS, {"text": "code = 1"}, format="multipart")
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "file"
    assert stored() == before


# --- every write route, every role ------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_uploading_a_proposal(api, cast, who):
    before = stored()
    response = upload(client(api, cast, who), STRICTER.encode())
    if who in ("reviewer", "reviewer2", "regulator"):
        assert response.status_code == 201
        assert RuleSet.objects.filter(version=4, status="proposed").count() == 1
    else:
        assert response.status_code in ((401, 403) if who is None else (403,))
        assert stored() == before


@pytest.mark.parametrize("who", ROLES)
def test_reading_proposals(api, cast, who):
    ruleset = propose(cast["regulator"])
    expected = 200 if who in ("reviewer", "reviewer2", "regulator") else 403
    for url in (PROPOSALS, f"{PROPOSALS}{ruleset.pk}/", "/api/v1/rulesets/"):
        status = client(api, cast, who).get(url).status_code
        assert status == expected if who else status in (401, 403), url


@pytest.mark.parametrize("who", ROLES)
def test_starting_an_impact_analysis(api, cast, who):
    ruleset = propose(cast["regulator"])
    response = client(api, cast, who).post(f"{PROPOSALS}{ruleset.pk}/impact/")
    if who in ("reviewer", "reviewer2", "regulator"):
        assert response.status_code == 202
        assert response.json()["status"] in ("queued", "running", "done")
        assert RuleSetImpact.objects.count() == 1
    else:
        assert response.status_code in ((401, 403) if who is None else (403,))
        assert not RuleSetImpact.objects.exists()


@pytest.mark.parametrize("who", ROLES)
def test_approving(api, cast, who):
    ruleset = propose(cast["regulator"])
    analysed(cast["regulator"], ruleset)
    events = AuditEvent.objects.count()
    response = client(api, cast, who).post(
        f"{PROPOSALS}{ruleset.pk}/approve/", {"reason": "Checked."}, format="json"
    )
    if who in ("reviewer", "reviewer2"):
        assert response.status_code == 200
        assert response.json()["approvals_needed"] == 1
        assert RuleSetApproval.objects.get().approver == cast[who]
    else:
        assert response.status_code in ((401, 403) if who is None else (403,))
        assert not RuleSetApproval.objects.exists()
        assert AuditEvent.objects.count() == events
    assert RuleSet.objects.get(pk=ruleset.pk).status == "proposed"


@pytest.mark.parametrize("who", ROLES)
def test_a_whatif(api, cast, who, submission):
    certify(submission, cast)
    ruleset = propose(cast["regulator"])
    events = AuditEvent.objects.count()
    response = client(api, cast, who).post(
        f"/api/v1/submissions/{submission.pk}/whatif/", {"ruleset": ruleset.pk}, format="json"
    )
    if who in ("reviewer", "reviewer2", "regulator"):
        assert response.status_code == 200
        assert response.json()["changes"] == ["class", "label"]
        assert AuditEvent.objects.count() == events + 1
    else:
        # The maker and its lab see the submission (403); the others do not (404).
        expected = {"maker": 403, "lab": 403, None: 401}.get(who, 404)
        assert response.status_code in ((401, 403) if who is None else (expected,))
        assert AuditEvent.objects.count() == events


def test_the_two_approvals_through_the_api_activate_the_proposal(api, cast):
    ruleset = propose(cast["regulator"])
    url = f"{PROPOSALS}{ruleset.pk}/approve/"
    refused = api(cast["reviewer"]).post(url, {"reason": "ok"}, format="json")
    assert refused.status_code == 409 and "impact analysis first" in refused.json()["detail"]
    analysed(cast["regulator"], ruleset)
    no_reason = api(cast["reviewer"]).post(url, {"reason": " "}, format="json")
    assert no_reason.status_code == 400
    assert api(cast["reviewer"]).post(url, {"reason": "ok"}, format="json").status_code == 200
    twice = api(cast["reviewer"]).post(url, {"reason": "ok"}, format="json")
    assert twice.status_code == 403 and "already approved" in twice.json()["detail"]
    body = api(cast["reviewer2"]).post(url, {"reason": "ok"}, format="json").json()
    assert body["status"] == "active" and body["activated_at"]
    assert [a["approver"] for a in body["approvals"]] == ["reviewer", "reviewer2"]
    assert services.ruleset_in_force().pk == ruleset.pk


def test_the_impact_numbers_and_the_csv(api, cast, submission):
    certificate = certify(submission, cast)
    ruleset = propose(cast["regulator"])
    url = f"{PROPOSALS}{ruleset.pk}/impact/"
    assert api(cast["regulator"]).get(url).status_code == 404
    analysed(cast["regulator"], ruleset)
    body = api(cast["regulator"]).get(url).json()
    assert body["status"] == "done" and body["counts"]["changed"] == 1
    assert body["changes"][0]["certificate"] == certificate.number
    response = api(cast["reviewer"]).get(url, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[1][0] == certificate.number and table[1][7] == "hybrid_solid_liquid"
    assert api(cast["maker"]).get(url, HTTP_ACCEPT="text/csv").status_code == 403


@pytest.mark.parametrize(
    ("payload", "column"),
    [({"ruleset": 999999}, "ruleset"), ({"ruleset": "x"}, "ruleset"), ({}, "ruleset"),
     ({"ruleset": 1, "attempt": 7}, "attempt")],
)  # fmt: skip
def test_a_whatif_with_bad_values_answers_400(api, cast, submission, payload, column):
    certify(submission, cast)
    events = AuditEvent.objects.count()
    response = api(cast["regulator"]).post(
        f"/api/v1/submissions/{submission.pk}/whatif/", payload, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == column
    assert AuditEvent.objects.count() == events
