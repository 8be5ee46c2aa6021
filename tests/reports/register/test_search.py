"""The register's search, filters, sort and pages, through the API and the page, as anonymous."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.reports.register.conftest import REINSTATE_REASON

pytestmark = pytest.mark.django_db
API = "/api/v1/register/"


def numbers(client: Client, query: str = "", path: str = API) -> list[str]:
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


def test_it_lists_every_certificate_newest_first(client, register):
    expected = sorted(register.all(), key=lambda c: (c.issued_at, c.pk), reverse=True)
    assert numbers(client) == [c.number for c in expected]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("q=qingdao", ["qingdao", "lapsed"]),  # holder, case ignored
        ("q=21700", ["qingdao"]),  # part of a model number
        ("q=qs-21700-ssb", ["qingdao"]),  # the whole model number
        ("q=prismatic", ["hybrid"]),  # product name
        ("q=Other+pouch", ["revoked"]),  # every word must match
        ("q=宁德固态", ["chinese"]),  # Chinese, in the middle of a name
        ("q=ＱＳ－２１７００", ["qingdao"]),  # full-width, as a Chinese input method types it
        ("q=qs+4680", ["lapsed"]),  # a short word narrows what a long word found
        ("q=nothing-like-this", []),
    ],
)
def test_it_finds_certificates_by_holder_model_number_or_name(client, register, query, found):
    expected = {getattr(register, name).number for name in found}
    assert set(numbers(client, query)) == expected


def test_it_finds_a_certificate_by_its_number(client, register):
    assert numbers(client, f"q={register.chinese.number}") == [register.chinese.number]


def test_like_wildcards_in_a_search_are_matched_as_themselves(client, register):
    # "%" and "_" would match anything in a LIKE pattern; here they are plain characters.
    assert numbers(client, "q=qs_21700") == []
    assert numbers(client, "q=qs%2521700") == []  # qs%21700
    assert numbers(client, "q=QS-21700") == [register.qingdao.number]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("class=hybrid_solid_liquid", ["hybrid", "revoked"]),
        ("class=liquid", []),
        ("label=true", ["qingdao", "lapsed", "chinese", "formula"]),
        ("label=false", ["hybrid", "revoked"]),
        ("family=oxide", ["hybrid"]),
        ("family=sulfide&class=all_solid_state", ["qingdao", "lapsed", "chinese"]),
        ("issued_from=2025-03-01&issued_to=2025-03-01", ["chinese"]),
        ("issued_to=2025-02-28", ["lapsed"]),
    ],
)
def test_it_filters(client, register, query, found):
    expected = {getattr(register, name).number for name in found}
    assert set(numbers(client, query)) == expected


@pytest.mark.parametrize(
    ("status", "found"),
    [
        ("valid", ["qingdao", "chinese", "formula"]),
        ("suspended", ["hybrid"]),
        ("revoked", ["revoked"]),
        # Past its expiry date, though the hourly task has not yet written it: expired.
        ("expired", ["lapsed"]),
        ("withdrawn", []),
    ],
)
def test_the_status_filter_is_the_live_status(client, register, status, found):
    expected = {getattr(register, name).number for name in found}
    assert set(numbers(client, f"status={status}")) == expected


def test_no_suspended_revoked_or_lapsed_certificate_is_shown_as_valid(client, register):
    rows = {row["number"]: row for row in client.get(API).json()["results"]}
    assert rows[register.hybrid.number]["status"] == "suspended"
    assert rows[register.revoked.number]["status"] == "revoked"
    assert rows[register.lapsed.number]["status"] == "expired"
    valid = {number for number, row in rows.items() if row["status"] == "valid"}
    assert valid == {register.qingdao.number, register.chinese.number, register.formula.number}
    page = client.get("/register/?q=other").content.decode()
    assert page.count('class="badge badge-pass"') == 0


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("holder", lambda c: (c.content["holder"]["name"], c.pk)),
        ("model", lambda c: (c.content["product"]["model_number"], c.pk)),
        ("number", lambda c: c.number),
        ("expires", lambda c: (c.expires_on, c.pk)),
        ("issued", lambda c: (c.issued_at, c.pk)),
    ],
)
@pytest.mark.parametrize("descending", [False, True])
def test_it_sorts_by_each_whitelisted_key(client, register, sort, key, descending):
    expected = sorted(register.all(), key=key, reverse=descending)
    got = numbers(client, f"sort={'-' if descending else ''}{sort}")
    # Byte order (the database's C collation) for text: compare as PostgreSQL does.
    if sort in ("holder", "model"):
        expected = sorted(
            register.all(),
            key=lambda c: (key(c)[0].encode(), c.pk),
            reverse=descending,
        )
    assert got == [c.number for c in expected]


def test_pages_split_the_list_without_overlap(client, register):
    first = client.get(f"{API}?page_size=4").json()
    assert first["count"] == 6 and first["pages"] == 2 and not first["count_capped"]
    assert first["previous"] is None and "page=2" in first["next"]
    second = client.get(first["next"]).json()
    assert "page=" not in second["previous"] or "page=1" in second["previous"]
    assert second["next"] is None
    seen = [row["number"] for row in first["results"] + second["results"]]
    assert sorted(seen) == sorted(c.number for c in register.all())


def test_the_page_shows_the_rows_and_links_each_to_its_entry(client, register):
    response = client.get("/register/?q=qingdao&sort=model")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/register/{register.qingdao.number}/"' in html
    assert "QS-21700-SSB" in html and "QS-4680-OLD" in html
    assert "OC-PR120-HY" not in html
    assert 'href="/api/v1/register/export.csv?q=qingdao&amp;sort=model"' in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_page_is_in_both_languages(client, register):
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/register/?class=all_solid_state").content.decode()
    assert "全固态电池" in html  # the class, named by the one vocabulary
    client.cookies["django_language"] = "zh-hans"
    row = client.get(f"{API}?q=prismatic").json()["results"][0]
    assert row["determined_class"] == "hybrid_solid_liquid"  # codes stay codes
    assert row["determined_class_display"] == "混合固液电池"
    assert row["electrolyte_family_display"] == "氧化物"
    assert row["status_display"] == "已暂停"


def test_the_reason_a_certificate_was_reinstated_is_never_in_the_register(client, register):
    for path in ("/register/?q=prismatic", f"/register/{register.hybrid.number}/",
                 f"{API}?q=prismatic", f"{API}{register.hybrid.number}/",
                 "/api/v1/register/export.csv", "/api/v1/register/export.json"):  # fmt: skip
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert REINSTATE_REASON.encode() not in body, path


def test_a_list_longer_than_the_count_pages_on_while_pages_come_full(client, register, monkeypatch):
    from reports.register import search

    monkeypatch.setattr(search, "COUNT_CAP", 3)
    first = client.get(f"{API}?page_size=2").json()
    assert (first["count"], first["count_capped"], first["pages"]) == (3, True, None)
    third = client.get(f"{API}?page_size=2&page=3").json()
    assert len(third["results"]) == 2 and third["next"] is not None
    fourth = client.get(third["next"]).json()
    assert fourth["results"] == [] and fourth["next"] is None
    html = client.get("/register/?page_size=2&page=2").content.decode()
    assert "More than 3 certificates" in html and "Page 2" in html and "Page 2 of" not in html
