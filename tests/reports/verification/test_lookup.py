"""Public verification of one number: the API's answer for every status, and the lookup's own
rules (the number format, the live status, the local day).

A certificate that existed is never "not found"; a number never issued and a string that is no
number at all are each told apart, with a 404 and a 400, never a 500.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from reports import services
from reports.models import Certificate
from reports.verification import lookup
from tests.reports.conftest import change_status

pytestmark = pytest.mark.django_db

ROLES = ["maker", "other_maker", "lab", "other_lab", "reviewer", "automaker", "regulator", None]
C = Certificate.Status


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
    change_status(
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
    change_status(
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
    change_status(
        cast["reviewer"],
        certificate,
        C.SUSPENDED,
        "lab audit pending",
        django_capture_on_commit_callbacks,
    )
    body = api(None).get(f"/api/v1/verify/{certificate.number}/").json()
    assert body["status"] == "suspended"
    assert "Suspended on" in body["statement"] and "lab audit pending" in body["statement"]
    change_status(
        cast["reviewer"], certificate, C.VALID, "audit passed", django_capture_on_commit_callbacks
    )
    body = api(None).get(f"/api/v1/verify/{certificate.number}/").json()
    assert body["status"] == "valid" and body["status_reason"] == ""


def test_a_withdrawn_certificate_says_when_and_why(
    api, cast, certificate, django_capture_on_commit_callbacks
):
    change_status(
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


# --- the selectors, directly ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "ok"),
    [("SSB-2026-000001", True), ("SSB-1999-123456", True), ("SSB-2026-00001", False),
     ("SSB2026000001", False), ("ssb-2026-000001", False), ("SSB-2026-000001 ", False)],
)  # fmt: skip
def test_the_number_format(number, ok):
    assert lookup.is_well_formed(number) is ok


def test_live_status_table():
    today = dt.date(2026, 5, 1)
    past, now_, later = today - dt.timedelta(days=1), today, today + dt.timedelta(days=1)
    assert lookup.live_status("valid", past, today) == "expired"
    assert lookup.live_status("suspended", past, today) == "expired"
    assert lookup.live_status("valid", now_, today) == "valid"
    assert lookup.live_status("valid", later, today) == "valid"
    for final in ("revoked", "withdrawn", "superseded", "expired"):
        assert lookup.live_status(final, past, today) == final


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
def test_today_turns_at_local_midnight(settings, monkeypatch, zone):
    settings.TIME_ZONE = zone
    midnight = dt.datetime(2026, 5, 2, tzinfo=ZoneInfo(zone)).timestamp()
    for at, day in [(midnight - 1, dt.date(2026, 5, 1)), (midnight, dt.date(2026, 5, 2))]:
        monkeypatch.setattr(lookup.time, "time", lambda at=at: at)
        assert lookup.today() == day
    monkeypatch.undo()
    assert lookup.today() == timezone.localdate()


def test_the_example_uses_the_configured_prefix(settings):
    settings.CERTIFICATE_NUMBER_PREFIX = "CQC"
    assert lookup.example_number().startswith("CQC-")
    assert lookup.is_well_formed("CQC-2026-000001")
    assert not lookup.is_well_formed("SSB-2026-000001")


def test_the_hot_path_loads_nothing_of_bulk_files_or_signing():
    # The lookup answers GET /api/v1/verify/<number>/ and is loaded on its own: no DRF, no CSV,
    # no signing keys (cryptography), no PDF, and not the other verification modules.
    code = (
        "import django, sys; django.setup(); before = set(sys.modules); "
        "import reports.verification.lookup; print(*sorted(set(sys.modules) - before))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    loaded = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    heavy = {"rest_framework", "cryptography", "weasyprint", "csv"}
    ours = {"reports.signing", "reports.verification.bulk", "reports.verification.document_check"}
    assert [m for m in loaded if m.split(".")[0] in heavy or m in ours] == []
    assert "reports.verification.lookup" in loaded
