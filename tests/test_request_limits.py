"""Request bodies are capped by route before anything reads them (portal/middleware.py): large
anonymous POSTs to the pages and the API are refused with 413 and nothing is parsed or stored;
a signed-in lab may still upload large evidence; a certificate file check takes a certificate's
size."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certification.models import Dataset
from tests.stored import stored_names

pytestmark = pytest.mark.django_db

TWO_MB = b"x" * (2 * 1024 * 1024)


def _stored(settings) -> list[str]:
    return sorted(stored_names())  # the filesystem or the object store the suite runs on


@pytest.mark.parametrize("path", ["/login/", "/verify/", "/watchlist/bulk/", "/i18n/setlang/"])
def test_a_large_anonymous_post_to_a_page_is_refused_unread(client, path):
    response = client.post(path, {"file": SimpleUploadedFile("big.bin", TWO_MB)})
    assert response.status_code == 413
    assert "this address accepts at most 1.0 MB" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/api/v1/auth/token/", "/api/v1/verify/", "/api/v1/submissions/1/datasets/"]
)
def test_a_large_anonymous_post_to_the_api_is_refused_unread(api, path):
    response = api(None).post(path, {"file": SimpleUploadedFile("big.bin", TWO_MB)})
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_a_signed_in_lab_uploads_large_evidence(api, cast, submission, settings):
    big_sheet = b"sample_id,liquid_electrolyte_pct,test_date\n" + b"#" * (2 * 1024 * 1024)
    response = api(cast["lab"]).post(
        f"/api/v1/submissions/{submission.pk}/datasets/",
        {"kind": "electrolyte_content", "file": SimpleUploadedFile("big.csv", big_sheet)},
    )
    # Past the cap: the sheet itself is then judged by the service (and refused here).
    assert response.status_code == 400
    assert response.json()["code"] != "request_too_large"
    assert not Dataset.objects.exists() and _stored(settings) == []


def test_the_lab_upload_page_takes_large_files_too(client, cast, submission):
    client.force_login(cast["lab"])
    response = client.post(
        f"/submissions/{submission.pk}/upload/",
        {"kind": "test_report", "file": SimpleUploadedFile("r.pdf", TWO_MB)},
    )
    assert response.status_code == 400  # read and refused by the service: not a PDF
    assert "PDF" in response.content.decode()


def test_a_certificate_file_check_takes_a_certificate_sized_file(api):
    response = api(None).post(
        "/api/v1/documents/verify/", {"file": SimpleUploadedFile("c.pdf", TWO_MB)}
    )
    assert response.status_code != 413


def test_a_malformed_content_length_is_refused(client):
    response = client.generic("POST", "/login/", b"a=b", CONTENT_LENGTH="lots")
    assert response.status_code == 400
