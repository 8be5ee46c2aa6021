"""Public verification of many numbers: the bulk API (up to 1,000 numbers, one query) and the
CSV upload on the verification page, answered line by line."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.models import Certificate
from tests.reports.conftest import change_status, make_many_certificates

pytestmark = pytest.mark.django_db

C = Certificate.Status


@pytest.fixture(autouse=True)
def _quiet_notifications(eager_celery):
    # Status changes enqueue notify_watchers; with nobody watching it does nothing, in-process.
    pass


# --- many numbers, through the API ------------------------------------------------------------


def test_a_bulk_of_1000_is_answered_line_by_line_in_one_query(
    api, product, orgs, cast, django_assert_num_queries
):
    numbers = make_many_certificates(product, orgs["lab"], cast["maker"], 998)
    numbers += ["SSB-2026-999999", "not a number"]
    client = api(None)
    with django_assert_num_queries(1):
        response = client.post("/api/v1/verify/", {"numbers": numbers}, format="json")
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert body["count"] == 1000
    assert body["summary"] == {"valid": 998, "never_issued": 1, "malformed": 1}
    assert [r["line"] for r in body["results"]] == list(range(1, 1001))
    assert body["results"][0]["certificate"]["number"] == numbers[0]
    assert body["results"][998]["outcome"] == "never_issued"
    assert body["results"][999]["outcome"] == "malformed"
    assert body["results"][999]["number"] is None


def test_bulk_answers_every_kind_of_line(
    api, cast, certificate, new_certificate, django_capture_on_commit_callbacks
):
    revoked = new_certificate()
    change_status(
        cast["reviewer"], revoked, C.REVOKED, "unsafe", django_capture_on_commit_callbacks
    )
    numbers = [certificate.number, revoked.number.lower(), "SSB-2026-888888", "", 12345, None,
               certificate.number]  # fmt: skip
    body = (
        api(cast["automaker"]).post("/api/v1/verify/", {"numbers": numbers}, format="json").json()
    )
    outcomes = [(r["line"], r["outcome"], r["status"]) for r in body["results"]]
    assert outcomes == [
        (1, "found", "valid"), (2, "found", "revoked"), (3, "never_issued", None),
        (4, "malformed", None), (5, "malformed", None), (6, "malformed", None),
        (7, "found", "valid"),
    ]  # fmt: skip
    assert "revoked on" in body["results"][1]["message"]
    assert body["results"][3]["message"].startswith("Enter a certificate number")
    assert body["results"][4]["input"] == "12345"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"numbers": "SSB-2026-000001"}, "list of certificate numbers"),
        ({"number": ["SSB-2026-000001"]}, "list of certificate numbers"),
        (["SSB-2026-000001"], "list of certificate numbers"),
        ({"numbers": []}, "empty"),
        ({"numbers": ["SSB-2026-000001"] * 1001}, "at most 1,000 numbers"),
    ],
    ids=["string", "wrong-key", "bare-list", "empty", "1001"],
)
def test_bad_bulk_requests_are_400_with_a_message(api, payload, message):
    response = api(None).post("/api/v1/verify/", payload, format="json")
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_bulk_refuses_what_is_not_json(api):
    client = api(None)
    assert (
        client.post("/api/v1/verify/", "{not json", content_type="application/json").status_code
        == 400
    )
    assert client.post("/api/v1/verify/", {"numbers": "x"}).status_code == 415  # multipart


# --- CSV upload on the page --------------------------------------------------------------------


def _upload(client, content: bytes, name="numbers.csv"):
    return client.post("/verify/", {"file": SimpleUploadedFile(name, content, "text/csv")})


def test_a_csv_upload_is_answered_line_by_line(
    client, cast, certificate, django_capture_on_commit_callbacks
):
    text = f"certificate number\n{certificate.number}\n\nSSB-2026-555555\nbanana\n{certificate.number.lower()},extra\n"
    response = _upload(client, text.encode())
    assert response.status_code == 200
    answer = response.context["answer"]
    assert [(r["line"], r["outcome"]) for r in answer["results"]] == [
        (2, "found"), (4, "never_issued"), (5, "malformed"), (6, "found"),
    ]  # fmt: skip
    html = response.content.decode()
    assert "numbers.csv: 4 lines checked" in html and "Never issued" in html


def test_a_csv_from_excel_in_a_chinese_locale_is_read(client, certificate):
    text = f"证书编号\r\n{certificate.number}\r\n"
    response = _upload(client, text.encode("gb18030"))
    assert response.status_code == 200
    assert response.context["answer"]["results"][0]["outcome"] == "found"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        (b"number\n\n\n", "no certificate numbers"),
        (b"\n".join([b"SSB-2026-000001"] * 1001), "check at most 1,000 at once"),
        (b"x" * (300 * 1024), "too large"),
    ],
    ids=["binary", "empty", "1001-lines", "huge"],
)
def test_a_bad_csv_gets_a_clear_message(client, content, message):
    response = _upload(client, content)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_uploading_nothing_is_a_form_error(client):
    response = client.post("/verify/", {})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
