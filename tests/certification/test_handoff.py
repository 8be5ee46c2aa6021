"""Hand-offs to the workers survive a broker that is away: the evaluation row is the hand-off, the
answer says the work waits for the workers (never a 500), and the sweep sends it once the broker
is back. A worker that took an evaluation and stopped lets its lease lapse, and the sweep hands
it over again. These run against a private Redis broker this test starts and stops."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.checks import run_checks
from django.utils import timezone

from certification import handoff, services
from certification.models import AuditEvent, Evaluation, Submission
from tests.conftest import upload_all

E = Evaluation.Status


@pytest.fixture
def broker(private_broker):
    return private_broker


@pytest.fixture
def ready(submission, cast):
    upload_all(submission, cast["lab"])
    return submission


def _submit(api, cast, submission, capture):
    with capture(execute=True):
        response = api(cast["maker"]).post(f"/api/v1/submissions/{submission.pk}/submit/")
    return response


@pytest.fixture
def committed(transactional_db):
    """Real commits, so the hand-off runs when the service's transaction commits, before the
    view answers (as in production); the rule sets come back after each such test's flush."""
    services.rulesets_sync()


@pytest.mark.django_db(transaction=True)
def test_submitting_while_the_broker_is_away_answers_202_and_says_so(
    committed, api, cast, ready, broker
):
    broker.kill()
    response = api(cast["maker"]).post(f"/api/v1/submissions/{ready.pk}/submit/")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == Submission.Status.EVALUATING
    assert body["evaluation"]["status"] == E.QUEUED
    assert body["evaluation"]["stage"] == (
        "Queued; the workers are unreachable, it will run when they are back"
    )
    evaluation = Evaluation.objects.get(submission=ready)
    assert evaluation.stage == Evaluation.Stage.WAITING_FOR_WORKERS
    assert evaluation.sent_at is None and evaluation.send_count == 0
    # Submitting again is still refused: the work is owed, not lost.
    again = api(cast["maker"]).post(f"/api/v1/submissions/{ready.pk}/submit/")
    assert again.status_code == 409


@pytest.mark.django_db(transaction=True)
def test_the_same_in_chinese(committed, api, cast, ready, broker):
    broker.kill()
    response = api(cast["maker"]).post(
        f"/api/v1/submissions/{ready.pk}/submit/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 202
    assert (
        response.json()["evaluation"]["stage"]
        == "排队中；后台处理程序暂时无法连接，恢复后将自动运行"
    )


def test_the_sweep_sends_it_when_the_broker_is_back_and_it_runs_once(
    api, cast, ready, broker, django_capture_on_commit_callbacks
):
    broker.kill()
    _submit(api, cast, ready, django_capture_on_commit_callbacks)
    evaluation = Evaluation.objects.get(submission=ready)
    later = timezone.now() + dt.timedelta(minutes=2)
    assert services.evaluations_sweep(now=later) == 0  # still away: nothing sent, nothing lost
    broker.start()  # back, and empty (no persistence)
    assert services.evaluations_sweep(now=later) == 1
    assert broker.queued() == 1
    evaluation.refresh_from_db()
    assert evaluation.stage == Evaluation.Stage.QUEUED
    assert evaluation.sent_at is not None and evaluation.send_count == 1
    # Backed off: the next minute's sweep leaves a freshly sent evaluation alone.
    assert services.evaluations_sweep(now=timezone.now() + dt.timedelta(seconds=30)) == 0
    # The worker's run, twice (the message and a duplicate): one result.
    services.evaluation_run(evaluation_id=evaluation.pk)
    services.evaluation_run(evaluation_id=evaluation.pk)
    evaluation.refresh_from_db()
    assert evaluation.status == E.DONE
    assert AuditEvent.objects.filter(action="evaluation.finished", submission=ready).count() == 1
    assert services.owed_evaluations(now=later + dt.timedelta(hours=1)) == []


def test_a_message_the_broker_lost_is_sent_again_after_the_deadline(
    api, cast, ready, broker, django_capture_on_commit_callbacks, settings
):
    _submit(api, cast, ready, django_capture_on_commit_callbacks)
    assert broker.queued() == 1
    broker.kill()
    broker.start()  # restarted without persistence: the message is gone
    assert broker.queued() == 0
    evaluation = Evaluation.objects.get(submission=ready)
    assert services.evaluations_sweep(now=timezone.now()) == 0  # not yet past the deadline
    deadline = dt.timedelta(seconds=settings.HANDOFF_DEADLINE_SECONDS)
    assert services.evaluations_sweep(now=timezone.now() + deadline * 1.5) == 1
    assert broker.queued() == 1
    evaluation.refresh_from_db()
    assert evaluation.send_count == 2


def test_a_running_evaluation_is_taken_over_only_when_its_lease_lapsed(
    cast, ready, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        evaluation = services.submission_submit(user=cast["maker"], submission=ready)
    now = timezone.now()
    # A worker took it and was killed: status running, lease still held.
    Evaluation.objects.filter(pk=evaluation.pk).update(
        status=E.RUNNING, started_at=now, lease_expires_at=now + dt.timedelta(seconds=60)
    )
    assert services.evaluation_run(evaluation_id=evaluation.pk).status == E.RUNNING  # not ours
    assert evaluation.pk not in [e.pk for e in services.owed_evaluations(now=now)]
    lapsed = now + dt.timedelta(seconds=61)
    assert [e.pk for e in services.owed_evaluations(now=lapsed)] == [evaluation.pk]
    Evaluation.objects.filter(pk=evaluation.pk).update(lease_expires_at=now - dt.timedelta(1))
    assert services.evaluation_run(evaluation_id=evaluation.pk).status == E.DONE
    assert AuditEvent.objects.filter(action="evaluation.finished", submission=ready).count() == 1


def test_progress_renews_the_lease(cast, ready, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        evaluation = services.submission_submit(user=cast["maker"], submission=ready)
    stages = []
    original = services.evaluations._set_progress

    def spy(evaluation_id, progress, stage, params):
        original(evaluation_id, progress, stage, params)
        row = Evaluation.objects.get(pk=evaluation_id)
        stages.append((row.stage, row.stage_params, row.lease_expires_at))

    services.evaluations._set_progress = spy
    try:
        services.evaluation_run(evaluation_id=evaluation.pk)
    finally:
        services.evaluations._set_progress = original
    assert stages[0][0] == Evaluation.Stage.READING_FILE
    assert stages[0][1] == {"name": "weight_loss.csv"}
    assert stages[-1][0] == Evaluation.Stage.APPLYING_RULES
    assert all(lease > timezone.now() for _, _, lease in stages)
    evaluation.refresh_from_db()
    assert evaluation.lease_expires_at is None and evaluation.stage == Evaluation.Stage.DONE


def test_every_hand_off_and_beat_entry_names_a_registered_task():
    assert [m for m in run_checks() if m.id == "certification.E005"] == []
    stray = handoff.HandOff("certification.no_such_task")
    try:
        problems = [m for m in run_checks() if m.id == "certification.E005"]
    finally:
        del handoff.DECLARED[stray.task_name]
    assert [p.msg for p in problems] == [
        "hand-off names the Celery task 'certification.no_such_task', which no app registers"
    ]
