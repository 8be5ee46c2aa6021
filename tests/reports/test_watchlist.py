"""Automakers' watchlists, through the API and the pages, from every role.

Only automakers keep them (others: 403, anonymous: 401 or the login page); an automaker never
sees or removes another automaker's entries (404).
"""

from __future__ import annotations

import pytest
from django.test import Client

from certification.models import Organisation
from reports import watchlist
from reports.models import Certificate, WatchedCertificate
from tests.conftest import make_org, make_user

pytestmark = pytest.mark.django_db

OTHERS = ["maker", "other_maker", "lab", "other_lab", "reviewer", "regulator"]


@pytest.fixture
def rival(orgs):
    """A user of another automaker."""
    return make_user("rival", make_org("Other Motors", Organisation.Kind.AUTOMAKER))


@pytest.fixture
def watched(cast, certificate) -> WatchedCertificate:
    entry, _ = watchlist.watch_add(user=cast["automaker"], number=certificate.number, note="pack A")
    return entry


# --- watchlist API ----------------------------------------------------------------------------


def test_an_automaker_adds_lists_and_removes(api, cast, certificate):
    client = api(cast["automaker"])
    response = client.post(
        "/api/v1/watchlist/", {"number": certificate.number.lower(), "note": "cells for EV-9"}
    )
    assert response.status_code == 201, response.content
    entry = response.json()
    assert entry["number"] == certificate.number and entry["note"] == "cells for EV-9"
    assert entry["certificate"]["status"] == "valid"
    again = client.post("/api/v1/watchlist/", {"number": certificate.number})
    assert again.status_code == 200 and again.json()["id"] == entry["id"]
    listing = client.get("/api/v1/watchlist/").json()
    assert listing["count"] == 1
    assert listing["results"][0]["certificate"]["holder"]["name"] == "Qingdao Solid Cells"
    assert client.get(f"/api/v1/watchlist/{entry['id']}/").json()["number"] == certificate.number
    assert client.delete(f"/api/v1/watchlist/{entry['id']}/").status_code == 204
    assert not WatchedCertificate.objects.exists()
    assert client.delete(f"/api/v1/watchlist/{entry['id']}/").status_code == 404


def test_the_watchlist_shows_live_status(
    api, cast, watched, certificate, django_capture_on_commit_callbacks, eager_celery
):
    from reports import services

    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_change_status(
            user=cast["reviewer"], certificate=certificate, new_status=Certificate.Status.REVOKED,
            reason="unsafe",
        )  # fmt: skip
    body = api(cast["automaker"]).get("/api/v1/watchlist/").json()
    assert body["results"][0]["certificate"]["status"] == "revoked"
    assert "revoked on" in body["results"][0]["certificate"]["statement"]


@pytest.mark.parametrize(
    ("number", "status", "code"),
    [("nonsense", 400, "malformed_number"), ("SSB-2026-999999", 404, "never_issued"),
     ("", 400, "invalid")],
)  # fmt: skip
def test_adding_a_bad_number_says_why(api, cast, number, status, code):
    response = api(cast["automaker"]).post("/api/v1/watchlist/", {"number": number})
    assert response.status_code == status
    assert response.json()["code"] == code
    assert not WatchedCertificate.objects.exists()


@pytest.mark.parametrize("role", OTHERS)
def test_only_automakers_keep_a_watchlist(api, cast, certificate, watched, role):
    client = api(cast[role])
    assert client.get("/api/v1/watchlist/").status_code == 403
    response = client.post("/api/v1/watchlist/", {"number": certificate.number})
    assert response.status_code == 403
    assert "Only automakers" in response.json()["detail"]
    assert client.get(f"/api/v1/watchlist/{watched.pk}/").status_code == 403
    assert client.delete(f"/api/v1/watchlist/{watched.pk}/").status_code == 403
    assert WatchedCertificate.objects.count() == 1


def test_anonymous_visitors_must_log_in_for_a_watchlist(api, watched):
    client = api(None)
    assert client.get("/api/v1/watchlist/").status_code == 401
    assert client.post("/api/v1/watchlist/", {"number": "SSB-2026-000001"}).status_code == 401
    assert client.delete(f"/api/v1/watchlist/{watched.pk}/").status_code == 401


def test_an_automaker_never_sees_another_automakers_watchlist(
    api, cast, rival, certificate, watched
):
    client = api(rival)
    assert client.get("/api/v1/watchlist/").json()["count"] == 0
    assert client.get(f"/api/v1/watchlist/{watched.pk}/").status_code == 404
    assert client.delete(f"/api/v1/watchlist/{watched.pk}/").status_code == 404
    # Watching the same certificate is the rival's own entry.
    assert client.post("/api/v1/watchlist/", {"number": certificate.number}).status_code == 201
    assert WatchedCertificate.objects.count() == 2
    assert api(cast["automaker"]).get("/api/v1/watchlist/").json()["count"] == 1


# --- watchlist pages --------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_an_automaker_uses_the_watchlist_page(cast, certificate):
    client = _client(cast["automaker"])
    page = client.get("/watchlist/")
    assert page.status_code == 200
    assert "No certificates on your watchlist yet." in page.content.decode()
    response = client.post("/watchlist/", {"number": certificate.number, "note": "pack B"})
    assert response.status_code == 302 and response["Location"] == "/watchlist/"
    html = client.get("/watchlist/").content.decode()
    assert certificate.number in html and "pack B" in html and "Valid" in html
    assert f"{certificate.number} is on your watchlist." in html
    entry = WatchedCertificate.objects.get()
    assert client.post(f"/watchlist/{entry.pk}/remove/").status_code == 302
    assert not WatchedCertificate.objects.exists()


def test_the_watchlist_page_explains_a_bad_number(cast):
    client = _client(cast["automaker"])
    response = client.post("/watchlist/", {"number": "SSB-2026-999999"})
    assert response.status_code == 400
    assert "has ever been issued" in response.content.decode()
    response = client.post("/watchlist/", {"number": "rubbish"})
    assert "is not a certificate number" in response.content.decode()


def test_the_verify_page_offers_to_watch(cast, certificate):
    client = _client(cast["automaker"])
    assert "Watch this certificate" in client.get(f"/verify/{certificate.number}").content.decode()
    client.post("/watchlist/", {"number": certificate.number})
    html = client.get(f"/verify/{certificate.number}").content.decode()
    assert "On your watchlist" in html and "Watch this certificate" not in html


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_get_403_on_the_watchlist_pages(cast, watched, role):
    client = _client(cast[role])
    assert client.get("/watchlist/").status_code == 403
    assert client.post("/watchlist/", {"number": watched.certificate.number}).status_code == 403
    assert client.post(f"/watchlist/{watched.pk}/remove/").status_code == 403
    assert WatchedCertificate.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(watched):
    client = Client()
    for response in (client.get("/watchlist/"), client.post(f"/watchlist/{watched.pk}/remove/")):
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert WatchedCertificate.objects.count() == 1


def test_another_automaker_cannot_remove_an_entry(rival, watched):
    client = _client(rival)
    assert client.post(f"/watchlist/{watched.pk}/remove/").status_code == 404
    assert watched.certificate.number not in client.get("/watchlist/").content.decode()
    assert WatchedCertificate.objects.count() == 1


def test_the_watchlist_page_speaks_chinese(cast, watched):
    page = _client(cast["automaker"]).get("/watchlist/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert '<html lang="zh-hans">' in page.content.decode()
