"""The register is rate-limited per client as verification is: a page and an API call count
against one budget; downloads against their own, lower one."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}),
            "register": "1000/min",
            "register_export": "1000/min",
            **rates,
        },
    }


def test_pages_and_api_share_one_budget_per_client(client, settings, register):
    _rates(settings, register="3/min")
    number = register.qingdao.number
    assert client.get("/api/v1/register/").status_code == 200
    assert client.get("/register/").status_code == 200
    assert client.get(f"/register/{number}/").status_code == 200
    api = client.get(f"/api/v1/register/{number}/")
    assert api.status_code == 429
    assert "Too many register requests" in api.json()["detail"]
    assert int(api["Retry-After"]) >= 1
    page = client.get("/register/?q=qingdao")
    assert page.status_code == 429
    assert "Too many register requests" in page.content.decode()
    assert int(page["Retry-After"]) >= 1
    # Another address has its own budget.
    assert client.get("/api/v1/register/", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_downloads_have_their_own_lower_budget(client, settings, register):
    _rates(settings, register_export="1/min")
    assert client.get("/api/v1/register/export.csv").status_code == 200
    refused = client.get("/api/v1/register/export.json")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert client.get("/api/v1/register/").status_code == 200


def test_the_default_rates_hold_without_settings(client, settings, register):
    settings.REST_FRAMEWORK = {
        key: value
        for key, value in settings.REST_FRAMEWORK.items()
        if key != "DEFAULT_THROTTLE_RATES"
    }
    from reports.register.throttle import DEFAULT_RATES

    assert DEFAULT_RATES == {"register": "120/min", "register_export": "10/min"}
    statuses = [client.get("/api/v1/register/export.json").status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
