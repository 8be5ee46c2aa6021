"""Listing submissions costs the same number of queries for 10 or 10,000 of them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certification.models import Evaluation, RuleSet, Submission

pytestmark = pytest.mark.django_db

# token (with user and organisation), count, the page (with product, maker, lab, certificate),
# evaluations, decisions
QUERIES_PER_PAGE = 5


def _bulk_submissions(product, lab, user, n: int) -> None:
    ruleset = RuleSet.objects.filter(code="gbt-ssb-2026").latest("version")
    now = timezone.now()
    subs = Submission.objects.bulk_create(
        Submission(
            product=product,
            claimed_class="all_solid_state",
            lab=lab,
            created_by=user,
            status="awaiting_review",
            attempt=1,
            submitted_at=now,
        )  # fmt: skip
        for _ in range(n)
    )
    Evaluation.objects.bulk_create(
        Evaluation(submission=s, attempt=1, ruleset=ruleset, status="done", progress=100)
        for s in subs
    )


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()


@pytest.mark.parametrize("role", ["maker", "lab", "reviewer", "regulator"])
def test_listing_uses_a_constant_number_of_queries(api, cast, orgs, product, role):
    client = api(cast[role])
    client.get("/api/v1/submissions/")  # warm the token row's content type cache
    _bulk_submissions(product, orgs["lab"], cast["maker"], 10)
    small, _ = _count_queries(client, "/api/v1/submissions/?page_size=500")
    _bulk_submissions(product, orgs["lab"], cast["maker"], 9_990)
    large, body = _count_queries(client, "/api/v1/submissions/?page_size=500")
    assert body["count"] == 10_000
    assert len(body["results"]) == 500
    assert body["results"][0]["evaluation"]["status"] == "done"
    assert small == large
    assert large == QUERIES_PER_PAGE
