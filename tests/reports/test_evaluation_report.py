"""The evaluation report PDF: criteria, flags, pictures and inputs of the latest finished
evaluation, for those who see the submission, in their language (issue 11)."""

from __future__ import annotations

import subprocess

import pytest

from certification import services
from tests.certification.test_raw_evidence import bdf_discharge, chamber_log
from tests.conftest import upload_all, upload_read

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(submission, cast):
    upload_all(submission, cast["lab"])
    upload_read(submission, cast["lab"], "cycler", bdf_discharge(
        voltage_v=3.7, current_a=16.666667, hours=3), "discharge.bdf.csv")  # fmt: skip
    upload_read(submission, cast["lab"], "chamber_log", chamber_log(hours=7), "chamber.csv")
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    return services.evaluation_run(evaluation_id=evaluation.pk)


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.parametrize(
    ("role", "status"),
    [("maker", 200), ("lab", 200), ("reviewer", 200), ("regulator", 200), ("other_maker", 404),
     ("other_lab", 404), ("automaker", 404)],
)  # fmt: skip
def test_who_reads_the_report(client, api, cast, evaluated, role, status, tmp_path):
    client.force_login(cast[role])
    page = client.get(f"/submissions/{evaluated.submission_id}/evaluation-report.pdf")
    answer = api(cast[role]).get(
        f"/api/v1/submissions/{evaluated.submission_id}/evaluation-report/"
    )
    assert page.status_code == status and answer.status_code == status
    if status == 200:
        assert page["Content-Type"] == "application/pdf" and page.content.startswith(b"%PDF-")
        assert page["Cache-Control"] == "private, no-store"


def test_anonymous_readers_are_sent_to_sign_in(client, api, evaluated):
    page = client.get(f"/submissions/{evaluated.submission_id}/evaluation-report.pdf")
    assert page.status_code == 302 and page["Location"].startswith("/login/")
    answer = api(None).get(f"/api/v1/submissions/{evaluated.submission_id}/evaluation-report/")
    assert answer.status_code == 401


def test_no_report_before_an_evaluation_finished(api, cast, submission):
    answer = api(cast["maker"]).get(f"/api/v1/submissions/{submission.pk}/evaluation-report/")
    assert answer.status_code == 404
    assert "no finished evaluation" in answer.json()["detail"]


def test_the_report_holds_the_criteria_pictures_and_inputs(client, cast, evaluated, tmp_path):
    client.force_login(cast["regulator"])
    data = client.get(f"/submissions/{evaluated.submission_id}/evaluation-report.pdf").content
    text = pdf_text(data, tmp_path)
    for expected in (
        "Evaluation report", "Criteria", "Vacuum weight loss per sample", "Weight loss (%)",
        "Energy density per sample", "Abuse safety tests per sample", "Raw data",
        "chamber.csv", "discharge.bdf.csv", evaluated.inputs[0]["sha256"][:12],
        evaluated.ruleset.sha256[:12],
    ):  # fmt: skip
        assert expected in text, expected
    fonts = subprocess.run(
        ["pdffonts", "-"], input=data, check=True, capture_output=True
    ).stdout.decode()
    assert "PortalCJK" in fonts or "Portal" in fonts
    assert "Helvetica" not in fonts and "DejaVu" not in fonts  # our font only, charts included


def test_the_report_reads_in_chinese(client, cast, evaluated, tmp_path):
    client.force_login(cast["maker"])
    data = client.get(
        f"/submissions/{evaluated.submission_id}/evaluation-report.pdf",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content
    text = pdf_text(data, tmp_path)
    assert "评定报告" in text and "原始数据" in text
