"""The progress stage of a running evaluation reads in the viewer's language. Stages are stored
as codes with parameters (``Evaluation.Stage``, ``stage_params``) and rendered when shown."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from certification import services
from certification.evidence import evaluate_evidence
from certification.models import Evaluation
from certification.selectors import stage_text
from tests.conftest import upload_all
from tests.samples import sample_sheet

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def upload(submission, user, kind, content, name=None):
    services.dataset_upload(
        user=user,
        submission=submission,
        kind=kind,
        upload=SimpleUploadedFile(name or f"{kind}.csv", content),
    )


def test_the_progress_stage_names_the_file_in_chinese(cast, submission):
    upload_all(
        submission, cast["lab"], kinds=("weight_loss", "electrolyte_content", "energy_density")
    )
    upload(submission, cast["lab"], "safety", sample_sheet("safety"), "安全试验.csv")
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    stages = []
    evaluate_evidence(
        evaluation, progress=lambda pct, stage, **params: stages.append((stage, params))
    )
    stages = stages[-2:]  # the safety sheet, uploaded last, is read last
    assert stages == [("reading_file", {"name": "安全试验.csv"}), ("applying_rules", {})]
    with translation.override("zh-hans"):
        assert [stage_text(s, p) for s, p in stages] == ["正在读取 安全试验.csv", "正在应用规则集"]
        assert stage_text("reading_evidence") == "正在读取证据材料"
    with translation.override("en"):
        assert [stage_text(s, p) for s, p in stages] == [
            "Reading 安全试验.csv",
            "Applying the rule set",
        ]


def test_the_evaluation_panel_shows_the_running_stage_in_chinese(client, cast, submission):
    upload_all(submission, cast["lab"])
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    Evaluation.objects.filter(pk=evaluation.pk).update(
        status=Evaluation.Status.RUNNING,
        stage=Evaluation.Stage.READING_FILE,
        stage_params={"name": "weight_loss.csv"},
        progress=40,
    )
    client.force_login(cast["maker"])
    data = client.get(f"/submissions/{submission.pk}/evaluation.json", **ZH).json()
    assert data["stage"] == "正在读取 weight_loss.csv"
    page = client.get(f"/submissions/{submission.pk}/", **ZH).content.decode()
    assert "正在读取 weight_loss.csv" in page and "Reading weight_loss.csv" not in page
