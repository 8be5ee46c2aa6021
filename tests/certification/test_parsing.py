"""Raw files are read by a worker after the upload: queued, read with progress, recorded with a
summary and a chart preview, or refused with the parser's message and nothing of them kept; the
row is the hand-off, so a parse the broker or a worker lost is sent again (issue 11)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from certification import services, uploads
from certification.exceptions import InvalidTransition
from certification.models import AuditEvent, Dataset, Submission
from tests.certification.test_raw_evidence import bdf_discharge, chamber_log
from tests.conftest import upload_all
from tests.samples import sample_sheet

pytestmark = pytest.mark.django_db
P = Dataset.ParseStatus


def _upload(submission, user, kind, content, name):
    return services.dataset_upload(
        user=user, submission=submission, kind=kind, upload=SimpleUploadedFile(name, content)
    )


def test_a_raw_file_is_stored_queued_and_read_by_the_worker(submission, cast):
    content = bdf_discharge(voltage_v=3.7, current_a=16.666667, hours=3)
    dataset = _upload(submission, cast["lab"], "cycler", content, "run.bdf.csv")
    assert dataset.parse_status == P.QUEUED and dataset.parse_progress == 0
    assert dataset.summary == {} and default_storage.exists(dataset.file.name)

    dataset = services.dataset_parse(dataset_id=dataset.pk)
    assert dataset.parse_status == P.PARSED and dataset.parse_progress == 100
    assert dataset.file_format == "bdf" and dataset.row_count == dataset.parse_rows > 180
    assert dataset.summary["main_discharge_energy_wh"] == pytest.approx(185, rel=0.01)
    assert dataset.summary["ruleset"].startswith("gbt-ssb-2026 v")
    main = dataset.preview["main_discharge"]
    assert main["end_s"] > main["start_s"] >= 0
    event = AuditEvent.objects.get(action="dataset.parsed")
    assert event.detail["name"] == "run.bdf.csv" and event.detail["rows"] == dataset.row_count


def test_reading_twice_does_the_work_once(submission, cast):
    dataset = _upload(submission, cast["lab"], "chamber_log", chamber_log(hours=7), "ch.csv")
    services.dataset_parse(dataset_id=dataset.pk)
    services.dataset_parse(dataset_id=dataset.pk)
    assert AuditEvent.objects.filter(action="dataset.parsed").count() == 1


def test_a_file_the_parser_refuses_is_recorded_with_its_message_and_its_bytes_deleted(
    submission, cast
):
    dataset = _upload(submission, cast["lab"], "cycler", b"colour,taste\nred,sweet\n", "run.csv")
    stored = dataset.file.name
    dataset = services.dataset_parse(dataset_id=dataset.pk)
    assert dataset.parse_status == P.REJECTED
    assert "run.csv" not in dataset.parse_error  # the message is the parser's; the page names it
    assert uploads.parse_error_text(dataset) == dataset.parse_error
    assert not dataset.file and not default_storage.exists(stored)
    event = AuditEvent.objects.get(action="dataset.refused")
    assert event.detail["name"] == "run.csv" and event.reason == dataset.parse_error


def test_the_refusal_reads_in_chinese(submission, cast, settings):
    from django.utils import translation

    dataset = _upload(submission, cast["lab"], "cycler", b"colour,taste\nred,sweet\n", "run.csv")
    dataset = services.dataset_parse(dataset_id=dataset.pk)
    with translation.override("zh-hans"):
        text = uploads.parse_error_text(dataset)
    assert text and text != dataset.parse_error


def test_submitting_waits_until_every_raw_file_is_read(submission, cast):
    upload_all(submission, cast["lab"])
    dataset = _upload(submission, cast["lab"], "cycler", bdf_discharge(
        voltage_v=3.7, current_a=16.666667, hours=3), "run.bdf.csv")  # fmt: skip
    with pytest.raises(InvalidTransition, match="run.bdf.csv"):
        services.submission_submit(user=cast["maker"], submission=submission)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT and submission.attempt == 0
    assert not submission.evaluations.exists()
    services.dataset_parse(dataset_id=dataset.pk)
    services.submission_submit(user=cast["maker"], submission=submission)


def test_a_refused_file_is_not_evaluated(submission, cast):
    upload_all(submission, cast["lab"])
    dataset = _upload(submission, cast["lab"], "cycler", b"not,a\ncycler,file\n", "bad.csv")
    services.dataset_parse(dataset_id=dataset.pk)
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    evaluation = services.evaluation_run(evaluation_id=evaluation.pk)
    assert dataset.pk not in [item["dataset"] for item in evaluation.inputs]


def test_the_sweep_sends_a_lost_parse_again_once_per_back_off(submission, cast):
    dataset = _upload(submission, cast["lab"], "chamber_log", chamber_log(hours=7), "ch.csv")
    assert dataset not in services.stuck_parses()  # within the hand-off deadline
    Dataset.objects.filter(pk=dataset.pk).update(
        uploaded_at=timezone.now() - dt.timedelta(minutes=10)
    )
    assert dataset in services.stuck_parses()
    assert services.parses_sweep() == 1
    assert services.parses_sweep() == 0  # sent a moment ago: it waits its back-off
    dataset.refresh_from_db()
    assert dataset.parse_send_count == 1 and dataset.parse_sent_at is not None


def test_a_worker_that_died_mid_read_leaves_a_lease_that_lapses(submission, cast):
    dataset = _upload(submission, cast["lab"], "chamber_log", chamber_log(hours=7), "ch.csv")
    held = timezone.now() + dt.timedelta(minutes=1)
    Dataset.objects.filter(pk=dataset.pk).update(
        parse_status=P.PARSING, parse_lease_expires_at=held
    )
    assert services.dataset_parse(dataset_id=dataset.pk).parse_status == P.PARSING  # not ours
    assert dataset not in services.stuck_parses()
    Dataset.objects.filter(pk=dataset.pk).update(
        parse_lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert dataset in services.stuck_parses()
    assert services.dataset_parse(dataset_id=dataset.pk).parse_status == P.PARSED


def test_a_cycler_file_is_compared_with_the_energy_sheet_before_anyone_submits(submission, cast):
    _upload(submission, cast["lab"], "energy_density", sample_sheet("energy_density"), "e.csv")
    rows = submission.datasets.get(kind="energy_density").summary["rows"]
    sheet_wh = float(rows[0]["discharge_energy_wh"])
    hours = sheet_wh / (3.7 * 16.666667)
    dataset = _upload(submission, cast["lab"], "cycler", bdf_discharge(
        voltage_v=3.7, current_a=16.666667, hours=hours), "good.csv")  # fmt: skip
    dataset = services.dataset_parse(dataset_id=dataset.pk)
    datasets = list(submission.datasets.all())
    match = uploads.file_feedback(datasets, services.ruleset_in_force())[dataset.pk]["match"]
    assert match.within is True and match.sheet_name == "e.csv"

    far = _upload(submission, cast["lab"], "cycler", bdf_discharge(
        voltage_v=3.7, current_a=16.666667, hours=hours * 1.2), "far.csv")  # fmt: skip
    far = services.dataset_parse(dataset_id=far.pk)
    datasets = list(submission.datasets.all())
    match = uploads.file_feedback(datasets, services.ruleset_in_force())[far.pk]["match"]
    assert match.within is False and match.sheet_wh and match.cycler_wh != match.sheet_wh


def test_withdrawal_needs_a_reason_and_the_audit_names_the_file(submission, cast):
    dataset = _upload(submission, cast["lab"], "weight_loss", sample_sheet("weight_loss"), "w.csv")
    with pytest.raises(Exception, match="Say why"):
        services.dataset_withdraw(user=cast["lab"], dataset=dataset, reason="   ")
    dataset.refresh_from_db()
    assert dataset.withdrawn_at is None
    assert not AuditEvent.objects.filter(action="dataset.withdrawn").exists()
    with pytest.raises(Exception, match="1001"):
        services.dataset_withdraw(user=cast["lab"], dataset=dataset, reason="x" * 1001)
    services.dataset_withdraw(user=cast["lab"], dataset=dataset, reason="Wrong cell batch")
    event = AuditEvent.objects.get(action="dataset.withdrawn")
    assert event.detail["name"] == "w.csv" and event.reason == "Wrong cell batch"
