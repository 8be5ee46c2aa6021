"""Bad uploads get a clear answer naming row and column, and leave nothing behind."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from certification import services
from certification.models import AuditEvent, Dataset
from tests.conftest import upload_all
from tests.samples import sample_sheet
from tests.stored import stored_names

pytestmark = pytest.mark.django_db

WL_HEADER = (
    "sample_id,mass_before_g,mass_after_g,temperature_c,duration_h,pressure_pa,leakage,"
    "balance_resolution_g,test_date\n"
)


def _post(api, user, submission, kind, content: bytes, name="sheet.csv"):
    return api(user).post(
        f"/api/v1/submissions/{submission.pk}/datasets/",
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def _nothing_stored(settings):
    files = stored_names()  # the filesystem or the object store, whichever the suite runs on
    return (
        Dataset.objects.count() == 0
        and not files
        and not AuditEvent.objects.filter(action="dataset.uploaded").exists()
    )


BAD_SHEETS = [
    # (kind, content, row, column, words in the message)
    ("weight_loss", WL_HEADER + "S1,10.00,abc,120,6,500,no,0.01,2026-09-01\n", 2, "mass_after_g", "number"),
    ("weight_loss", WL_HEADER + "S1,-10.00,9.9,120,6,500,no,0.01,2026-09-01\n", 2, "mass_before_g", ""),
    ("weight_loss", WL_HEADER + "S1,10.00,10.20,120,6,500,no,0.01,2026-09-01\n", 2, "mass_after_g", "greater"),
    ("weight_loss", WL_HEADER + "S1,10,9.99,120,6,500,no,0.01,2026-09-01\nS1,10,9.99,120,6,500,no,0.01,2026-09-01\n",
     3, "sample_id", "S1"),
    ("weight_loss", WL_HEADER + "S1,10,9.99,120,6,500,maybe,0.01,2026-09-01\n", 2, "leakage", ""),
    ("weight_loss", WL_HEADER + "S1,10,9.99,120,6,500,no,0.01,2026-13-45\n", 2, "test_date", ""),
    ("weight_loss", WL_HEADER.replace(",leakage", "") + "S1,10,9.99,120,6,500,0.01,2026-09-01\n", 1, "leakage", ""),
    ("electrolyte_content", b"sample_id,liquid_electrolyte_pct,test_date,colour\nS1,3,2026-09-01,red\n".decode(),
     1, "colour", ""),
    ("safety", "sample_id,test,fire,explosion,test_date\nS1,drop_test,no,no,2026-09-01\n", 2, "test", "nail_penetration"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "content", "row", "column", "words"), BAD_SHEETS)
def test_a_bad_sheet_is_refused_with_row_and_column(
    api, cast, submission, settings, kind, content, row, column, words
):
    response = _post(api, cast["lab"], submission, kind, content.encode())
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "upload_rejected"
    assert any(
        e["row"] == row and e["column"] == column and words in e["message"] for e in body["errors"]
    ), body
    assert _nothing_stored(settings)


def test_gb18030_sheets_with_chinese_booleans_are_accepted(api, cast, submission):
    content = (
        "sample_id,test,fire,explosion,test_date,max_temperature_c,notes\n"
        "样品1,nail_penetration,否,否,2026-09-01,55.0,无起火无爆炸\n"
    ).encode("gb18030")
    response = _post(api, cast["lab"], submission, "safety", content)
    assert response.status_code == 201, response.content
    assert response.json()["encoding"].lower().replace("-", "") == "gb18030"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"%PDF-1.7\n%binary\x00\x01", "sheet.csv"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "sheet.csv"),
        (b"", "e.csv"),
    ],
)
def test_files_that_are_not_sheets_are_refused_whatever_their_name(
    api, cast, submission, settings, content, name
):
    response = _post(api, cast["lab"], submission, "weight_loss", content, name=name)
    assert response.status_code == 400
    assert response.json()["detail"]
    assert _nothing_stored(settings)


def test_a_sheet_over_the_size_limit_is_refused(api, cast, submission, settings):
    settings.SHEET_MAX_BYTES = 1000
    response = _post(
        api, cast["lab"], submission, "weight_loss", sample_sheet("weight_loss", rows=200)
    )
    assert response.status_code == 400
    assert "MB" in response.json()["detail"]
    assert _nothing_stored(settings)


def test_an_unknown_kind_is_refused(api, cast, submission, settings):
    response = _post(api, cast["lab"], submission, "colour_test", sample_sheet("weight_loss"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == "kind"
    assert _nothing_stored(settings)


def test_a_missing_file_is_refused(api, cast, submission, settings):
    response = api(cast["lab"]).post(
        f"/api/v1/submissions/{submission.pk}/datasets/", {"kind": "safety"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == "file"
    assert _nothing_stored(settings)


def _one_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_test_report_must_be_a_pdf(api, cast, submission, settings):
    response = _post(api, cast["lab"], submission, "test_report", b"just text", name="report.pdf")
    assert response.status_code == 400
    assert "PDF" in response.json()["detail"]
    assert _nothing_stored(settings)
    ok = _post(api, cast["lab"], submission, "test_report", _one_page_pdf(), name="r.pdf")
    assert ok.status_code == 201
    assert ok.json()["summary"] == {"pages": 1}


@pytest.mark.parametrize(
    "content",
    [
        b"<html><!-- %PDF-1.4 --><body>report</body></html>",
        b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF",  # the magic, and nothing a reader can use
        b"%PDF-1.7\n" + b"\x00" * 2000,
    ],
    ids=["html-with-the-magic-in-a-comment", "no-page-tree", "garbage-after-the-magic"],
)
def test_a_file_that_only_looks_like_a_pdf_is_refused(api, cast, submission, settings, content):
    response = _post(api, cast["lab"], submission, "test_report", content, name="report.pdf")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["detail"].startswith("A test report must be a PDF file")
    assert _nothing_stored(settings)


def test_a_truncated_pdf_is_refused(api, cast, submission, settings):
    pdf = _one_page_pdf()
    response = _post(api, cast["lab"], submission, "test_report", pdf[: len(pdf) // 2])
    assert response.status_code == 400
    assert _nothing_stored(settings)


def test_a_raw_cycler_file_in_an_unknown_format_is_refused_by_the_worker(
    api, cast, submission, settings
):
    response = _post(
        api, cast["lab"], submission, "cycler", b"colour,taste\nred,sweet\n", name="run.csv"
    )
    assert response.status_code == 202  # stored; a worker reads it
    body = response.json()
    assert body["parse_status"] == "queued" and body["parse_progress"] == 0
    services.dataset_parse(dataset_id=body["id"])
    answer = api(cast["lab"]).get(f"/api/v1/datasets/{body['id']}/").json()
    assert answer["parse_status"] == "rejected"
    assert "no header row" in answer["parse_error"].lower() or answer["parse_error"]
    media = Path(settings.MEDIA_ROOT)
    assert not [p for p in media.rglob("*") if p.is_file()]  # the bytes are gone


def test_a_good_sheet_is_stored_with_its_hash(api, cast, submission, settings):
    import hashlib

    content = sample_sheet("weight_loss")
    response = _post(api, cast["lab"], submission, "weight_loss", content)
    assert response.status_code == 201
    body = response.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["row_count"] == 3
    assert body["file_format"] == "csv"
    dataset = Dataset.objects.get()
    assert dataset.file.read() == content


def test_evidence_cannot_be_added_after_submission(api, cast, submission, settings):
    upload_all(submission, cast["lab"])
    services.submission_submit(user=cast["maker"], submission=submission)
    media = Path(settings.MEDIA_ROOT)
    files = sorted(media.rglob("*"))
    uploads = AuditEvent.objects.filter(action="dataset.uploaded").count()
    response = _post(api, cast["lab"], submission, "weight_loss", sample_sheet("weight_loss"))
    assert response.status_code == 409
    assert Dataset.objects.count() == 4
    assert sorted(media.rglob("*")) == files
    assert AuditEvent.objects.filter(action="dataset.uploaded").count() == uploads


def test_a_sheet_with_a_future_test_date_is_refused_with_its_row(api, cast, submission, settings):
    sheet = sample_sheet("weight_loss", test_date="2099-01-01")
    response = _post(api, cast["lab"], submission, "weight_loss", sheet)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(e["row"], e["column"]) for e in errors} >= {(2, "test_date")}
    assert "future date" in errors[0]["message"]
    assert _nothing_stored(settings)


def test_a_physically_impossible_value_is_refused_with_its_row_and_the_rule_set(
    api, cast, submission, settings
):
    # A 1e-300 g cell would give any energy density a pass; rule set v2 bounds every column.
    sheet = (
        b"sample_id,discharge_energy_wh,cell_mass_g,temperature_c,discharge_current_a,test_date\n"
        b"ED-1,52.5,350,25,16.7,2026-09-01\n"
        b"ED-2,52.5,1e-300,25,16.7,2026-09-01\n"
    )
    response = _post(api, cast["lab"], submission, "energy_density", sheet)
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert (error["row"], error["column"]) == (3, "cell_mass_g")
    assert "outside the physically possible range 0.1 to 100000" in error["message"]
    assert "gbt-ssb-2026 v3" in error["message"]  # the newest version in force
    assert _nothing_stored(settings)


def test_an_impossible_value_below_comment_lines_is_named_by_the_line_the_file_shows(
    api, cast, submission, settings
):
    # The downloaded templates start with comment lines (the rule set's conditions): a value's
    # line counts them, as a text editor or spreadsheet does.
    sheet = (
        b"# Conditions: see the template\n# Accepted values: yes/no\n"
        b"sample_id,discharge_energy_wh,cell_mass_g,temperature_c,discharge_current_a,test_date\n"
        b"ED-1,52.5,350,25,16.7,2026-09-01\n"
        b"ED-2,52.5,1e-300,25,16.7,2026-09-01\n"
    )
    response = _post(api, cast["lab"], submission, "energy_density", sheet)
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert (error["row"], error["column"]) == (5, "cell_mass_g")
    assert _nothing_stored(settings)
