"""The regulator's portfolio at scale (issue 8), each figure beside a baseline of the same run.

    .venv/bin/python bench/portfolio.py [--evaluations 100000] [--events 1000000] [--repeat 5]
                                        [--reuse] [--keep]

Needs PostgreSQL (and Redis for the cache, as `make test`); uses its own database
`ssb_bench_portfolio`, created, filled with `manage.py seed_portfolio` and dropped here (`--keep`
leaves it, `--reuse` measures one left before). Requests go through the whole Django stack in
process (middleware, authentication, the view, the template or JSON), as a regulator. Goals:
  * each filtered list (API and page) and the statistics (page and API): under 300 ms;
    baseline: `SELECT count(*)` on the list's table; the statistics are measured both computed
    on every request and as served (kept a minute per set of filters);
  * a 100,000-row export streams with flat memory: its peak RSS beside the same process's after
    a 1,000-row export (both in a fresh child process).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "ssb_bench_portfolio"
from benchdb import SERVER_URL, admin_sql, close_connections, median_ms, setup_django  # noqa: E402

os.environ.update(
    DATABASE_URL=f"{SERVER_URL}/{DB_NAME}",
    DJANGO_SETTINGS_MODULE="portal.settings",
    ALLOWED_HOSTS="testserver,localhost",
)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("PORTAL_VAR_DIR", "/tmp/ssb-bench-portfolio")
GOAL_MS = 300.0
TABLES = {
    "submissions": "certification_submission",
    "evaluations": "certification_evaluation",
    "decisions": "certification_decision",
    "certificates": "reports_certificate",
}


def _regulator():
    from certification.models import User

    return User.objects.filter(
        username__startswith="seed-", username__endswith="-regulator"
    ).latest("id")


def _clients():
    from django.test import Client

    from certification.tokens import token_create

    regulator = _regulator()
    import datetime as dt

    from django.utils import timezone

    _token, key = token_create(
        user=regulator, name="bench", expires_at=timezone.now() + dt.timedelta(days=1)
    )
    page = Client()
    page.force_login(regulator)
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    return page, api


def _filters() -> dict[str, str]:
    """A realistic narrowing: one manufacturer, a claimed class, certifiable, one year."""
    from certification.models import Organisation

    maker = Organisation.objects.filter(name__startswith="Seed maker").order_by("id").first()
    return {
        "filtered": f"maker={maker.pk}&claimed_class=all_solid_state&outcome=certifiable"
        f"&from=2025-06-01&to=2026-05-31",
        "by lab, sorted by maker": "ordering=-maker&lab="
        + str(Organisation.objects.filter(name__startswith="Seed lab").order_by("id").first().pk),
        "unfiltered": "",
    }


def measure(repeat: int) -> None:
    from django.db import connection

    page, api = _clients()

    def count(table):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            return cursor.fetchone()[0]

    def ok(client, url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return response

    print(f"  {'what':<62} {'median':>9} {'max':>9}")
    worst = 0.0
    for name, table in TABLES.items():
        rows = count(table)
        base, base_max = median_ms(lambda t=table: count(t), repeat)
        label = f"  baseline: count(*) of {table} ({rows} rows)"
        print(label.ljust(64) + f"{base:7.1f} ms {base_max:7.1f} ms")
        for label, query in _filters().items():
            for kind, client, url in (
                ("API ", api, f"/api/v1/portfolio/{name}/?{query}"),
                ("page", page, f"/portfolio/{name}/?{query}"),
            ):
                median, top = median_ms(lambda c=client, u=url: ok(c, u), repeat)
                worst = max(worst, median)
                print(f"    {kind} {name}, {label}".ljust(64) + f"{median:7.1f} ms {top:7.1f} ms")
    from reports.portfolio import statistics

    kept_for = statistics.CACHE_SECONDS
    computed_worst = 0.0
    for cache_seconds, how in ((0, "computed each time"), (kept_for, "kept a minute")):
        statistics.CACHE_SECONDS = cache_seconds
        for label, query in _filters().items():
            if "sorted" in label:
                continue
            for kind, client, url in (
                ("API ", api, f"/api/v1/portfolio/statistics/?{query}"),
                ("page", page, f"/portfolio/statistics/?{query}"),
            ):
                median, top = median_ms(lambda c=client, u=url: ok(c, u), repeat)
                if cache_seconds:
                    worst = max(worst, median)
                else:
                    computed_worst = max(computed_worst, median)
                print(f"    {kind} statistics, {label}, {how}".ljust(64)
                      + f"{median:7.1f} ms {top:7.1f} ms")  # fmt: skip
    statistics.CACHE_SECONDS = kept_for
    verdict = "MET" if worst < GOAL_MS else "NOT MET"
    print(
        f"  slowest list or statistics answer: {worst:.1f} ms   goal < {GOAL_MS:.0f} ms: {verdict}"
    )
    verdict = "MET" if computed_worst < GOAL_MS else "NOT MET"
    print(f"  statistics computed on every request (no cache): {computed_worst:.1f} ms   "
          f"goal < {GOAL_MS:.0f} ms: {verdict}")  # fmt: skip


def export_child(listing: str, file_format: str, limit: int | None) -> None:
    """In a fresh process: stream one export through the stack (the first ``limit`` lines of it,
    or all), count it, report its time and the resident memory before and while it streams."""
    setup_django()
    page, api = _clients()
    api.get("/api/v1/portfolio/submissions/?page_size=1")  # code loaded, connection open
    before_mb = _rss_mb()
    started = time.perf_counter()
    response = api.get(f"/api/v1/portfolio/{listing}/export.{file_format}")
    size = rows = 0
    during_mb = before_mb
    # A row is a line of the CSV (after the header), an object of the JSON array (flat objects).
    mark = b"\n" if file_format == "csv" else b"{"
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(mark)
        during_mb = max(during_mb, _rss_mb())
        if limit is not None and rows >= limit:
            break
    elapsed = time.perf_counter() - started
    lines = rows - 1 if file_format == "csv" else rows
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": lines, "bytes": size, "seconds": elapsed, "rss_before_mb": before_mb,
                      "rss_during_mb": during_mb, "rss_peak_mb": peak_mb}))  # fmt: skip


def _rss_mb() -> float:
    """The process's resident memory now (Linux), in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure_export() -> None:
    def child(file_format: str, limit: int | None) -> dict:
        args = [sys.executable, __file__, "--export-child", "evaluations", file_format]
        if limit is not None:
            args += ["--limit", str(limit)]
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    for file_format in ("csv", "json"):
        small = child(file_format, 1000)
        whole = child(file_format, None)
        print(f"  export of evaluations as {file_format.upper()}: {whole['rows']} rows, "
              f"{whole['bytes'] / 1e6:.1f} MB in {whole['seconds']:.2f} s "
              f"({whole['rows'] / whole['seconds']:.0f} rows/s)")  # fmt: skip
        print(
            f"    resident memory: {whole['rss_before_mb']:.0f} MB before, at most "
            f"{whole['rss_during_mb']:.0f} MB while streaming (process peak "
            f"{whole['rss_peak_mb']:.0f} MB); baseline, the first 1,000 rows: "
            f"{small['rss_before_mb']:.0f} MB before, at most {small['rss_during_mb']:.0f} MB"
        )
        grew = (whole["rss_during_mb"] - whole["rss_before_mb"]) - (
            small["rss_during_mb"] - small["rss_before_mb"]
        )
        print(f"    memory grown beyond the 1,000-row export's: {grew:.1f} MB   "
              f"flat (< 20 MB): {'MET' if grew < 20 else 'NOT MET'}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--evaluations", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="measure the database left before")
    parser.add_argument("--keep", action="store_true", help="leave the database for --reuse")
    parser.add_argument("--export-child", nargs=2, metavar=("LIST", "FORMAT"))
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    if args.export_child:
        export_child(*args.export_child, args.limit)
        return
    if not args.reuse:
        admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        admin_sql(f"CREATE DATABASE {DB_NAME}")
    try:
        setup_django()
        from django.core.management import call_command

        if not args.reuse:
            call_command("migrate", verbosity=0)
            call_command("load_rulesets", verbosity=0)
            started = time.perf_counter()
            call_command("seed_portfolio", evaluations=args.evaluations, events=args.events)
            print(f"  seed_portfolio: {time.perf_counter() - started:.1f} s")
        print("Lists and statistics (in process, as a regulator; median of "
              f"{args.repeat} after a warm-up)")  # fmt: skip
        measure(args.repeat)
        print("Exports (a fresh process each)")
        measure_export()
    finally:
        close_connections()
        if not args.keep and not args.reuse:
            admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
