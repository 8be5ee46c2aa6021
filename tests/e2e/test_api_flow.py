"""From upload to finished evaluation through the public API, with a real Celery worker."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certification.models import Evaluation
from tests.samples import sample_sheet

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHEETS = ("weight_loss", "electrolyte_content", "energy_density", "safety")


def _token(client, username):
    from tests.conftest import PASSWORD

    response = client.post("/api/v1/auth/token/", {"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _wait_for(client, url, statuses, timeout=30.0):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        body = client.get(url).json()
        seen.append((body["status"], (body["evaluation"] or {}).get("progress")))
        if body["status"] in statuses:
            return body, seen
        time.sleep(0.1)
    pytest.fail(f"submission stayed in {seen[-1]} for {timeout} s")


def test_a_lab_uploads_the_maker_submits_and_the_worker_evaluates(celery_worker, cast, orgs):
    from rest_framework.test import APIClient

    maker, lab = APIClient(), APIClient()
    maker.credentials(HTTP_AUTHORIZATION=f"Token {_token(maker, 'maker')}")
    lab.credentials(HTTP_AUTHORIZATION=f"Token {_token(lab, 'lab')}")

    product = maker.post(
        "/api/v1/products/",
        {
            "model_number": "E2E-1",
            "name": "End-to-end cell",
            "electrolyte_family": "oxide",
            "conducting_ion": "lithium",
            "rated_capacity_ah": "50",
            "nominal_voltage_v": "3.7",
            "rated_energy_wh": "185",
            "max_continuous_power_w": "555",
            "cell_mass_g": "350",
            "declared_liquid_electrolyte_pct": "2",
        },  # fmt: skip
    )
    assert product.status_code == 201, product.content
    labs = maker.get("/api/v1/labs/").json()["results"]
    lab_id = next(row["id"] for row in labs if row["name"] == orgs["lab"].name)
    submission = maker.post(
        "/api/v1/submissions/",
        {"product": product.json()["id"], "claimed_class": "all_solid_state", "lab": lab_id},
    )
    assert submission.status_code == 201, submission.content
    url = f"/api/v1/submissions/{submission.json()['id']}/"
    assert submission.json()["status"] == "draft"

    for kind in SHEETS:
        upload = SimpleUploadedFile(f"{kind}.csv", sample_sheet(kind))
        response = lab.post(f"{url}datasets/", {"kind": kind, "file": upload})
        assert response.status_code == 201, response.content

    started = time.monotonic()
    response = maker.post(f"{url}submit/")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "evaluating"
    assert maker.post(f"{url}submit/").status_code == 409  # a double submit is refused

    body, seen = _wait_for(maker, url, {"awaiting_review", "evaluation_failed"})
    elapsed = time.monotonic() - started
    assert body["status"] == "awaiting_review", body
    evaluation = body["evaluation"]
    assert evaluation["status"] == "done"
    assert evaluation["ruleset"]["code"] == "gbt-ssb-2026"
    assert evaluation["determined_class"] == "all_solid_state"
    assert evaluation["certifiable"] is True
    assert evaluation["may_label_solid_state"] is True
    assert {c["code"] for c in evaluation["criteria"]} >= {
        "weight_loss",
        "electrolyte_content",
        "energy_density",
    }
    for criterion in evaluation["criteria"]:
        assert set(criterion) >= {"code", "outcome", "measured", "limit", "comparator", "message"}
    assert len(evaluation["inputs"]) == 4
    assert Evaluation.objects.count() == 1
    print(f"submit -> visible result: {elapsed:.2f} s; polled states {seen[:3]}...")

    # The lab sees the same result; another maker does not even see the submission.
    assert lab.get(url).json()["evaluation"]["determined_class"] == "all_solid_state"
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {_token(other, 'other_maker')}")
    assert other.get(url).status_code == 404


def test_a_retried_task_leaves_one_evaluation(celery_worker, cast, submission):
    from django.core.files.uploadedfile import SimpleUploadedFile as Upload

    from certification import services
    from certification.tasks import evaluate_submission

    for kind in SHEETS:
        services.dataset_upload(
            user=cast["lab"],
            submission=submission,
            kind=kind,
            upload=Upload(f"{kind}.csv", sample_sheet(kind)),
        )
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    # The same task delivered three times (a retry, a redelivery after a lost worker, a duplicate).
    evaluate_submission.delay(evaluation.pk)
    evaluate_submission.delay(evaluation.pk)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        evaluation.refresh_from_db()
        if evaluation.status == "done":
            break
        time.sleep(0.1)
    time.sleep(1.0)  # let the duplicates run too
    assert Evaluation.objects.filter(submission=submission).count() == 1
    finished = Evaluation.objects.get(submission=submission)
    assert finished.status == "done"
    assert finished.finished_at == evaluation.finished_at
