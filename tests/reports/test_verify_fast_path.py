"""The verification hot path (reports/middleware.py) answers exactly as the DRF view behind it
would: same bodies, statuses and headers that matter, same limits, same language, and it leaves
every other request alone."""

from __future__ import annotations

import pytest
from django.test import Client

from reports.middleware import VerifyFastPathMiddleware

pytestmark = pytest.mark.django_db

FAST_PATH = "reports.middleware.VerifyFastPathMiddleware"


@pytest.fixture
def without_fast_path(settings):
    """A client whose requests take the portal's usual way, through the DRF view."""

    def make() -> Client:
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != FAST_PATH]
        return Client()

    return make


@pytest.fixture
def spy(monkeypatch):
    """Counts the requests the fast path answers."""
    answered = []
    answer = VerifyFastPathMiddleware._answer

    def counting(self, request, number):
        answered.append(number)
        return answer(self, request, number)

    monkeypatch.setattr(VerifyFastPathMiddleware, "_answer", counting)
    return answered


def _get(client: Client, number: str, **headers):
    return client.get(f"/api/v1/verify/{number}/", **headers)


@pytest.mark.parametrize(
    "number",
    ["{valid}", "ssb－2026－{serial}", "SSB-2026-999999", "not-a-number", "SSB-26-1"],
    ids=["found", "typed", "never_issued", "malformed", "short"],
)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_it_answers_as_the_drf_view_does(certificate, without_fast_path, spy, number, language):
    number = number.format(valid=certificate.number, serial=certificate.number[-6:])
    fast = _get(Client(), number, HTTP_ACCEPT_LANGUAGE=language)
    assert spy == [number]
    usual = _get(without_fast_path(), number, HTTP_ACCEPT_LANGUAGE=language)
    assert len(spy) == 1
    assert (fast.status_code, fast.json()) == (usual.status_code, usual.json())
    for header in (
        "Content-Type",
        "Cache-Control",
        "Content-Language",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ):
        assert fast[header] == usual[header], header
    assert "Accept-Language" in fast["Vary"]
    assert not fast.cookies


def test_the_language_cookie_is_honoured(client, certificate, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = _get(client, certificate.number)
    assert response["Content-Language"] == "zh-hans"
    assert response.json()["status_display"] == "有效"
    assert "Cookie" in response["Vary"]


def test_the_limits_are_the_same(settings, certificate, without_fast_path):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"verify": "3/min", "verify_bulk": "3/min"},
    }
    fast, usual = Client(), without_fast_path()
    # One budget per client, whichever way the request is served.
    answers = [_get(c, certificate.number).status_code for c in (fast, usual, fast, usual)]
    assert answers == [200, 200, 200, 429]
    refused = _get(fast, certificate.number)
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert "Too many verification requests" in refused.json()["detail"]
    assert int(refused["Retry-After"]) >= 1
    assert refused["Cache-Control"] == "no-store"


def test_an_unknown_host_is_refused(certificate, settings):
    settings.ALLOWED_HOSTS = ["portal.example"]
    response = _get(Client(), certificate.number, HTTP_HOST="evil.example")
    assert response.status_code == 400


def test_other_requests_take_the_usual_way(api, certificate, spy):
    url = f"/api/v1/verify/{certificate.number}/"
    client = api(None)
    assert client.head(url).status_code == 200
    assert client.options(url).status_code == 200
    assert client.post(url, {}, format="json").status_code == 405
    assert client.get(f"/api/v1/verify/{certificate.number}").status_code in (301, 404)
    assert client.get(f"/api/v1/verify/{certificate.number}/extra/").status_code == 404
    assert spy == []


def test_the_page_is_not_served_here(client, certificate, spy):
    response = client.get(f"/verify/{certificate.number}")
    assert response.status_code == 200 and "text/html" in response["Content-Type"]
    assert spy == []


def test_the_openapi_schema_still_describes_it(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/verify/{number}/"]["get"]
    assert set(operation["responses"]) >= {"200", "400", "404", "429"}
