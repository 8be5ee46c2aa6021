"""The register's searches use an index, never a scan of the certificate table: EXPLAIN of the
queries ``reports.register.search`` sends, with the settings it sends them under
(``search.time_budget``), on the seeded register (a few thousand rows, analysed)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.db import connection

from reports.models import Certificate
from reports.register import params, search
from reports.verification import lookup

pytestmark = pytest.mark.django_db


def plan(sql: str, values: list, q: params.RegisterQuery | None = None) -> dict:
    with search.time_budget(q), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", values)
        return cursor.fetchone()[0][0]["Plan"]


def nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from nodes(child)


def scans(sql: str, values: list, q=None) -> list[tuple[str, str | None]]:
    found = plan(sql, values, q)
    return [(n["Node Type"], n.get("Index Name")) for n in nodes(found) if "Scan" in n["Node Type"]]


def query(text: str) -> params.RegisterQuery:
    return params.parse({k: [v] for k, v in (p.split("=", 1) for p in text.split("&"))})


SEARCHES = [
    "q=pouch",
    "q=Ningde",
    "q=宁德",  # two characters: refused (see test_bad_input); three below
    "q=固态电池",
    "q=SP120",
    "q=cell+Ah",
    "q=sulfide&class=all_solid_state&status=valid",
    "q=oxide&sort=-holder&page=3",
    "q=prismatic&issued_from=2024-01-01&sort=model",
    "q=Osaka+Denchi&label=true&family=polymer&sort=expires",
]


@pytest.mark.parametrize("text", [s for s in SEARCHES if s != "q=宁德"])
def test_a_search_reads_the_trigram_index_never_the_whole_table(seeded, text):
    today = lookup.today()
    q = query(text)
    for sql, values in (
        search.page_sql(q, today=today),
        search.count_sql(q, today=today, cap=params.DEPTH_MAX),
    ):
        found = scans(sql, values, q)
        assert ("Seq Scan", None) not in found, (text, json.dumps(plan(sql, values, q), indent=1))
        assert any(index for _node, index in found), found


def test_the_trigram_index_answers_a_search_word(seeded):
    q = query("q=pouch")
    found = scans(*search.count_sql(q, today=lookup.today(), cap=params.DEPTH_MAX), q)
    assert ("Bitmap Index Scan", "register_text_trgm") in found


def test_a_rare_word_takes_the_trigram_index_even_unprompted(seeded):
    # Without the register's settings, PostgreSQL's own choice for a selective word: a model
    # number that one certificate alone carries (the seeder draws models at random, and a
    # superseded certificate shares its successor's, so the first one is not always rare).
    counts = Counter(c["product"]["model_number"] for c in Certificate.objects.values_list(
        "content", flat=True))  # fmt: skip
    model = min(counts, key=lambda m: (counts[m], m))
    assert counts[model] == 1
    q = query(f"q={model}")
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"
    sql, values = search.count_sql(q, today=lookup.today(), cap=params.DEPTH_MAX)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", values)
        found = [n.get("Index Name") for n in nodes(cursor.fetchone()[0][0]["Plan"])]
    assert "register_text_trgm" in found


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("-issued", "portfolio_certificate_issued"),
        ("holder", "register_holder_sort"),
        ("-model", "register_model_sort"),
        ("expires", "register_expires_sort"),
        ("number", "reports_certificate_number_key"),
    ],
)
def test_a_page_of_the_whole_register_is_read_in_index_order(seeded, sort, index):
    q = query(f"sort={sort}&page=4")
    found = scans(*search.page_sql(q, today=lookup.today()), q)
    assert found and found[0][1] is not None, found
    assert any(name == index or (name or "").startswith(index) for _n, name in found), found
