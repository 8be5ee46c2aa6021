"""The automakers' webhook page, from every member of the cast, anonymous and another automaker:
only automakers list, add, deactivate and delete their own endpoints; the secret is shown once."""

from __future__ import annotations

import pytest
from django.test import Client

from certification.models import Organisation
from reports import webhooks
from reports.models import WebhookEndpoint
from tests.conftest import make_org, make_user
from tests.web.reviewing import ANON, USERS, as_user

pytestmark = pytest.mark.django_db

HOOK = "https://hooks.greatwall.example/ssb"


@pytest.fixture(autouse=True)
def _public_hosts(monkeypatch):
    # No DNS in tests: every host name resolves to a public address.
    monkeypatch.setattr(webhooks, "host_addresses", lambda host: ["93.184.215.14"])


@pytest.fixture
def rival(orgs):
    """A user of another automaker."""
    return make_user("rival", make_org("Other Motors", Organisation.Kind.AUTOMAKER))


@pytest.fixture
def endpoint(cast) -> WebhookEndpoint:
    endpoint, _secret = webhooks.webhook_create(user=cast["automaker"], url=HOOK)
    return endpoint


def _html(response) -> str:
    return response.content.decode()


def _refused(response, user: str) -> None:
    if user == ANON:
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    else:
        assert response.status_code == 403, response.content[:500]


def test_an_automaker_adds_a_webhook_and_sees_the_secret_once(client: Client, cast):
    client.force_login(cast["automaker"])
    assert "No webhooks yet." in _html(client.get("/webhooks/"))
    response = client.post("/webhooks/", {"url": HOOK})
    assert response.status_code == 201, response.content[:2000]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.organisation == cast["automaker"].organisation and endpoint.active
    html = _html(response)
    assert 'id="webhook-secret"' in html and endpoint.secret in html
    assert "Store this secret now" in html
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    listing = _html(client.get("/webhooks/"))
    assert HOOK in listing and endpoint.secret not in listing
    assert f'data-webhook="{endpoint.pk}"' in listing


def test_a_bad_address_is_explained(client: Client, cast):
    client.force_login(cast["automaker"])
    response = client.post("/webhooks/", {"url": "ftp://files.example/h"})
    assert response.status_code == 400
    assert "http:// or https://" in _html(response)
    assert not WebhookEndpoint.objects.exists()


def test_an_automaker_deactivates_reactivates_and_deletes(client: Client, cast, endpoint):
    client.force_login(cast["automaker"])
    response = client.post(f"/webhooks/{endpoint.pk}/active/", {"active": "0"})
    assert response.status_code == 302 and response["Location"] == "/webhooks/"
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert "Deactivated" in _html(client.get("/webhooks/"))
    client.post(f"/webhooks/{endpoint.pk}/active/", {"active": "1"})
    endpoint.refresh_from_db()
    assert endpoint.active
    response = client.post(f"/webhooks/{endpoint.pk}/delete/")
    assert response.status_code == 302
    assert not WebhookEndpoint.objects.exists()


def test_the_watchlist_links_to_the_webhooks(client: Client, cast):
    client.force_login(cast["automaker"])
    assert 'href="/webhooks/"' in _html(client.get("/watchlist/"))


@pytest.mark.parametrize("user", [u for u in (*USERS, ANON) if u != "automaker"])
def test_only_automakers_have_the_webhook_page(client: Client, cast, endpoint, user):
    as_user(client, cast, user)
    _refused(client.get("/webhooks/"), user)
    _refused(client.post("/webhooks/", {"url": "https://b.example/h"}), user)
    _refused(client.post(f"/webhooks/{endpoint.pk}/active/", {"active": "0"}), user)
    _refused(client.post(f"/webhooks/{endpoint.pk}/delete/"), user)
    endpoint.refresh_from_db()
    assert endpoint.active and WebhookEndpoint.objects.count() == 1


def test_the_automaker_gets_the_page(client: Client, cast, endpoint):
    client.force_login(cast["automaker"])
    response = client.get("/webhooks/")
    assert response.status_code == 200 and HOOK in _html(response)


def test_another_automaker_never_sees_or_changes_the_webhooks(client: Client, endpoint, rival):
    client.force_login(rival)
    html = _html(client.get("/webhooks/"))
    assert HOOK not in html and "No webhooks yet." in html
    assert client.post(f"/webhooks/{endpoint.pk}/active/", {"active": "0"}).status_code == 404
    assert client.post(f"/webhooks/{endpoint.pk}/delete/").status_code == 404
    endpoint.refresh_from_db()
    assert endpoint.active
    response = client.post("/webhooks/", {"url": "https://hooks.other.example/h"})
    assert response.status_code == 201
    assert WebhookEndpoint.objects.get(organisation=rival.organisation).url.startswith(
        "https://hooks.other"
    )


def test_the_pages_only_take_posts_to_change(client: Client, cast, endpoint):
    client.force_login(cast["automaker"])
    assert client.get(f"/webhooks/{endpoint.pk}/delete/").status_code == 405
    assert client.get(f"/webhooks/{endpoint.pk}/active/").status_code == 405
