"""API tokens are named, stored as a hash, expire and can be revoked; changing one's password
(Django's validators apply) revokes them all. Page and API, for every role and anonymous."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from certification.models import ApiToken, AuditEvent
from certification.tokens import key_digest
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ROLES = ["maker", "lab", "reviewer", "automaker", "regulator"]
NEW = "a quite different passphrase 42"


def _sign_in(api, username, **extra):
    return api(None).post(
        "/api/v1/auth/token/", {"username": username, "password": PASSWORD, **extra}, format="json"
    )


def _with(api, key):
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize("role", ROLES)
def test_signing_in_gives_a_named_expiring_token_kept_only_as_a_hash(api, cast, role, settings):
    response = _sign_in(api, role, name="ERP connector")
    assert response.status_code == 200, response.content
    body = response.json()
    key = body["token"]
    assert key.startswith("ssb_") and body["name"] == "ERP connector"
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert abs(
        expires - timezone.now() - dt.timedelta(days=settings.API_TOKEN_DAYS)
    ) < dt.timedelta(minutes=1)
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.key_sha256 == key_digest(key) and key not in str(stored.__dict__)
    assert _with(api, key).get("/api/v1/submissions/").status_code == 200
    assert AuditEvent.objects.filter(action="token.issued", actor=cast[role]).exists()


def test_an_expired_or_revoked_token_is_refused(api, cast):
    key = _sign_in(api, "maker").json()["token"]
    ApiToken.objects.filter(key_sha256=key_digest(key)).update(expires_at=timezone.now())
    assert _with(api, key).get("/api/v1/products/").status_code == 401
    other = _sign_in(api, "maker").json()
    assert (
        _with(api, other["token"]).delete(f"/api/v1/auth/tokens/{other['id']}/").status_code == 204
    )
    assert _with(api, other["token"]).get("/api/v1/products/").status_code == 401
    assert AuditEvent.objects.filter(action="token.revoked").count() == 1


def test_each_user_lists_and_revokes_only_their_own_tokens(api, cast):
    mine = _sign_in(api, "maker", name="mine").json()
    theirs = _sign_in(api, "other_maker", name="theirs").json()
    listed = _with(api, mine["token"]).get("/api/v1/auth/tokens/").json()
    assert [t["name"] for t in listed] == ["mine"] and "token" not in listed[0]
    refused = _with(api, mine["token"]).delete(f"/api/v1/auth/tokens/{theirs['id']}/")
    assert refused.status_code == 404
    assert _with(api, theirs["token"]).get("/api/v1/products/").status_code == 200


def test_a_signed_in_user_makes_another_named_token(api, cast):
    made = api(cast["lab"]).post("/api/v1/auth/tokens/", {"name": "LIMS"}, format="json")
    assert made.status_code == 201 and made.json()["name"] == "LIMS"
    assert _with(api, made.json()["token"]).get("/api/v1/submissions/").status_code == 200


def test_anonymous_has_no_token_list(api):
    assert api(None).get("/api/v1/auth/tokens/").status_code == 401
    assert api(None).post("/api/v1/auth/password/", {}).status_code == 401


def test_a_password_change_revokes_every_token(api, cast):
    first = _sign_in(api, "reviewer").json()["token"]
    second = _sign_in(api, "reviewer").json()["token"]
    response = _with(api, first).post(
        "/api/v1/auth/password/",
        {"old_password": PASSWORD, "new_password": NEW},
        format="json",
    )
    assert response.status_code == 200 and response.json()["tokens_revoked"] == 2
    assert _with(api, first).get("/api/v1/products/").status_code == 401
    assert _with(api, second).get("/api/v1/products/").status_code == 401
    cast["reviewer"].refresh_from_db()
    assert cast["reviewer"].check_password(NEW)
    assert AuditEvent.objects.filter(action="password.changed", actor=cast["reviewer"]).exists()


@pytest.mark.parametrize(
    ("old", "new", "column", "words"),
    [
        ("wrong", NEW, "old_password", "current password is not right"),
        (PASSWORD, "short", "new_password", "too short"),
        (PASSWORD, "12345678901", "new_password", "entirely numeric"),
        (PASSWORD, "password123", "new_password", "too common"),
    ],
)
def test_a_wrong_or_weak_password_is_refused_and_nothing_changes(
    api, cast, old, new, column, words
):
    key = _sign_in(api, "lab").json()["token"]
    response = _with(api, key).post(
        "/api/v1/auth/password/", {"old_password": old, "new_password": new}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert any(e["column"] == column and words in e["message"] for e in body["errors"]), body
    cast["lab"].refresh_from_db()
    assert cast["lab"].check_password(PASSWORD)
    assert _with(api, key).get("/api/v1/products/").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_the_account_page_shows_a_new_key_once_and_revokes(client, cast, role):
    client.force_login(cast[role])
    assert client.get("/account/").status_code == 200
    made = client.post("/account/tokens/", {"name": "spreadsheet"})
    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    html = made.content.decode()
    key = re.search(r'id="new-token-key">(ssb_[^<]+)<', html).group(1)
    assert "shown only this once" in html
    token = ApiToken.objects.get(user=cast[role], name="spreadsheet")
    assert token.key_sha256 == key_digest(key)
    assert key not in client.get("/account/").content.decode()
    client.post(f"/account/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_another_users_token_on_the_page(client, cast):
    token = ApiToken.objects.get(pk=_sign_in_page_token(cast["maker"]))
    client.force_login(cast["other_maker"])
    response = client.post(f"/account/tokens/{token.pk}/revoke/", follow=True)
    assert "You have no such token." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def _sign_in_page_token(user) -> int:
    from certification.tokens import token_issue

    return token_issue(user=user, name="kept")[0].pk


def test_the_page_changes_the_password_keeps_the_session_and_revokes_tokens(client, api, cast):
    key = _sign_in(api, "automaker").json()["token"]
    client.force_login(cast["automaker"])
    response = client.post(
        "/account/", {"old_password": PASSWORD, "new_password": NEW}, follow=True
    )
    assert "1 API token(s) were revoked" in response.content.decode()
    assert client.get("/account/").status_code == 200  # still signed in
    assert _with(api, key).get("/api/v1/webhooks/").status_code == 401


def test_the_page_refuses_a_weak_password_beside_the_field(client, cast):
    client.force_login(cast["maker"])
    response = client.post("/account/", {"old_password": PASSWORD, "new_password": "password"})
    assert response.status_code == 400
    assert "too common" in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    for path in ("/account/",):
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post("/account/tokens/").status_code == 302
