"""Evidence kept through Django's storage API, on the filesystem and on a real S3-compatible
object store (the SeaweedFS that scripts/test.sh starts, ``STORAGE_URL``): stored and read back
byte for byte, checked against the upload's SHA-256 on every read, never served once changed
behind the portal's back, and nothing left in the store by a failed upload."""

from __future__ import annotations

import hashlib
import os
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, connection

from certification import services
from certification.models import AuditEvent, Dataset, Submission
from portal.settings import _file_storage
from tests.conftest import upload_all
from tests.samples import sample_sheet
from tests.stored import read_stored, remove_stored, replace_stored, stored_names

S3_URL = os.environ.get("STORAGE_URL", "")
FILESYSTEM = {"BACKEND": "django.core.files.storage.FileSystemStorage"}


@pytest.fixture(params=["s3", "filesystem"])
def store(request, settings):
    """The test runs once on each storage."""
    if request.param == "s3":
        if not S3_URL:
            pytest.skip("STORAGE_URL is not set: scripts/test.sh starts the object store")
        backend = _file_storage(S3_URL)
        backend["OPTIONS"]["location"] = f"tests/{uuid.uuid4().hex}"
    else:
        backend = FILESYSTEM
    settings.STORAGES = {**settings.STORAGES, "default": backend}
    return request.param


def _upload(submission, user, kind="weight_loss", content=None):
    content = content or sample_sheet(kind)
    return services.dataset_upload(
        user=user,
        submission=submission,
        kind=kind,
        upload=SimpleUploadedFile(f"{kind}.csv", content),
    )


def _failed_checks(dataset):
    return AuditEvent.objects.filter(
        action="dataset.integrity_failed", detail__dataset=dataset.pk
    ).order_by("pk")


def test_an_upload_is_stored_and_served_back_byte_for_byte(store, api, cast, submission):
    content = sample_sheet("weight_loss")
    before = stored_names("evidence/")
    response = api(cast["lab"]).post(
        f"/api/v1/submissions/{submission.pk}/datasets/",
        {"kind": "weight_loss", "file": SimpleUploadedFile("wl.csv", content)},
    )
    assert response.status_code == 201, response.content
    dataset = Dataset.objects.get(pk=response.json()["id"])
    assert stored_names("evidence/") - before == {dataset.file.name}
    assert read_stored(dataset.file.name) == content
    assert dataset.sha256 == hashlib.sha256(content).hexdigest()

    download = api(cast["maker"]).get(f"/api/v1/datasets/{dataset.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Length"] == str(len(content))
    assert not _failed_checks(dataset).exists()


def test_the_evaluation_reads_the_stored_files(store, cast, submission):
    upload_all(submission, cast["lab"])
    evaluation = services.evaluation_run(
        evaluation_id=services.submission_submit(user=cast["maker"], submission=submission).pk
    )
    assert evaluation.status == "done", evaluation.error
    assert evaluation.certifiable is True


def test_a_file_changed_in_the_store_stops_the_evaluation(store, cast, submission):
    upload_all(submission, cast["lab"])
    dataset = submission.datasets.get(kind="weight_loss")
    tampered = sample_sheet("weight_loss", profile="liquid")
    replace_stored(dataset.file.name, tampered)

    evaluation = services.evaluation_run(
        evaluation_id=services.submission_submit(user=cast["maker"], submission=submission).pk
    )
    assert evaluation.status == "error"
    assert "weight_loss.csv" in evaluation.error and "SHA-256" in evaluation.error
    submission.refresh_from_db()
    assert submission.status == Submission.Status.EVALUATION_FAILED
    (event,) = _failed_checks(dataset)
    assert event.detail["expected_sha256"] == dataset.sha256
    assert event.detail["found_sha256"] == hashlib.sha256(tampered).hexdigest()
    assert event.detail["name"] == "weight_loss.csv"
    assert event.submission_id == submission.pk


