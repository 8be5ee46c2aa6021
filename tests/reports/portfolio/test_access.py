"""Every portfolio route, page and API, from each role of the cast and anonymous: auditors
(regulator, the certification body's reviewers, a superuser) read it; anyone else signed in gets
404 on a page and 403 from the API (as from the audit log's API); anonymous is sent to sign in
(page) or gets 401 (API)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ROLES = ["maker", "other_maker", "lab", "other_lab", "reviewer", "reviewer2", "automaker",
         "regulator", None]  # fmt: skip
AUDITORS = {"reviewer", "reviewer2", "regulator"}
LISTS = ["submissions", "evaluations", "decisions", "certificates"]


def pages(world):
    return [
        reverse("portfolio"),
        reverse("portfolio-statistics"),
        reverse("portfolio-history", args=[world.certified.pk]),
        reverse("portfolio-certificate-history", args=[world.certificate.number]),
        *(reverse("portfolio-list", args=[name]) for name in LISTS),
    ]


def api_routes(world):
    return [
        reverse("api-portfolio-statistics"),
        reverse("api-portfolio-history", args=[world.certified.pk]),
        reverse("api-portfolio-certificate-history", args=[world.certificate.number]),
        *(reverse(f"api-portfolio-{name}") for name in LISTS),
        *(reverse(f"api-portfolio-{name}-{fmt}") for name in LISTS for fmt in ("csv", "json")),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_pages_from_each_role(client, cast, world, role):
    if role is not None:
        client.force_login(cast[role])
    for url in pages(world):
        response = client.get(url)
        if role is None:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url
        elif role in AUDITORS:
            assert response.status_code in (200, 302), url
        else:
            assert response.status_code == 404, url


@pytest.mark.parametrize("role", ROLES)
def test_api_from_each_role(api, cast, world, role):
    client = api(cast.get(role))
    for url in api_routes(world):
        response = client.get(url)
        expected = 401 if role is None else 200 if role in AUDITORS else 403
        assert response.status_code == expected, url
        if expected == 403:
            assert response.json()["code"] == "permission_denied"


def test_a_superuser_reads_it_and_an_inactive_regulator_does_not(client, api, orgs, world):
    root = make_user("root", None, is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get(reverse("portfolio-list", args=["submissions"])).status_code == 200
    assert api(root).get(reverse("api-portfolio-submissions")).status_code == 200
    gone = make_user("gone", orgs["regulator"], is_active=False)
    assert api(gone).get(reverse("api-portfolio-submissions")).status_code == 401


def test_the_menu_shows_the_portfolio_to_auditors_only(client, cast, world):
    link = f'href="{reverse("portfolio")}"'
    for role in ("regulator", "reviewer", "maker", "lab", "automaker"):
        client.force_login(cast[role])
        shown = link in client.get(reverse("dashboard")).content.decode()
        assert shown == (role in AUDITORS), role


def test_an_unknown_list_or_submission_is_a_404(client, api, cast, world):
    client.force_login(cast["regulator"])
    assert client.get("/portfolio/nonsense/").status_code == 404
    assert client.get(reverse("portfolio-history", args=[world.draft.pk])).status_code == 404
    regulator = api(cast["regulator"])
    for url in (
        reverse("api-portfolio-history", args=[world.draft.pk]),
        reverse("api-portfolio-history", args=[999999]),
        reverse("api-portfolio-certificate-history", args=["SSB-2026-000000"]),
    ):
        response = regulator.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
