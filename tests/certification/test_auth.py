"""A signed-in user comes with its organisation in the same query, by session and by token, and
is refused exactly when Django's and DRF's own classes refuse it."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification.auth import OrganisationModelBackend, TokenAuthentication
from certification.models import User
from tests.conftest import PASSWORD, make_user, token_key

pytestmark = pytest.mark.django_db

OURS = "certification.auth.OrganisationModelBackend"
PLAIN = "django.contrib.auth.backends.ModelBackend"


def organisation_reads(queries) -> list[str]:
    """The queries that fetch an organisation on its own (not joined to its user)."""
    return [q["sql"] for q in queries if 'FROM "certification_organisation"' in q["sql"]]


def test_a_page_costs_one_query_less_than_with_the_plain_backend(client, cast, settings):
    settings.AUTHENTICATION_BACKENDS = [OURS, PLAIN]  # the plain one only to compare

    def queries(backend: str):
        client.force_login(cast["automaker"], backend=backend)
        client.get("/webhooks/")  # sessions, translations and the like are loaded once
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/webhooks/")
        assert response.status_code == 200
        assert response.wsgi_request.user == cast["automaker"]
        return captured.captured_queries

    plain, ours = queries(PLAIN), queries(OURS)
    assert len(ours) == len(plain) - 1
    assert len(organisation_reads(plain)) == 1
    assert organisation_reads(ours) == []


def test_the_session_user_comes_with_its_organisation(cast, django_assert_num_queries):
    backend = OrganisationModelBackend()
    with django_assert_num_queries(1):
        user = backend.get_user(cast["regulator"].pk)
        assert user.organisation.name == "SAMR"
    with django_assert_num_queries(1):
        user = async_to_sync(backend.aget_user)(cast["regulator"].pk)
        assert user.organisation.name == "SAMR"


def test_the_session_backend_refuses_whom_the_plain_one_refuses(cast):
    backend = OrganisationModelBackend()
    assert backend.get_user(0) is None
    User.objects.filter(pk=cast["maker"].pk).update(is_active=False)
    assert backend.get_user(cast["maker"].pk) is None
    assert async_to_sync(backend.aget_user)(cast["maker"].pk) is None


def test_a_user_without_an_organisation_still_signs_in(client, db):
    make_user("staff", None, is_staff=True)
    assert client.login(username="staff", password=PASSWORD)
    user = client.get("/").wsgi_request.user
    assert user.username == "staff" and user.organisation is None
    assert client.session["_auth_user_backend"] == OURS


def test_an_api_call_reads_the_token_user_and_organisation_in_one_query(
    api, cast, django_assert_num_queries
):
    key = token_key(cast["automaker"])
    TokenAuthentication().authenticate_credentials(key)  # the first use records last_used_at
    with django_assert_num_queries(1):
        user, _ = TokenAuthentication().authenticate_credentials(key)
        assert user.organisation.name == "Great Wall Motors"

    client = api(cast["automaker"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/webhooks/")
    assert response.status_code == 200
    assert organisation_reads(captured.captured_queries) == []


def test_the_token_class_refuses_what_the_plain_one_refuses(api, cast):
    anonymous = api(None)
    anonymous.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = anonymous.get("/api/v1/webhooks/")
    assert response.status_code == 401
    assert "Invalid token." in response.content.decode()

    client = api(cast["automaker"])
    User.objects.filter(pk=cast["automaker"].pk).update(is_active=False)
    response = client.get("/api/v1/webhooks/")
    assert response.status_code == 401
    assert "User inactive or deleted." in response.content.decode()
