"""The parse state and the chart data of a raw file, from each role (issue 11)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certification import services
from tests.certification.test_raw_evidence import chamber_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def chamber(submission, cast):
    dataset = services.dataset_upload(
        user=cast["lab"],
        submission=submission,
        kind="chamber_log",
        upload=SimpleUploadedFile("chamber.csv", chamber_log(hours=7)),
    )
    return services.dataset_parse(dataset_id=dataset.pk)


@pytest.mark.parametrize(
    ("role", "status"),
    [("lab", 200), ("maker", 200), ("reviewer", 404), ("other_lab", 404), ("other_maker", 404),
     ("automaker", 404), (None, 401)],
)  # fmt: skip
def test_the_chart_data_of_a_file(api, cast, chamber, role, status):
    response = api(cast.get(role)).get(f"/api/v1/datasets/{chamber.pk}/preview/")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["name"] == "chamber.csv" and body["kind"] == "chamber_log"
        assert body["limits"]["target_c"] == 120 and body["limits"]["tolerance_c"] == 2
        assert body["hold"]["end_s"] > body["hold"]["start_s"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("lab", 200), ("maker", 200), ("other_lab", 404), ("other_maker", 404), ("automaker", 404)],
)
def test_the_page_poll_of_the_files(client, cast, chamber, role, status):
    client.force_login(cast[role])
    response = client.get(f"/submissions/{chamber.submission_id}/files.json")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["reading"] is False
        assert body["files"] == [
            {"id": chamber.pk, "status": "parsed", "status_label": "Read", "progress": 100,
             "rows": chamber.row_count}
        ]  # fmt: skip


def test_the_page_poll_needs_a_login(client, chamber):
    response = client.get(f"/submissions/{chamber.submission_id}/files.json")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
