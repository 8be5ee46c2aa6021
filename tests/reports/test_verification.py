"""Public verification: one number, many numbers, the CSV upload, the pages, and rate limits.

A certificate that existed is never "not found"; a number never issued and a string that is no
number at all are each told apart, with a 404 and a 400, never a 500.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from reports import services, verification
from reports.models import Certificate
from tests.reports.conftest import make_many_certificates

pytestmark = pytest.mark.django_db

ROLES = ["maker", "other_maker", "lab", "other_lab", "reviewer", "automaker", "regulator", None]
C = Certificate.Status


def _change(user, certificate, status, reason, capture):
    with capture(execute=True):
        services.certificate_change_status(
            user=user, certificate=certificate, new_status=status, reason=reason
        )
    certificate.refresh_from_db()
    return certificate


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"verify": "1000/min", "verify_bulk": "1000/min", **rates},
    }


@pytest.fixture(autouse=True)
def _quiet_notifications(eager_celery):
    # Status changes enqueue notify_watchers; with nobody watching it does nothing, in-process.
    pass


# --- one number, through the API --------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_anyone_verifies_a_valid_certificate(api, cast, certificate, role):
    response = api(cast.get(role)).get(f"/api/v1/verify/{certificate.number}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == certificate.number
    assert body["status"] == "valid" and body["is_valid"] is True
    assert body["holder"] == {"name": "Qingdao Solid Cells"}
    assert body["product"]["model_number"] == "QS-21700-SSB"
    assert body["product"]["classification_code"] == "SSB-ASSB-S-HE"
    assert body["determined_class"]["name_zh"] == "全固态电池"
    assert body["permitted_labels"] == {"en": ["all-solid-state battery"], "zh": ["全固态电池"]}
    assert body["ruleset"]["standard_id"] == "GB/T 43568-2026"
    assert body["issued_on"] == timezone.localdate().isoformat()
    assert body["expires_on"] == certificate.expires_on.isoformat()
    assert body["statement"].startswith("Valid: issued on")
    assert body["verification_url"].endswith(f"/verify/{certificate.number}")
    assert "criteria" not in body and "reviewers" not in body
    assert response["Cache-Control"] == "no-store"


def test_it_answers_with_one_query(api, certificate, django_assert_num_queries):
    client = api(None)
    with django_assert_num_queries(1):
        assert client.get(f"/api/v1/verify/{certificate.number}/").status_code == 200


@pytest.mark.parametrize(
    "typed",
    ["{n}", "{n_lower}", "  {n}  ", "ＳＳＢ－２０２６－{serial_fw}"],
    ids=["exact", "lower-case", "spaces", "full-width"],
)
def test_it_accepts_the_number_as_people_type_it(api, new_certificate, typed):
    certificate = new_certificate(number="SSB-2026-000042")
    raw = typed.format(
        n=certificate.number, n_lower=certificate.number.lower(), serial_fw="００００４２"
    )
    response = api(None).post("/api/v1/verify/", {"numbers": [raw]}, format="json")
    assert response.json()["results"][0]["number"] == "SSB-2026-000042"


@pytest.mark.parametrize(
    "given",
    ["hello", "SSB-26-000001", "SSB-2026-12345", "XYZ-2026-000001", "SSB-2026-0000011",
     "<script>", "'; DROP TABLE x;--", "SSB-2026-٠٠٠٠٠١", "x" * 300],
)  # fmt: skip
def test_a_malformed_number_is_a_clear_400(api, given):
    response = api(None).get(f"/api/v1/verify/{given}/")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "malformed_number"
    assert "is not a certificate number" in body["detail"]
    assert "look like SSB-" in body["detail"]
    assert body["errors"][0]["column"] == "number"
    assert len(body["detail"]) < 200  # a long input is not echoed in full


def test_a_well_formed_number_never_issued_is_a_404_that_says_so(api, certificate):
    response = api(None).get("/api/v1/verify/SSB-2026-999999/")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "never_issued"
    assert "SSB-2026-999999 has ever been issued" in body["detail"]
    assert "not genuine" in body["detail"]  # a forged QR number is refused in words


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_reason_written_as_a_sentence_reads_as_one(
    api, cast, certificate, django_capture_on_commit_callbacks, language
):
    _change(
        cast["reviewer"],
        certificate,
        C.SUSPENDED,
        "Audit pending.",
        django_capture_on_commit_callbacks,
    )
    body = (
        api(None).get(f"/api/v1/verify/{certificate.number}/", HTTP_ACCEPT_LANGUAGE=language).json()
    )
    assert "pending.." not in body["statement"] and "pending.。" not in body["statement"]
    assert body["status_reason"] == "Audit pending."  # as written


def test_a_revoked_certificate_says_when_and_why(
    api, cast, certificate, django_capture_on_commit_callbacks
):
    _change(
        cast["reviewer"],
        certificate,
        C.REVOKED,
        "falsified cycling data",
        django_capture_on_commit_callbacks,
    )
    response = api(None).get(f"/api/v1/verify/{certificate.number}/")
    assert response.status_code == 200
    body = response.json()
    day = timezone.localdate(certificate.status_changed_at).isoformat()
    assert body["status"] == "revoked" and body["is_valid"] is False
    assert f"revoked on {day}, because falsified cycling data" in body["statement"]
    assert body["status_reason"] == "falsified cycling data"
    assert body["status_changed_on"] == day
    assert body["holder"]["name"] == "Qingdao Solid Cells"  # still says what it was


def test_suspension_and_reinstatement_read_live(
    api, cast, certificate, django_capture_on_commit_callbacks
):
    _change(
        cast["reviewer"],
        certificate,
        C.SUSPENDED,
        "lab audit pending",
        django_capture_on_commit_callbacks,
    )
    body = api(None).get(f"/api/v1/verify/{certificate.number}/").json()
    assert body["status"] == "suspended"
    assert "Suspended on" in body["statement"] and "lab audit pending" in body["statement"]
    _change(
        cast["reviewer"], certificate, C.VALID, "audit passed", django_capture_on_commit_callbacks
    )
    body = api(None).get(f"/api/v1/verify/{certificate.number}/").json()
    assert body["status"] == "valid" and body["status_reason"] == ""


def test_a_withdrawn_certificate_says_when_and_why(
    api, cast, certificate, django_capture_on_commit_callbacks
):
    _change(
        cast["maker"],
        certificate,
        C.WITHDRAWN,
        "model discontinued",
        django_capture_on_commit_callbacks,
    )
    body = api(None).get(f"/api/v1/verify/{certificate.number}/").json()
    assert body["status"] == "withdrawn"
    assert "withdrawn on" in body["statement"] and "because model discontinued" in body["statement"]


def test_a_superseded_certificate_names_its_successor(
    api, certificate, new_certificate, django_capture_on_commit_callbacks
):
    newer = new_certificate()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        # Supersession is the system's own move at issue; this is the path certificate_issue takes.
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        services._change(locked, C.SUPERSEDED, actor=None, reason=f"superseded by {newer.number}",
                         superseded_by=newer)  # fmt: skip
    body = api(None).get(f"/api/v1/verify/{certificate.number}/").json()
    assert body["status"] == "superseded"
    assert body["superseded_by"] == newer.number
    assert f"by certificate {newer.number}" in body["statement"]


def test_a_certificate_past_its_expiry_reads_expired_before_the_task_runs(api, new_certificate):
    today = timezone.localdate()
    lapsed = new_certificate(
        issued_on=today - dt.timedelta(days=400), expires_on=today - dt.timedelta(days=1)
    )
    suspended = new_certificate(
        issued_on=today - dt.timedelta(days=400), expires_on=today - dt.timedelta(days=1),
        status=C.SUSPENDED, status_reason="audit", status_changed_at=timezone.now(),
    )  # fmt: skip
    last_day = new_certificate(issued_on=today - dt.timedelta(days=400), expires_on=today)
    for certificate in (lapsed, suspended):
        body = api(None).get(f"/api/v1/verify/{certificate.number}/").json()
        assert body["status"] == "expired", certificate
        assert f"validity ended on {certificate.expires_on.isoformat()}" in body["statement"]
        assert Certificate.objects.get(pk=certificate.pk).status != C.EXPIRED  # nothing written
    assert api(None).get(f"/api/v1/verify/{last_day.number}/").json()["status"] == "valid"


def test_the_answer_is_translated(api, certificate):
    response = api(None).get(
        f"/api/v1/verify/{certificate.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"


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
    _change(cast["reviewer"], revoked, C.REVOKED, "unsafe", django_capture_on_commit_callbacks)
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


# --- rate limits ------------------------------------------------------------------------------


def test_single_verification_is_rate_limited_per_client(api, settings, certificate):
    _rates(settings, verify="3/min")
    client = api(None)
    url = f"/api/v1/verify/{certificate.number}/"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(url)
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert "Too many verification requests" in body["detail"]
    assert "bulk check" in body["detail"] and "Try again in" in body["detail"]
    assert int(response["Retry-After"]) >= 1
    # Another client address has its own budget; so does the bulk check.
    assert client.get(url, REMOTE_ADDR="10.0.0.2").status_code == 200
    assert (
        client.post("/api/v1/verify/", {"numbers": [certificate.number]}, format="json").status_code
        == 200
    )


def test_the_limit_also_holds_without_redis(api, settings, certificate):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _rates(settings, verify="2/min")
    client = api(None)
    url = f"/api/v1/verify/{certificate.number}/"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]


def test_a_bulk_of_1000_counts_once(api, settings, product, orgs, cast):
    _rates(settings, verify="2/min", verify_bulk="2/min")
    numbers = make_many_certificates(product, orgs["lab"], cast["maker"], 1000)
    client = api(None)
    for _ in range(2):
        response = client.post("/api/v1/verify/", {"numbers": numbers}, format="json")
        assert response.status_code == 200
        assert len(response.json()["results"]) == 1000
    response = client.post("/api/v1/verify/", {"numbers": numbers}, format="json")
    assert response.status_code == 429
    assert "Too many verification requests" in response.json()["detail"]


def test_the_pages_share_the_limits(settings, certificate):
    _rates(settings, verify="2/min")
    client = Client()
    url = f"/verify/{certificate.number}"
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    response = client.get(url)
    assert response.status_code == 429
    assert "Too many verification requests" in response.content.decode()
    assert response["Retry-After"]


# --- pages ------------------------------------------------------------------------------------


def _page_client(cast, role) -> Client:
    client = Client()
    if role is not None:
        client.force_login(cast[role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_anyone_opens_the_verification_pages(cast, certificate, role):
    client = _page_client(cast, role)
    page = client.get("/verify/")
    assert page.status_code == 200
    assert 'name="number"' in page.content.decode() and 'type="file"' in page.content.decode()
    page = client.get(f"/verify/{certificate.number}")
    assert page.status_code == 200
    html = page.content.decode()
    assert certificate.number in html and "Qingdao Solid Cells" in html
    assert "QS-21700-SSB" in html and "全固态电池" in html and "GB/T 43568-2026" in html
    assert ("Watch this certificate" in html) == (role == "automaker")


def test_the_number_form_leads_to_the_certificate(client, certificate):
    response = client.get("/verify/", {"number": f" {certificate.number.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{certificate.number}"
    assert client.get(f"/verify/{certificate.number}/").status_code == 200  # trailing slash too


def test_the_pages_say_revoked_never_issued_and_malformed(
    client, cast, certificate, django_capture_on_commit_callbacks
):
    _change(
        cast["reviewer"],
        certificate,
        C.REVOKED,
        "counterfeit cells found",
        django_capture_on_commit_callbacks,
    )
    page = client.get(f"/verify/{certificate.number}")
    assert page.status_code == 200
    assert (
        "revoked on" in page.content.decode()
        and "because counterfeit cells found" in page.content.decode()
    )
    page = client.get("/verify/SSB-2026-777777")
    assert page.status_code == 404
    assert "has ever been issued" in page.content.decode()
    page = client.get("/verify/not-a-number")
    assert page.status_code == 400
    assert "is not a certificate number" in page.content.decode()
    assert client.get("/verify/", {"number": "a/b"}).status_code == 400


def test_the_superseded_page_links_the_successor(
    client, certificate, new_certificate, django_capture_on_commit_callbacks
):
    newer = new_certificate()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        services._change(locked, C.SUPERSEDED, actor=None, reason="newer", superseded_by=newer)
    html = client.get(f"/verify/{certificate.number}").content.decode()
    assert f'href="/verify/{newer.number}"' in html


def test_the_pages_speak_chinese(client, certificate):
    page = client.get(f"/verify/{certificate.number}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert '<html lang="zh-hans">' in page.content.decode()


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


# --- the selectors, directly ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "ok"),
    [("SSB-2026-000001", True), ("SSB-1999-123456", True), ("SSB-2026-00001", False),
     ("SSB2026000001", False), ("ssb-2026-000001", False), ("SSB-2026-000001 ", False)],
)  # fmt: skip
def test_the_number_format(number, ok):
    assert verification.is_well_formed(number) is ok


def test_live_status_table():
    today = dt.date(2026, 5, 1)
    past, now_, later = today - dt.timedelta(days=1), today, today + dt.timedelta(days=1)
    assert verification.live_status("valid", past, today) == "expired"
    assert verification.live_status("suspended", past, today) == "expired"
    assert verification.live_status("valid", now_, today) == "valid"
    assert verification.live_status("valid", later, today) == "valid"
    for final in ("revoked", "withdrawn", "superseded", "expired"):
        assert verification.live_status(final, past, today) == final


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
def test_today_turns_at_local_midnight(settings, monkeypatch, zone):
    settings.TIME_ZONE = zone
    midnight = dt.datetime(2026, 5, 2, tzinfo=ZoneInfo(zone)).timestamp()
    for at, day in [(midnight - 1, dt.date(2026, 5, 1)), (midnight, dt.date(2026, 5, 2))]:
        monkeypatch.setattr(verification.time, "time", lambda at=at: at)
        assert verification.today() == day
    monkeypatch.undo()
    assert verification.today() == timezone.localdate()


def test_the_example_uses_the_configured_prefix(settings):
    settings.CERTIFICATE_NUMBER_PREFIX = "CQC"
    assert verification.example_number().startswith("CQC-")
    assert verification.is_well_formed("CQC-2026-000001")
    assert not verification.is_well_formed("SSB-2026-000001")


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(api, settings, certificate):
    # With no proxy configured (NUM_PROXIES=0) the client address is the connection's own.
    _rates(settings, verify="2/min")
    client = api(None)
    url = f"/api/v1/verify/{certificate.number}/"
    answers = [client.get(url, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(3)]
    assert answers == [200, 200, 429]
