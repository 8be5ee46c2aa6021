"""The audit page and the re-run button, from every member of the cast and anonymous."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from certification import services
from certification.models import AuditEvent, Evaluation
from tests.conftest import upload_all
from tests.web.reviewing import as_user, assert_status, cases, evaluate, everyone

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(submission, cast):
    return evaluate(submission, cast)


def _page(response) -> str:
    return response.content.decode()


@dataclass(frozen=True)
class Page:
    name: str
    url: Any  # submission -> str
    expected: dict
    method: str = "get"


# Regulators and the certification body audit; the maker and the lab see the submission but not
# its audit (403); the rest do not see the submission at all (404).
AUDITORS = everyone(404, reviewer=200, reviewer2=200, regulator=200, maker=403, lab=403)
PAGES = [
    Page("audit", lambda s: f"/submissions/{s.pk}/audit/", AUDITORS),
    Page("re-run", lambda s: f"/submissions/{s.pk}/audit/reproduce/", AUDITORS, "post"),
    Page("re-run by GET", lambda s: f"/submissions/{s.pk}/audit/reproduce/", everyone(405)),
    Page("missing submission", lambda s: "/submissions/999999/audit/", everyone(404)),
]


@pytest.mark.parametrize(("page", "user", "expected"), cases(PAGES))
def test_audit_page_access(client: Client, cast, evaluated, page, user, expected):
    as_user(client, cast, user)
    response = getattr(client, page.method)(page.url(evaluated))
    assert_status(response, expected)
    reran = AuditEvent.objects.filter(action="evaluation.reproduced").count()
    assert reran == (1 if page.method == "post" and expected == 200 else 0)


def test_the_audit_page_shows_the_trail_the_hashes_and_the_rule_set(client, cast, evaluated):
    evaluation = evaluated.evaluations.select_related("ruleset").get()
    page = _page(as_user(client, cast, "regulator").get(f"/submissions/{evaluated.pk}/audit/"))
    for action in ("dataset.uploaded", "submission.submitted", "evaluation.finished"):
        assert action in page
    for item in evaluation.inputs:
        assert item["sha256"] in page
    assert evaluation.ruleset.code in page and evaluation.ruleset.sha256 in page
    assert f"v{evaluation.ruleset.version}" in page
    assert evaluation.engine_version in page
    assert 'id="reproduce-button"' in page


def test_a_regulator_reruns_the_evaluation_and_reads_identical(client, cast, evaluated):
    client.force_login(cast["regulator"])
    response = client.post(f"/submissions/{evaluated.pk}/audit/reproduce/")
    page = _page(response)
    assert response.status_code == 200
    assert 'id="reproduction-verdict">Identical<' in page
    assert "Re-run finished: the outcome is identical." in page
    event = AuditEvent.objects.get(action="evaluation.reproduced")
    assert event.actor == cast["regulator"] and event.detail["identical"] is True


def test_a_rerun_that_differs_shows_the_differences(client, cast, evaluated):
    evaluation = evaluated.evaluations.get()
    tampered = {**evaluation.result, "classification_code": "XX-TAMPERED"}
    Evaluation.objects.filter(pk=evaluation.pk).update(result=tampered)
    client.force_login(cast["reviewer"])
    page = _page(client.post(f"/submissions/{evaluated.pk}/audit/reproduce/"))
    assert 'id="reproduction-verdict">Different<' in page
    assert "<code>classification_code</code>" in page
    assert "XX-TAMPERED" in page and evaluation.classification_code in page
    assert AuditEvent.objects.get(action="evaluation.reproduced").detail["identical"] is False


def test_nothing_to_rerun_before_an_evaluation_finishes(client, cast, submission):
    upload_all(submission, cast["lab"])
    services.submission_submit(user=cast["maker"], submission=submission)  # queued, not run
    client.force_login(cast["regulator"])
    response = client.post(f"/submissions/{submission.pk}/audit/reproduce/", follow=True)
    assert "This submission has no finished evaluation to reproduce." in _page(response)
    assert not AuditEvent.objects.filter(action="evaluation.reproduced").exists()


@pytest.mark.parametrize(("user", "linked"), [("regulator", True), ("reviewer", True),
                                              ("maker", False), ("lab", False)])  # fmt: skip
def test_dashboards_and_submission_pages_link_to_the_audit(client, cast, evaluated, user, linked):
    as_user(client, cast, user)
    audit = f'href="/submissions/{evaluated.pk}/audit/"'
    assert (audit in _page(client.get("/"))) is linked
    assert (audit in _page(client.get(f"/submissions/{evaluated.pk}/"))) is linked


def test_a_rerun_needs_the_csrf_token(cast, evaluated):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["regulator"])
    assert client.post(f"/submissions/{evaluated.pk}/audit/reproduce/").status_code == 403
    assert not AuditEvent.objects.filter(action="evaluation.reproduced").exists()
