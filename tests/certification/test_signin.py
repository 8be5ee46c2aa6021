"""Failed sign-ins are limited per account and per address, on the login page and at the
token endpoint: after the limit even the right password waits, with a clear message and an
audit event; a success clears the account's count; the lock lapses after its window."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from certification.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "not the password"


def _page_sign_in(client, username, password, address="198.51.100.7"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def _token(api, username, password, address="198.51.100.7"):
    return api(None).post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def test_the_page_refuses_the_right_password_after_five_wrong_ones(client, cast, settings):
    for _ in range(settings.SIGNIN_MAX_FAILURES_PER_ACCOUNT):
        assert _page_sign_in(client, "maker", WRONG).status_code == 200
    response = _page_sign_in(client, "maker", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="signin.locked")
    assert event.detail["username"] == "maker" and event.detail["by"] == ["account"]
    assert event.actor_organisation_id == cast["maker"].organisation_id


def test_the_token_endpoint_answers_429_with_the_wait(api, cast, settings):
    for _ in range(settings.SIGNIN_MAX_FAILURES_PER_ACCOUNT):
        assert _token(api, "lab", WRONG).status_code == 400
    response = _token(api, "lab", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    assert "token" not in response.json()


def test_page_and_api_share_one_count(client, api, cast, settings):
    for _ in range(settings.SIGNIN_MAX_FAILURES_PER_ACCOUNT - 1):
        _page_sign_in(client, "reviewer", WRONG)
    assert _token(api, "reviewer", WRONG).status_code == 400
    assert _token(api, "reviewer", PASSWORD).status_code == 429


def test_other_accounts_from_another_address_are_not_locked(client, api, cast, settings):
    for _ in range(settings.SIGNIN_MAX_FAILURES_PER_ACCOUNT):
        _token(api, "maker", WRONG)
    assert _token(api, "lab", PASSWORD, address="203.0.113.9").status_code == 200


def test_one_address_trying_many_accounts_is_locked(api, cast, settings):
    settings.SIGNIN_MAX_FAILURES_PER_ADDRESS = 6
    for n in range(6):
        _token(api, f"nobody{n}", WRONG, address="192.0.2.66")
    assert _token(api, "maker", PASSWORD, address="192.0.2.66").status_code == 429
    assert _token(api, "maker", PASSWORD, address="192.0.2.67").status_code == 200
    assert AuditEvent.objects.get(action="signin.locked").detail["by"] == ["address"]


def test_a_success_clears_the_account_count(api, cast, settings):
    for _ in range(settings.SIGNIN_MAX_FAILURES_PER_ACCOUNT - 1):
        _token(api, "maker", WRONG)
    assert _token(api, "maker", PASSWORD).status_code == 200
    for _ in range(settings.SIGNIN_MAX_FAILURES_PER_ACCOUNT - 1):
        _token(api, "maker", WRONG)
    assert _token(api, "maker", PASSWORD).status_code == 200


def test_the_lock_lapses_with_its_window(api, cast, settings):
    for _ in range(settings.SIGNIN_MAX_FAILURES_PER_ACCOUNT):
        _token(api, "maker", WRONG)
    assert _token(api, "maker", PASSWORD).status_code == 429
    cache.clear()  # what the window's expiry does
    assert _token(api, "maker", PASSWORD).status_code == 200


def test_the_message_reads_in_chinese(client, cast, settings):
    for _ in range(settings.SIGNIN_MAX_FAILURES_PER_ACCOUNT):
        _page_sign_in(client, "maker", WRONG)
    response = client.post(
        "/login/",
        {"username": "maker", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "登录失败次数过多" in response.content.decode()
