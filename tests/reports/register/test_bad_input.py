"""Bad input to the register: too long, malformed, injected, unknown. Each is a 400 in the API's
one error shape and on the page, with a message that names what is wrong; never a 500, never a
slow query, and nothing is written."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from reports.models import Certificate, CertificateEvent
from reports.register import search
from reports.register.params import RegisterQuery

pytestmark = pytest.mark.django_db
API = "/api/v1/register/"

BAD = [
    # (query string, the parameter named, words of the message)
    ("q=" + "a" * 101, "q", "too long: at most 100 characters"),
    ("q=" + "a" * 401, "q", "too long: at most 100 characters"),
    ("q=ab", "q", "at least three letters or digits in a row"),
    ("q=a+b+c+d", "q", "at least three letters or digits in a row"),
    ("q=%25%25%25", "q", "at least three letters or digits in a row"),  # %%%: LIKE wildcards
    ("q=___", "q", "at least three letters or digits in a row"),
    ("q=.*%2B(a|b)", "q", "at least three letters or digits in a row"),  # a regex
    ("q=🔋🔋🔋", "q", "at least three letters or digits in a row"),
    ("q=abc%00def", "q", "control or unassigned character (U+0000)"),  # NUL
    ("q=abc%1Bdef", "q", "control or unassigned character (U+001B)"),  # ESC
    ("q=abc%EE%80%80", "q", "control or unassigned character (U+E000)"),  # private use
    ("q=abc%CD%B8", "q", "control or unassigned character (U+0378)"),  # unassigned
    ("q=abc%FF%FE", "q", "not UTF-8"),  # bytes that decode to nothing
    ("q=" + "+".join(f"w{i:02d}x" for i in range(9)), "q", "at most 8 words"),
    ("class=solid", "class", "“solid” is not a value of class"),
    ("class=liquid%27%20OR%201=1--", "class", "is not a value of class"),
    ("family=SULFIDE", "family", "is not a value of family"),
    ("status=valid,revoked", "status", "is not a value of status"),
    ("label=yes", "label", "is not a value of label"),
    ("sort=id", "sort", "“id” is not a value of sort"),
    ("sort=issued_at;DROP TABLE reports_certificate", "sort", "is not a value of sort"),
    ("sort=-register_text", "sort", "is not a value of sort"),
    ("page=0", "page", "not a whole number from 1 to 400"),
    ("page=-1", "page", "not a whole number from 1 to 400"),
    ("page=1e3", "page", "not a whole number"),
    ("page=²", "page", "not a whole number"),
    ("page=١", "page", "not a whole number"),  # an Arabic-Indic one
    ("page=99999999999999999999999", "page", "Pages reach the first 10,000 certificates"),
    ("page=401", "page", "first 10,000 certificates of a list (page 400 at 25 a page)"),
    ("page=101&page_size=100", "page", "(page 100 at 100 a page)"),
    ("page_size=0", "page_size", "not a whole number from 1 to 100"),
    ("page_size=101", "page_size", "not a whole number from 1 to 100"),
    ("page_size=ten", "page_size", "not a whole number from 1 to 100"),
    ("issued_from=2026-13-01", "issued_from", "is not a date; write it as YYYY-MM-DD"),
    ("issued_from=20260101", "issued_from", "is not a date"),
    ("issued_to=yesterday", "issued_to", "is not a date"),
    ("issued_from=0001-01-01", "issued_from", "between the years 1900 and 2999"),
    ("issued_to=9999-12-31", "issued_to", "between the years 1900 and 2999"),
    ("issued_from=2026-05-02&issued_to=2026-05-01", "issued_to", "last issue date is before"),
    ("holder=acme", "holder", "Unknown parameter “holder”"),
    ("q=abc&q=def", "q", "Give q once"),
]


@pytest.mark.parametrize(("query", "column", "words"), BAD, ids=[b[0][:40] for b in BAD])
def test_the_api_refuses_it_with_a_400_that_names_it(client, query, column, words):
    response = client.get(f"{API}?{query}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_query"
    assert words in body["detail"]
    assert [e["column"] for e in body["errors"]] == [column]


@pytest.mark.parametrize(("query", "column", "words"), BAD, ids=[b[0][:40] for b in BAD])
def test_the_page_refuses_it_with_a_400_and_the_form(client, query, column, words):
    response = client.get(f"/register/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="register-error"' in html and 'id="register-filters"' in html
    assert words.replace("“", "&ldquo;") in html or words in html


@pytest.mark.parametrize(("path", "accept"), [("export.csv", "text/csv"), ("export.json", "*/*")])
def test_the_downloads_refuse_it_as_json_before_any_row(client, path, accept):
    response = client.get(f"{API}{path}?q=%00abc", HTTP_ACCEPT=accept)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "U+0000" in response.json()["detail"]
    # Paging belongs to the list: a download has no pages.
    response = client.get(f"{API}{path}?page=2")
    assert response.status_code == 400
    assert "Unknown parameter “page”" in response.json()["detail"]


def test_several_bad_values_are_named_together(client):
    response = client.get(f"{API}?class=x&sort=y&page=z")
    assert response.status_code == 400
    assert [e["column"] for e in response.json()["errors"]] == ["class", "sort", "page"]


def test_invisible_format_characters_are_dropped_not_refused(client, register):
    # A zero-width space and a right-to-left override, as copy and paste brings them.
    response = client.get(f"{API}?q=QS-217%E2%80%8B00%E2%80%AE")
    assert response.status_code == 200
    assert [r["number"] for r in response.json()["results"]] == [register.qingdao.number]


INJECTED = [
    "'; DROP TABLE reports_certificate; --",
    "qingdao' OR '1'='1",
    "qingdao\\",
    "\\%qingdao%",
    "$1 qingdao",
    "%(q)s qingdao",
    "qingdao) UNION SELECT content FROM reports_certificate --",
]


@pytest.mark.parametrize("term", INJECTED)
def test_injected_searches_are_plain_text_and_write_nothing(client, register, term):
    before = (Certificate.objects.count(), CertificateEvent.objects.count())
    response = client.get(API, {"q": term})
    assert response.status_code == 200
    assert response.json()["results"] == []  # no holder, model or name holds these words
    assert (Certificate.objects.count(), CertificateEvent.objects.count()) == before


def test_a_refused_search_writes_nothing(client, register):
    before = (Certificate.objects.count(), CertificateEvent.objects.count())
    for query, _column, _words in BAD:
        assert client.get(f"{API}?{query}").status_code == 400
    assert (Certificate.objects.count(), CertificateEvent.objects.count()) == before


def test_every_search_runs_under_the_time_budget(settings):
    settings.REGISTER_TIMEOUT_MS = 1234
    with search.time_budget(), connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "1234ms"
    with connection.cursor() as cursor:  # and only the search
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] != "1234ms"


def test_a_query_past_the_budget_is_cancelled_and_said_in_words(settings):
    settings.REGISTER_TIMEOUT_MS = 50
    started = time.perf_counter()
    with (
        pytest.raises(search.SearchTimedOut) as caught,
        search.time_budget(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT pg_sleep(5)")
    assert time.perf_counter() - started < 2
    assert "could not answer this search in time" in caught.value.message


def test_a_search_that_runs_out_of_time_is_a_503_not_a_500(client, settings):
    """Another session holds the table (as a long migration would): the register's query waits,
    PostgreSQL cancels it at the budget, and the client reads why."""
    settings.REGISTER_TIMEOUT_MS = 300
    db = settings.DATABASES["default"]
    dsn = connection.get_connection_params()
    with psycopg.connect(**dsn, autocommit=False) as other:
        other.execute("SET lock_timeout = '2s'")
        other.execute(f"LOCK TABLE {Certificate._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        started = time.perf_counter()
        response = client.get(f"{API}?q=qingdao")
        page = client.get("/register/?q=qingdao")
        other.rollback()
    assert db["ENGINE"].endswith("postgresql")
    assert time.perf_counter() - started < 3
    assert response.status_code == 503
    assert response.json()["code"] == "search_timeout"
    assert page.status_code == 503
    assert "could not answer this search in time" in page.content.decode()


def test_the_worst_searches_stay_fast_on_thousands_of_rows(client, seeded):
    """Broad, deep and refused searches over the seeded register, each well under the budget."""
    worst = [
        "q=seed",  # no such word: the index says so at once
        "q=cell",  # in most names
        "q=cell&sort=-holder&page=40",
        "q=R&class=liquid&sort=model",  # a short word alone is refused
        "q=sulfide+all-solid-state+cell+Ah+pouch&status=expired&sort=expires",
        "status=valid&sort=-model&page=100",
        "label=false&family=oxide&sort=holder&page_size=100&page=20",
        "issued_from=2024-01-01&issued_to=2024-12-31&sort=number",
        "q=%25%25%25",
    ]
    for query in worst:
        started = time.perf_counter()
        response = client.get(f"{API}?{query}")
        elapsed = time.perf_counter() - started
        assert response.status_code in (200, 400), (query, response.content)
        assert elapsed < 0.5, (query, elapsed)
    assert seeded >= 1200


def test_the_budget_is_a_setting_with_a_default():
    assert search.timeout_ms() == getattr(settings, "REGISTER_TIMEOUT_MS", 3000)
    assert RegisterQuery().sort == "-issued"


@pytest.mark.parametrize("path", ["/register/", API])
def test_a_flood_of_parameters_is_a_400(client, path):
    query = "&".join(f"p{i}=1" for i in range(1100))  # past DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert client.get(f"{path}?{query}").status_code == 400


def test_an_odd_parameter_name_is_named_harmlessly(client):
    response = client.get(f"{API}?q%00%0A<b>=1&{'x' * 5000}=2")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "Unknown parameter" in detail and len(detail) < 600
    assert "\x00" not in detail and "\n" not in detail


def test_a_huge_value_is_echoed_shortly(client):
    response = client.get(f"{API}?class={'x' * 10000}")
    assert response.status_code == 400
    assert len(response.json()["detail"]) < 300


def test_markup_in_a_search_is_shown_as_text(client, register):
    response = client.get("/register/", {"q": '<script>alert("register")</script>'})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script>alert("register")' not in html
    assert "&lt;script&gt;alert(&quot;register&quot;)" in html
