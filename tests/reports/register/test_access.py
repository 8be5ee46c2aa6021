"""The register is public: anonymous visitors and every role read the same pages, rows and files;
nobody writes through it."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
ROLES = [None, "maker", "other_maker", "lab", "reviewer", "automaker", "regulator"]


def _client(cast, role) -> Client:
    client = Client()
    if role is not None:
        client.force_login(cast[role])
    return client


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_everyone_reads_the_same_register(cast, register, role, api):
    anonymous = Client()
    client = _client(cast, role)
    number = register.hybrid.number
    for path in ("/api/v1/register/?q=cell", f"/api/v1/register/{number}/",
                 "/api/v1/register/export.json?sort=number"):  # fmt: skip
        mine, theirs = client.get(path), anonymous.get(path)
        assert mine.status_code == theirs.status_code == 200, path
        assert _body(mine) == _body(theirs), path
    # With an API token too.
    token_client = api(None if role is None else cast[role])
    assert (
        token_client.get("/api/v1/register/?q=cell").json()
        == anonymous.get("/api/v1/register/?q=cell").json()
    )
    for path in ("/register/?q=qingdao", f"/register/{number}/"):
        page = client.get(path)
        assert page.status_code == 200
        assert register.qingdao.number in page.content.decode() or number in page.content.decode()


@pytest.mark.parametrize("role", [None, "reviewer", "maker"], ids=lambda r: r or "anonymous")
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nobody_writes_through_the_register(cast, register, role, method):
    client = _client(cast, role)
    number = register.qingdao.number
    for path in ("/register/", f"/register/{number}/", "/api/v1/register/",
                 f"/api/v1/register/{number}/", "/api/v1/register/export.csv"):  # fmt: skip
        response = getattr(client, method)(path)
        assert response.status_code in (403, 405), (method, path, response.status_code)
    register.qingdao.refresh_from_db()
    assert register.qingdao.status == "valid"


def test_the_menu_links_the_register_for_anonymous_visitors_too(client, cast):
    assert 'href="/register/"' in client.get("/verify/").content.decode()
    client.force_login(cast["automaker"])
    assert 'href="/register/"' in client.get("/verify/").content.decode()


def test_head_answers_like_get(client, register):
    assert client.head("/register/?q=qingdao").status_code == 200
    assert client.head(f"/register/{register.qingdao.number}/").status_code == 200
