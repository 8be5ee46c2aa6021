"""The public verification pages: anyone opens them, and they say what the API says."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from reports import services
from reports.models import Certificate
from tests.reports.conftest import change_status

pytestmark = pytest.mark.django_db

ROLES = ["maker", "other_maker", "lab", "other_lab", "reviewer", "automaker", "regulator", None]
C = Certificate.Status


@pytest.fixture(autouse=True)
def _quiet_notifications(eager_celery):
    # Status changes enqueue notify_watchers; with nobody watching it does nothing, in-process.
    pass


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
    change_status(
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
