"""A raw file larger than the portal takes (2 GB against RAW_DATA_MAX_BYTES, 1 GB by default) is
refused from its declared length before a byte of it is read or stored (issue 11)."""

from __future__ import annotations

import pytest

from certification.models import AuditEvent, Dataset

pytestmark = pytest.mark.django_db

TWO_GB = 2 * 1024 * 1024 * 1024


def test_a_2_gb_upload_is_refused_unread_on_the_api(api, cast, submission):
    client = api(cast["lab"])
    response = client.generic(
        "POST",
        f"/api/v1/submissions/{submission.pk}/datasets/",
        b"--x--",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(TWO_GB),
    )
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "request_too_large"
    assert "2048.0 MB" in body["detail"] and "1025.0 MB" in body["detail"]
    assert not Dataset.objects.exists()
    assert not AuditEvent.objects.filter(action="dataset.uploaded").exists()


def test_a_2_gb_upload_is_refused_unread_on_the_page(client, cast, submission):
    client.force_login(cast["lab"])
    response = client.generic(
        "POST",
        f"/submissions/{submission.pk}/upload/",
        b"--x--",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(TWO_GB),
    )
    assert response.status_code == 413
    assert "2048.0 MB" in response.content.decode()
    assert not Dataset.objects.exists()
