"""Verification is rate-limited per client address, in the API and on the pages alike; a bulk
check counts once."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.reports.conftest import make_many_certificates

pytestmark = pytest.mark.django_db


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"verify": "1000/min", "verify_bulk": "1000/min", **rates},
    }


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


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(api, settings, certificate):
    # With no proxy configured (NUM_PROXIES=0) the client address is the connection's own.
    _rates(settings, verify="2/min")
    client = api(None)
    url = f"/api/v1/verify/{certificate.number}/"
    answers = [client.get(url, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(3)]
    assert answers == [200, 200, 429]
