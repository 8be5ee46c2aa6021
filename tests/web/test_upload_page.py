"""The submission page: uploading, withdrawing, downloading, submitting, and the evaluation."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from certification import services
from certification.models import AuditEvent, Dataset, Evaluation, Submission
from tests.conftest import upload_all
from tests.stored import stored_names
from tests.web.sheets import BAD_COLUMN, BAD_ROW, BAD_WEIGHT_LOSS, PASSING, WEIGHT_LOSS

pytestmark = pytest.mark.django_db


def _stored_files() -> list[str]:
    """What the storage holds (the filesystem or the object store the suite runs on)."""
    return sorted(stored_names())


def _upload(client, submission, kind, content: str, name="sheet.csv"):
    return client.post(
        f"/submissions/{submission.pk}/upload/",
        {"kind": kind, "file": SimpleUploadedFile(name, content.encode())},
    )


def test_a_bad_sheet_shows_row_and_column_and_stores_nothing(client, cast, submission, settings):
    client.force_login(cast["lab"])
    before = Dataset.objects.count()
    response = _upload(client, submission, "weight_loss", BAD_WEIGHT_LOSS)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The result sheet was rejected" in page
    assert f"Row {BAD_ROW}, column {BAD_COLUMN}:" in page
    assert "abc" in page  # the message quotes the bad value
    assert Dataset.objects.count() == before
    assert _stored_files() == []


def test_a_file_that_is_not_a_sheet_is_refused_on_the_page(client, cast, submission, settings):
    client.force_login(cast["lab"])
    response = client.post(
        f"/submissions/{submission.pk}/upload/",
        {"kind": "safety", "file": SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00")},
    )
    assert response.status_code == 400
    assert "form-errors" in response.content.decode()
    assert Dataset.objects.count() == 0
    assert _stored_files() == []


def test_an_upload_without_a_file_asks_for_one(client, cast, submission):
    client.force_login(cast["lab"])
    response = client.post(f"/submissions/{submission.pk}/upload/", {"kind": "weight_loss"})
    assert response.status_code == 400
    assert "field-error" in response.content.decode()


@pytest.mark.parametrize("kind", list(PASSING))
def test_a_good_sheet_appears_in_the_evidence_table(client, cast, submission, settings, kind):
    client.force_login(cast["lab"])
    response = _upload(client, submission, kind, PASSING[kind], name=f"{kind}.csv")
    assert response.status_code == 302
    dataset = Dataset.objects.get(submission=submission)
    assert dataset.kind == kind and dataset.source == Dataset.Source.LAB
    assert len(_stored_files()) == 1
    page = client.get(response["Location"]).content.decode()
    assert f"{kind}.csv" in page
    assert dataset.sha256[:12] in page
    assert "badge-lab" in page
    assert "was accepted" in page  # the success message


def test_a_maker_upload_is_marked_as_a_declaration(client, cast, submission):
    client.force_login(cast["maker"])
    page = client.get(f"/submissions/{submission.pk}/").content.decode()
    assert "recorded as manufacturer declarations" in page
    response = _upload(client, submission, "electrolyte_content", PASSING["electrolyte_content"])
    assert response.status_code == 302
    dataset = Dataset.objects.get(submission=submission)
    assert dataset.source == Dataset.Source.MAKER
    page = client.get(f"/submissions/{submission.pk}/").content.decode()
    assert "badge-declaration" in page
    assert ">Declaration<" in page


def test_the_uploader_withdraws_a_file_and_it_stays_listed(client, cast, submission):
    dataset = services.dataset_upload(
        user=cast["lab"],
        submission=submission,
        kind="weight_loss",
        upload=SimpleUploadedFile("wl.csv", WEIGHT_LOSS.encode()),
    )
    client.force_login(cast["maker"])
    page = client.get(f"/submissions/{submission.pk}/").content.decode()
    assert f"/datasets/{dataset.pk}/withdraw/" not in page  # not the maker's file
    client.force_login(cast["lab"])
    page = client.get(f"/submissions/{submission.pk}/").content.decode()
    assert f"/datasets/{dataset.pk}/withdraw/" in page
    response = client.post(f"/datasets/{dataset.pk}/withdraw/", {"reason": "  "})
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.withdrawn_at is None  # no reason, no withdrawal
    page = client.get(f"/submissions/{submission.pk}/").content.decode()
    assert "Say why the file is withdrawn." in page
    response = client.post(f"/datasets/{dataset.pk}/withdraw/", {"reason": "Wrong batch"})
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.withdrawn_at is not None and dataset.withdrawn_by == cast["lab"]
    assert dataset.withdrawal_reason == "Wrong batch"
    event = AuditEvent.objects.get(action="dataset.withdrawn")
    assert event.detail["name"] == "wl.csv" and event.reason == "Wrong batch"
    page = client.get(f"/submissions/{submission.pk}/").content.decode()
    assert "badge-withdrawn" in page
    assert f"/datasets/{dataset.pk}/withdraw/" not in page


def test_evidence_downloads_as_an_attachment_that_is_never_rendered(client, cast, submission):
    dataset = services.dataset_upload(
        user=cast["lab"],
        submission=submission,
        kind="weight_loss",
        upload=SimpleUploadedFile("失重 results.csv", WEIGHT_LOSS.encode()),
    )
    client.force_login(cast["maker"])
    response = client.get(f"/datasets/{dataset.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == WEIGHT_LOSS.encode()


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_sheet_templates_download_and_the_columns_are_listed(client, cast, submission, file_format):
    client.force_login(cast["lab"])
    page = client.get(f"/submissions/{submission.pk}/").content.decode()
    assert f"/sheet-templates/energy_density.{file_format}" in page
    assert "<code>discharge_current_a</code>" in page
    assert "Magnitude of the discharge current" in page
    response = client.get(f"/sheet-templates/energy_density.{file_format}")
    assert response.status_code == 200
    assert f'filename="energy_density-template.{file_format}"' in response["Content-Disposition"]


def test_only_the_maker_sees_the_submit_button(client, cast, submission):
    client.force_login(cast["lab"])
    assert 'id="submit-button"' not in client.get(f"/submissions/{submission.pk}/").content.decode()
    client.force_login(cast["maker"])
    assert 'id="submit-button"' in client.get(f"/submissions/{submission.pk}/").content.decode()


def test_submit_queues_an_evaluation_and_the_page_polls_it(client, cast, submission):
    for kind, content in PASSING.items():
        services.dataset_upload(
            user=cast["lab"],
            submission=submission,
            kind=kind,
            upload=SimpleUploadedFile(f"{kind}.csv", content.encode()),
        )
    client.force_login(cast["maker"])
    response = client.post(f"/submissions/{submission.pk}/submit/")
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.EVALUATING
    evaluation = Evaluation.objects.get(submission=submission)
    assert evaluation.status == Evaluation.Status.QUEUED and evaluation.attempt == 1

    page = client.get(f"/submissions/{submission.pk}/").content.decode()
    assert 'data-active="true"' in page
    assert 'role="progressbar"' in page
    assert 'id="submit-button"' not in page
    assert "Evidence cannot be changed" in page  # the upload form is gone
    data = client.get(f"/submissions/{submission.pk}/evaluation.json").json()
    assert data["status"] == "queued" and data["attempt"] == 1
    assert data["submission_status"] == "evaluating"


def test_submitting_twice_is_explained_on_the_page(client, cast, submission):
    upload_all(submission, cast["lab"])
    client.force_login(cast["maker"])
    client.post(f"/submissions/{submission.pk}/submit/")
    response = client.post(f"/submissions/{submission.pk}/submit/", follow=True)
    assert "cannot become" in response.content.decode()
    assert Evaluation.objects.filter(submission=submission).count() == 1


def test_the_evaluation_json_before_any_evaluation(client, cast, submission):
    client.force_login(cast["lab"])
    data = client.get(f"/submissions/{submission.pk}/evaluation.json").json()
    assert data["status"] is None


def test_a_finished_evaluation_is_shown_in_full(client, cast, submission):
    upload_all(submission, cast["lab"])
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    # The worker's result, as the engine records it (written here directly: the page is tested).
    Evaluation.objects.filter(pk=evaluation.pk).update(
        status=Evaluation.Status.DONE,
        progress=100,
        stage="Done",
        finished_at=timezone.now(),
        determined_class="all_solid_state",
        certifiable=True,
        may_label_solid_state=True,
        claim_supported=True,
        classification_code="SS-SUL-LI-HE",
        result={
            "criteria": [
                {
                    "code": "vacuum_weight_loss",
                    "outcome": "pass",
                    "measured": [0.2, 0.2, 0.2],
                    "limit": 0.5,
                    "comparator": "<=",
                    "unit": "%",
                    "message": "Every sample lost at most 0.5 %.",
                },
                {
                    "code": "energy_density",
                    "outcome": "incomplete",
                    "measured": {
                        "sample_count": 1,
                        "compared": "min_energy_density_wh_per_kg",
                        "min_energy_density_wh_per_kg": "571.43",
                        "samples": [{"sample_id": "ED-7", "energy_density_wh_per_kg": "571.43"}],
                    },
                    "limit": "500",
                    "comparator": ">=",
                    "unit": "Wh/kg",
                    "message": "No energy density results.",
                },
            ],
            "flags": [{"code": "declared_mismatch", "severity": "warning", "message": "Check me."}],
        },
        inputs=[{"kind": "weight_loss", "original_name": "wl.csv", "sha256": "ab" * 32}],
    )
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.AWAITING_REVIEW)
    client.force_login(cast["maker"])
    page = client.get(f"/submissions/{submission.pk}/").content.decode()
    assert 'id="determined-class"' in page
    assert "All-solid-state battery" in page
    assert "SS-SUL-LI-HE" in page
    assert "gbt-ssb-2026" in page
    assert "vacuum_weight_loss" in page and "badge-pass" in page and "badge-incomplete" in page
    assert "0.2, 0.2, 0.2 %" in page
    assert "571.4 Wh/kg" in page and "n = 1" in page and "ED-7" in page  # 4 significant digits
    assert "≤" in page
    assert "Every sample lost at most 0.5 %." in page
    assert "declared_mismatch" in page and "Check me." in page
    assert "ab" * 32 in page
    assert 'data-active="false"' in page


def test_the_page_switches_to_chinese(client, cast, submission):
    client.force_login(cast["lab"])
    response = client.post(
        "/i18n/setlang/", {"language": "zh-hans", "next": f"/submissions/{submission.pk}/"}
    )
    assert response.status_code == 302
    page = client.get(f"/submissions/{submission.pk}/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "简体中文" in page


def test_the_page_costs_the_same_queries_with_more_evidence(client, cast, submission):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def upload(n):
        for i in range(n):
            services.dataset_upload(
                user=cast["lab"],
                submission=submission,
                kind="weight_loss",
                upload=SimpleUploadedFile(f"wl-{i}.csv", WEIGHT_LOSS.encode()),
            )

    client.force_login(cast["lab"])
    upload(1)
    client.get(f"/submissions/{submission.pk}/")  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        client.get(f"/submissions/{submission.pk}/")
    upload(5)
    with CaptureQueriesContext(connection) as six:
        client.get(f"/submissions/{submission.pk}/")
    assert len(six) == len(one)