def test_a_file_changed_in_the_store_is_not_downloaded(store, api, client, cast, submission):
    dataset = _upload(submission, cast["lab"])
    tampered = b"sample_id,mass_before_g\nS1,1\n"
    replace_stored(dataset.file.name, tampered)

    response = api(cast["maker"]).get(f"/api/v1/datasets/{dataset.pk}/download/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "evidence_changed"
    assert "weight_loss.csv" in body["detail"] and "SHA-256" in body["detail"]
    assert tampered not in response.content

    client.force_login(cast["lab"])
    page = client.get(f"/datasets/{dataset.pk}/download/", follow=True)
    assert page.redirect_chain[-1][0].endswith(f"/submissions/{submission.pk}/#evidence")
    assert tampered not in page.content
    assert "no longer matches the SHA-256" in page.content.decode()

    events = list(_failed_checks(dataset))
    assert [(e.actor, e.detail["reader"]) for e in events] == [
        (cast["maker"], "download"),
        (cast["lab"], "download"),
    ]
    assert all(e.detail["found_sha256"] == hashlib.sha256(tampered).hexdigest() for e in events)


def test_a_file_gone_from_the_store_is_not_downloaded(store, api, cast, submission):
    dataset = _upload(submission, cast["lab"])
    remove_stored(dataset.file.name)
    response = api(cast["lab"]).get(f"/api/v1/datasets/{dataset.pk}/download/")
    assert response.status_code == 409
    assert response.json()["code"] == "evidence_changed"
    (event,) = _failed_checks(dataset)
    assert event.detail["found_sha256"] is None


def test_an_upload_that_fails_after_the_file_was_stored_leaves_no_object(store, cast, submission):
    # A real database failure after the store write: PostgreSQL refuses the dataset row.
    table = Dataset._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_dataset() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER refuse_dataset BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_dataset()"
        )
    before = stored_names("evidence/")
    with pytest.raises(DatabaseError, match="refused by the test"):
        _upload(submission, cast["lab"])
    assert stored_names("evidence/") == before
    assert not Dataset.objects.exists()


def test_a_refused_file_leaves_no_object(store, api, cast, submission):
    before = stored_names("evidence/")
    response = api(cast["lab"]).post(
        f"/api/v1/submissions/{submission.pk}/datasets/",
        {"kind": "weight_loss", "file": SimpleUploadedFile("wl.csv", b"not,a,sheet\n1,2,3\n")},
    )
    assert response.status_code == 400
    assert stored_names("evidence/") == before
    assert not Dataset.objects.exists()


def test_storage_ready_creates_a_missing_bucket_and_leaves_nothing_in_it(settings, capsys):
    if not S3_URL:
        pytest.skip("STORAGE_URL is not set: scripts/test.sh starts the object store")
    bucket = f"ssb-test-{uuid.uuid4().hex[:12]}"
    backend = _file_storage(S3_URL)
    backend["OPTIONS"]["bucket_name"] = bucket
    settings.STORAGES = {**settings.STORAGES, "default": backend}
    client = default_storage.connection.meta.client
    assert bucket not in {b["Name"] for b in client.list_buckets()["Buckets"]}

    call_command("storage_ready")

    assert f"storage ready: s3://{bucket}/" in capsys.readouterr().out
    assert client.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
    call_command("storage_ready")  # a second run finds the bucket there
    client.delete_bucket(Bucket=bucket)


def test_storage_ready_on_the_filesystem(settings, tmp_path, capsys):
    settings.STORAGES = {**settings.STORAGES, "default": FILESYSTEM}
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("storage_ready")
    assert str(tmp_path / "media") in capsys.readouterr().out
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]


def test_storage_url_selects_the_object_store():
    backend = _file_storage(
        "s3://evidence/portal?endpoint_url=http://store:8333&region=cn-north-1"
        "&addressing_style=path"
    )
    assert backend["BACKEND"] == "certification.objectstore.ObjectStorage"
    options = backend["OPTIONS"]
    assert options["bucket_name"] == "evidence"
    assert options["location"] == "portal"
    assert options["endpoint_url"] == "http://store:8333"
    assert options["region_name"] == "cn-north-1"
    assert options["addressing_style"] == "path"
    assert options["file_overwrite"] is False and options["querystring_auth"] is False
    assert _file_storage("") == FILESYSTEM


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://evidence", "s3://BUCKET"),
        ("s3://", "s3://BUCKET"),
        ("s3://key:secret@evidence", "AWS_SECRET_ACCESS_KEY"),
        ("s3://evidence?endpoint=http://x", "unknown parameters: endpoint"),
    ],
)
def test_a_malformed_storage_url_is_refused_at_start_up(url, words):
    with pytest.raises(ImproperlyConfigured, match="STORAGE_URL") as error:
        _file_storage(url)
    assert words in str(error.value)
