"""What the benchmarks share: the PostgreSQL server they make their own databases on, and the
timing and Django set-up the request benchmarks use. Imported as ``benchdb`` (a benchmark runs as
``python bench/<name>.py``, so this folder is on its path)."""

from __future__ import annotations

import os
import statistics
import time

SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


def admin_sql(sql: str) -> None:
    """Run one statement on the server's ``postgres`` database (CREATE/DROP DATABASE)."""
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def setup_django() -> None:
    """Django set up to render pages without ``collectstatic`` (as in the tests)."""
    import django
    from django.conf import settings

    django.setup()
    os.makedirs(settings.STATIC_ROOT, exist_ok=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def median_ms(fn, repeat: int) -> tuple[float, float]:
    """Median and slowest of ``repeat`` calls in milliseconds, after one warming call (the first
    request loads code and fills caches)."""
    fn()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs), max(runs)


def close_connections() -> None:
    """Close every connection this process holds on its database, the verification copy's
    listener included, so the database can be dropped quietly."""
    from django.db import connections

    from reports.livecache import certificates

    certificates.stop()
    connections.close_all()
