"""The workers' backlog (page and API): the certification body's staff see what is owed and
re-queue it; everyone else is refused, and nothing is sent or written for them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from certification import services
from certification.models import AuditEvent, Evaluation
from tests.conftest import upload_all

pytestmark = pytest.mark.django_db

OTHERS = ["maker", "other_maker", "lab", "other_lab", "automaker", "regulator"]


@pytest.fixture
def stuck(cast, submission, private_broker, django_capture_on_commit_callbacks):
    """A submitted evaluation the broker never got, queued ten minutes ago."""
    upload_all(submission, cast["lab"])
    private_broker.kill()
    with django_capture_on_commit_callbacks(execute=True):
        evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    private_broker.start()
    Evaluation.objects.filter(pk=evaluation.pk).update(
        queued_at=timezone.now() - dt.timedelta(minutes=10)
    )
    return evaluation


def test_the_certification_body_sees_the_stuck_evaluation(client, api, cast, stuck):
    client.force_login(cast["reviewer"])
    page = client.get("/operations/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"#{stuck.submission_id}" in html and "never taken" in html
    body = api(cast["reviewer"]).get("/api/v1/operations/").json()
    assert body["evaluations"]["count"] == 1
    assert body["evaluations"]["results"][0]["id"] == stuck.pk
    assert body["evaluations"]["results"][0]["stage"] == "waiting_for_workers"


def test_requeue_sends_it_and_records_who(
    api, cast, stuck, private_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(cast["reviewer"]).post(f"/api/v1/operations/evaluations/{stuck.pk}/requeue/")
    assert response.status_code == 200, response.content
    assert response.json() == {"sent": True}
    assert private_broker.queued() == 1
    event = AuditEvent.objects.get(action="evaluation.requeued")
    assert event.actor == cast["reviewer"] and event.detail["evaluation"] == stuck.pk


def test_requeue_on_the_page_says_when_the_workers_are_away(
    client, cast, stuck, private_broker, django_capture_on_commit_callbacks
):
    private_broker.kill()
    client.force_login(cast["reviewer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/operations/evaluations/{stuck.pk}/requeue/", follow=True)
    assert "stays queued and is sent when they are back" in response.content.decode()


def test_a_finished_evaluation_cannot_be_requeued(api, cast, stuck):
    services.evaluation_run(evaluation_id=stuck.pk)
    response = api(cast["reviewer"]).post(f"/api/v1/operations/evaluations/{stuck.pk}/requeue/")
    assert response.status_code == 409
    assert "only queued or running work can be re-queued" in response.json()["detail"]
    assert not AuditEvent.objects.filter(action="evaluation.requeued").exists()


def test_requeue_of_an_unknown_evaluation_is_404(api, cast):
    response = api(cast["reviewer"]).post("/api/v1/operations/evaluations/999999/requeue/")
    assert response.status_code == 404


def test_sweep_now_sends_what_is_owed(api, cast, stuck, private_broker):
    response = api(cast["reviewer"]).post("/api/v1/operations/sweep/")
    assert response.status_code == 200
    assert response.json()["sent"]["evaluations"] == 1
    assert private_broker.queued() == 1
    assert AuditEvent.objects.filter(action="operations.swept", actor=cast["reviewer"]).exists()


@pytest.mark.parametrize("role", OTHERS)
def test_nobody_else_sees_or_pushes_the_backlog(client, api, cast, stuck, private_broker, role):
    user = cast[role]
    assert api(user).get("/api/v1/operations/").status_code == 403
    assert api(user).post(f"/api/v1/operations/evaluations/{stuck.pk}/requeue/").status_code == 403
    assert api(user).post("/api/v1/operations/sweep/").status_code == 403
    client.force_login(user)
    assert client.get("/operations/").status_code == 403
    assert client.post(f"/operations/evaluations/{stuck.pk}/requeue/").status_code == 403
    assert client.post("/operations/sweep/").status_code == 403
    assert private_broker.queued() == 0
    assert not AuditEvent.objects.filter(action__in=["evaluation.requeued", "operations.swept"])


def test_anonymous_is_asked_to_sign_in(client, api, stuck):
    assert api(None).get("/api/v1/operations/").status_code == 401
    assert api(None).post("/api/v1/operations/sweep/").status_code == 401
    response = client.get("/operations/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post("/operations/sweep/").status_code == 302


def test_a_raw_file_nobody_read_is_in_the_backlog_and_sent_again(
    client, api, cast, submission, private_broker
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from certification.models import Dataset
    from tests.certification.test_raw_evidence import chamber_log

    dataset = services.dataset_upload(
        user=cast["lab"],
        submission=submission,
        kind="chamber_log",
        upload=SimpleUploadedFile("lost.csv", chamber_log(hours=7)),
    )  # the after-commit hand-off never ran: as if the broker had lost it
    Dataset.objects.filter(pk=dataset.pk).update(
        uploaded_at=timezone.now() - dt.timedelta(minutes=10)
    )
    client.force_login(cast["reviewer"])
    assert "lost.csv" in client.get("/operations/").content.decode()
    body = api(cast["reviewer"]).get("/api/v1/operations/").json()
    assert body["parses"]["count"] == 1 and body["parses"]["results"][0]["name"] == "lost.csv"
    sent = api(cast["reviewer"]).post("/api/v1/operations/sweep/").json()["sent"]
    assert sent["parses"] == 1 and private_broker.queued() == 1
