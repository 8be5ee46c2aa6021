"""The public register at scale (issue 9): searches of several shapes over 100,000 certificates,
each beside a bare `SELECT count(*)` of the same table in the same run.

    .venv/bin/python bench/register.py [--certificates 100000] [--repeat 7] [--reuse] [--keep]

Needs PostgreSQL (and Redis for the rate-limit counters, as `make test`); uses its own database
`ssb_bench_register`, created, filled with `manage.py seed_register` and dropped here (`--keep`
leaves it, `--reuse` measures one left before). Requests go through the whole Django stack in
process (middleware, the view, the query, JSON or the template), anonymous, with the rate limit
raised out of the way. For each shape it prints the median and the slowest of `--repeat` runs
after a warm-up, for the API page and the HTML page, and the scans PostgreSQL chose (EXPLAIN of
the page's count, under the register's own settings). Goal: every page under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = os.environ.get("BENCH_REGISTER_DB", "ssb_bench_register")
from benchdb import SERVER_URL, admin_sql, close_connections, median_ms, setup_django  # noqa: E402

os.environ.update(
    DATABASE_URL=f"{SERVER_URL}/{DB_NAME}",
    DJANGO_SETTINGS_MODULE="portal.settings",
    ALLOWED_HOSTS="testserver,localhost",
)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("PORTAL_VAR_DIR", "/tmp/ssb-bench-register")
GOAL_MS = 100.0


def _shapes() -> dict[str, str]:
    """Query strings of the shapes a visitor sends: a word of a holder, a model number, a name,
    Chinese, several words, filters, sorts and deep pages."""
    from reports.models import Certificate

    sample = Certificate.objects.order_by("id")[Certificate.objects.count() // 2]
    model = sample.content["product"]["model_number"]
    return {
        "whole register, newest first": "",
        "whole register, page 200 (offset 4,975)": "page=200",
        "whole register, by holder Z-A, page 50": "sort=-holder&page=50",
        "one model number": f"q={model}",
        "holder word 'Osaka' (~3 %)": "q=Osaka",
        "common word 'cell' (~70 %)": "q=cell",
        "common word 'cell', by model, page 40": "q=cell&sort=model&page=40",
        "Chinese '固态电池'": "q=固态电池",
        "two words 'Ningde Energy', by expiry": "q=Ningde+Energy&sort=-expires",
        "word + class + status + sort": "q=pouch&class=all_solid_state&status=valid&sort=holder",
        "filters only: oxide, no label, suspended": "family=oxide&label=false&status=suspended",
        "filters only: status expired (live)": "status=expired&sort=expires",
        "one year of issue days, by model, page 5": (
            "issued_from=2025-01-01&issued_to=2025-12-31&sort=model&page=5"
        ),
    }


def _plan(query_string: str) -> str:
    from urllib.parse import parse_qs

    from django.db import connection

    from reports.register import params, search
    from reports.verification import lookup

    query = params.parse(parse_qs(query_string))
    sql, values = search.count_sql(query, today=lookup.today(), cap=params.DEPTH_MAX)
    with search.time_budget(query), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", values)
        plan = cursor.fetchone()[0][0]["Plan"]
    found = []

    def walk(node):
        if "Scan" in node["Node Type"]:
            found.append(
                f"{node['Node Type']}{' ' + node['Index Name'] if 'Index Name' in node else ''}"
            )
        for child in node.get("Plans", []):
            walk(child)

    walk(plan)
    return "; ".join(dict.fromkeys(found))


def measure(repeat: int) -> float:
    from django.db import connection
    from django.test import Client

    client = Client()

    def count():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM reports_certificate")
            return cursor.fetchone()[0]

    def ok(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return response

    rows = count()
    base, base_max = median_ms(count, repeat)
    print(f"  {'what':<58} {'median':>9} {'max':>9}")
    label = f"  baseline: SELECT count(*) FROM reports_certificate ({rows} rows)"  # noqa: S608
    print(label.ljust(60) + f"{base:7.1f} ms {base_max:7.1f} ms")
    worst = 0.0
    for label, query in _shapes().items():
        matches = ok(f"/api/v1/register/?{query}").json()
        found = f"{matches['count']:,}{'+' if matches['count_capped'] else ''}"
        print(f"  {label} [{found} found]")
        for kind, url in (("API ", f"/api/v1/register/?{query}"),
                          ("page", f"/register/?{query}")):  # fmt: skip
            median, top = median_ms(lambda u=url: ok(u), repeat)
            worst = max(worst, median)
            print(f"    {kind}".ljust(60) + f"{median:7.1f} ms {top:7.1f} ms")
        print(f"    plan of the count: {_plan(query)}")
    from reports.models import Certificate

    number = Certificate.objects.filter(status="suspended").order_by("id").first().number
    for kind, url in (("API ", f"/api/v1/register/{number}/"), ("page", f"/register/{number}/")):
        median, top = median_ms(lambda u=url: ok(u), repeat)
        worst = max(worst, median)
        print(f"  {kind} one certificate's entry (with its history)".ljust(60)
              + f"{median:7.1f} ms {top:7.1f} ms")  # fmt: skip
    for file_format in ("csv", "json"):
        started = time.perf_counter()
        response = ok(f"/api/v1/register/export.{file_format}?sort=holder")
        size = sum(len(chunk) for chunk in response.streaming_content)
        elapsed = time.perf_counter() - started
        print(f"  download, {file_format.upper()}, first 10,000 rows by holder (anonymous cap): "
              f"{size / 1e6:.1f} MB in {elapsed:.2f} s, truncated: "
              f"{response['X-Register-Truncated']}")  # fmt: skip
    verdict = "MET" if worst < GOAL_MS else "NOT MET"
    print(f"  slowest page: {worst:.1f} ms   goal < {GOAL_MS:.0f} ms: {verdict}")
    return worst


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--certificates", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="measure the database left before")
    parser.add_argument("--keep", action="store_true", help="leave the database for --reuse")
    args = parser.parse_args()
    if not args.reuse:
        admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        admin_sql(f"CREATE DATABASE {DB_NAME}")
    try:
        setup_django()
        from django.core.management import call_command
        from django.test.utils import override_settings

        if not args.reuse:
            call_command("migrate", verbosity=0)
            call_command("load_rulesets", verbosity=0)
            started = time.perf_counter()
            call_command("seed_register", certificates=args.certificates)
            print(f"  seed_register: {time.perf_counter() - started:.1f} s")
        from django.conf import settings

        rates = {"register": "1000000/min", "register_export": "1000000/min"}
        framework = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}), **rates}}  # fmt: skip
        with override_settings(REST_FRAMEWORK=framework):
            print(f"Register searches (in process, anonymous; median of {args.repeat} after a "
                  "warm-up)")  # fmt: skip
            measure(args.repeat)
    finally:
        close_connections()
        if not args.keep and not args.reuse:
            admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
