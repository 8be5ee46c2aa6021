"""The audit page and the audit API cost as many queries for a long history as for a short one,
for every auditor: 30 events by five organisations (and the portal), three evaluated attempts,
their decisions and the certificate, as against three events and one attempt."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.conf import settings
from django.utils import timezone

from certification.models import AuditEvent, Decision, Evaluation, Product, RuleSet, Submission
from reports.models import Certificate
from tests.certification.audit_events import add_events as chain_events
from tests.conftest import PRODUCT_FIELDS

pytestmark = pytest.mark.django_db

AUDITORS = ["reviewer", "reviewer2", "regulator"]
FEW, MANY = 3, 30
CERTIFICATE_NUMBER = f"{settings.CERTIFICATE_NUMBER_PREFIX}-2026-000777"
# session, user (with organisation), the submission (product, maker, lab, opener), its events
# (actors, their organisations), its evaluations (rule sets), its certificate. Its decisions are
# not read: each is an event of the trail.
PAGE_QUERIES = 6
# token (with user and organisation), the submission (only its visibility counts), its events
# (actors, their organisations)
API_QUERIES = 3

# Who did what, in turn: the lab, the maker, the portal, both reviewers and the regulator.
HISTORY = [
    ("lab", "dataset.uploaded", {"kind": "weight_loss", "sha256": "a" * 64}),
    ("maker", "submission.submitted", {"attempt": 1}),
    (None, "evaluation.finished", {"certifiable": True, "determined_class": "all_solid_state"}),
    ("reviewer", "decision.recorded", {"decision": "return", "reason": "more cycles"}),
    ("reviewer2", "decision.recorded", {"decision": "approve", "reason": "conforms"}),
    ("regulator", "evaluation.reproduced", {"identical": True}),
]


@pytest.fixture
def audited(submission):
    submission.status, submission.attempt = Submission.Status.AWAITING_REVIEW, 1
    submission.submitted_at = timezone.now()
    submission.save()
    return submission


@pytest.fixture
def elsewhere(orgs, cast):
    """Another maker's submission, tested by the other lab, with its own history."""
    product = Product.objects.create(
        manufacturer=orgs["other_maker"],
        created_by=cast["other_maker"],
        **{**PRODUCT_FIELDS, "model_number": "OC-4680-SSB"},
    )
    return Submission.objects.create(
        product=product, claimed_class="all_solid_state", lab=orgs["other_lab"],
        created_by=cast["other_maker"], status=Submission.Status.AWAITING_REVIEW, attempt=1,
    )  # fmt: skip


@pytest.fixture
def add_events(cast, audited, elsewhere):
    """``add_events(n)`` records ``n`` more events of the audited submission, the actors in
    turn, and as many of the other submission's, which its audit must not show."""
    turns = itertools.cycle(HISTORY)

    def add(count: int) -> None:
        chain_events(
            AuditEvent(
                submission=s, product=s.product, action=action, detail=detail,
                actor=cast[actor] if actor else None,
                actor_organisation=cast[actor].organisation if actor else None,
            )
            for actor, action, detail in itertools.islice(turns, count)
            for s in (audited, elsewhere)
        )  # fmt: skip

    return add


def add_attempt(submission: Submission, cast, attempt: int) -> Evaluation:
    """An evaluated attempt with its four inputs, returned by one reviewer and approved by both
    on the last attempt."""
    ruleset = RuleSet.objects.filter(code=settings.CERTIFICATION_RULESET).latest("version")
    evaluation = Evaluation.objects.create(
        submission=submission, attempt=attempt, ruleset=ruleset, status=Evaluation.Status.DONE,
        progress=100, determined_class="all_solid_state", certifiable=True, engine_version="test",
        finished_at=timezone.now(),
        result={"criteria": [{"code": "weight_loss", "outcome": "pass", "message": "ok"}]},
        inputs=[
            {"kind": kind, "source": "lab", "original_name": f"{kind}.csv", "sha256": "b" * 64}
            for kind in ("weight_loss", "electrolyte_content", "energy_density", "safety")
        ],
    )  # fmt: skip
    Decision.objects.create(
        submission=submission, evaluation=evaluation, reviewer=cast["reviewer"],
        decision=Decision.Kind.RETURN, reason=f"attempt {attempt}: more cycles",
    )  # fmt: skip
    return evaluation


def issue(submission: Submission, evaluation: Evaluation) -> Certificate:
    today = timezone.localdate()
    return Certificate.objects.create(
        number=CERTIFICATE_NUMBER, submission=submission,
        evaluation=evaluation, product=submission.product, holder=submission.product.manufacturer,
        issued_at=timezone.now(), valid_from=today, expires_on=today + dt.timedelta(days=1000),
        content={}, pdf="certificates/dummy.pdf", pdf_sha256="c" * 64, credential_jws="x.y.z",
    )  # fmt: skip


@pytest.fixture
def grow(cast, audited, add_events):
    """``grow(FEW)``: three events and one attempt; ``grow(MANY)``: thirty events, three
    attempts, and the certificate issued on the last."""

    def to(events: int) -> None:
        add_events(events - AuditEvent.objects.filter(submission=audited).count())
        attempts = 1 if events == FEW else 3
        evaluation = None
        for attempt in range(audited.evaluations.count() + 1, attempts + 1):
            evaluation = add_attempt(audited, cast, attempt)
        if events == MANY:
            issue(audited, evaluation)

    return to


@pytest.mark.parametrize("role", AUDITORS)
def test_the_audit_page_costs_the_same_for_30_events_as_for_3(
    client, cast, audited, grow, django_assert_num_queries, role
):
    client.force_login(cast[role])
    url = f"/submissions/{audited.pk}/audit/"
    client.get(url)  # sessions, translations and the like are loaded once
    for events, attempts in ((FEW, 1), (MANY, 3)):
        grow(events)
        with django_assert_num_queries(PAGE_QUERIES):
            response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        trail = page.split('id="trail"', 1)[1]
        assert trail.count("<tr>") == 1 + events  # the head and a row per event
        assert page.count('class="audit-evaluation"') == attempts
        assert "Qingdao Solid Cells" in trail and "Tianjin Battery Test Centre" in trail
        assert "Other Cells Co" not in trail and "Shenzhen Test Lab" not in trail
    assert "SAMR" in trail
    assert CERTIFICATE_NUMBER in page


@pytest.mark.parametrize("role", AUDITORS)
def test_the_audit_api_costs_the_same_for_30_events_as_for_3(
    api, cast, audited, grow, django_assert_num_queries, role
):
    client = api(cast[role])
    url = f"/api/v1/submissions/{audited.pk}/audit/"
    for events in (FEW, MANY):
        grow(events)
        with django_assert_num_queries(API_QUERIES):
            response = client.get(url)
        assert response.status_code == 200
        body = response.json()["events"]
        assert len(body) == events
        assert [(e["actor"], e["action"]) for e in body[:3]] == [
            ("lab", "dataset.uploaded"),
            ("maker", "submission.submitted"),
            ("portal", "evaluation.finished"),
        ]
        organisations = {e["organisation"] for e in body}
        assert organisations >= {"Tianjin Battery Test Centre", "Qingdao Solid Cells", None}
        assert "Other Cells Co" not in organisations
