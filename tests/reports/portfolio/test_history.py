"""The history of one submission: its records and every audit and certificate event in order."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_history_merges_audit_and_certificate_events_in_time_order(api, cast, world):
    url = reverse("api-portfolio-history", args=[world.certified.pk])
    history = api(cast["regulator"]).get(url).json()
    assert history["submission"]["id"] == world.certified.pk
    assert [e["submission_id"] for e in history["evaluations"]] == [world.certified.pk]
    assert sorted(d["reviewer"] for d in history["decisions"]) == ["reviewer", "reviewer2"]
    assert history["certificate"]["number"] == world.certificate.number
    events = history["events"]
    times = [e["at"] for e in events]
    assert times == sorted(times)
    assert [e["action"] for e in events if e["source"] == "certificate"] == [
        "certificate.status.valid", "certificate.status.suspended",
    ]  # fmt: skip
    assert {e["action"] for e in events if e["source"] == "audit"} >= {
        "submission.submitted", "submission.approve",
    }  # fmt: skip
    suspended = events[-1] if events[-1]["source"] == "certificate" else None
    assert suspended is None or suspended["detail"]["reason"] == "market surveillance"


def test_a_certificate_history_is_its_submission_history(api, cast, world):
    regulator = api(cast["regulator"])
    by_number = regulator.get(
        reverse("api-portfolio-certificate-history", args=[world.certificate.number])
    ).json()
    by_submission = regulator.get(
        reverse("api-portfolio-history", args=[world.certified.pk])
    ).json()
    assert by_number == by_submission


def test_the_history_page(client, cast, world):
    client.force_login(cast["reviewer"])
    response = client.get(reverse("portfolio-history", args=[world.certified.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "market surveillance" in html
    assert html.index("certificate.status.valid") < html.index("certificate.status.suspended")
    assert world.certificate.number in html


def test_a_certificate_history_page_is_its_submission_history(client, cast, world):
    client.force_login(cast["regulator"])
    url = reverse("portfolio-certificate-history", args=[world.certificate.number])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolio-history", args=[world.certified.pk])
    missing = reverse("portfolio-certificate-history", args=["SSB-2026-000000"])
    assert client.get(missing).status_code == 404
    client.force_login(cast["maker"])
    assert client.get(url).status_code == 404
