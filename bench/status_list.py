"""The status lists at scale (issue 9): rebuilding a list of 131,072 places for 100,000
certificates, allocating an index in a list three quarters full, and how soon a served list
shows a status change.

    .venv/bin/python bench/status_list.py [--certificates 100000] [--reuse] [--keep]

Needs PostgreSQL (and Redis, as `make test`); uses its own database (`BENCH_DB`, default
`ssb_bench_status_list`), created, migrated and filled with `seed_register`'s certificates
(COPY). Their status list entries are written with COPY too: a random permutation of the list's
places, as `status_list.allocate` would have drawn them one by one.

Figures, each beside a baseline of the same run:
  * one list rebuilt as the web process does after a change (`status_list._build`: the set
    bits' query, the bitstring, GZIP, base64url, the signature), median of 20, per purpose;
    baselines: `SELECT count(*)` of the list's entries, and the set bits' query alone;
  * the served size of each list (bytes of the JWS);
  * `allocate` for new certificates in the list at that occupancy (random draws), and the
    exact draw among the free places alone (the fallback);
  * a status change committed to the moment this process's copy serves the changed list
    (the NOTIFY listener of reports/livecache.py), median of 10.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = os.environ.get("BENCH_DB", "ssb_bench_status_list")
from benchdb import SERVER_URL, admin_sql  # noqa: E402

os.environ.update(DATABASE_URL=f"{SERVER_URL}/{DB_NAME}", DJANGO_SETTINGS_MODULE="portal.settings")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("PORTAL_VAR_DIR", "/tmp/ssb-bench-status-list")


def _setup(reuse: bool, certificates: int) -> None:
    import django

    if not reuse:
        admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        admin_sql(f"CREATE DATABASE {DB_NAME}")
    django.setup()
    if reuse:
        return
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_rulesets", verbosity=0)
    call_command("seed_register", certificates=certificates, verbosity=0)
    _fill_entries()


def _fill_entries() -> None:
    """Every certificate's two entries, places drawn at random without repeats (COPY)."""
    from django.db import connection
    from django.utils import timezone

    from reports.status_list_models import LIST_LENGTH

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM reports_certificate ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
    assert len(ids) <= LIST_LENGTH, "this bench fills one list per purpose"
    now = timezone.now().isoformat()
    buffer = io.StringIO()
    for purpose in ("revocation", "suspension"):
        places = random.sample(range(LIST_LENGTH), len(ids))
        for certificate_id, place in zip(ids, places, strict=True):
            buffer.write(f"{certificate_id}\t{purpose}\t1\t{place}\t{now}\n")
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY reports_statuslistentry"
            " (certificate_id, purpose, list_number, list_index, allocated_at) FROM STDIN"
        ) as copy:
            copy.write(buffer.getvalue())
        cursor.execute("ANALYZE reports_statuslistentry")


def _median_ms(run, times: int = 20) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _rebuilds() -> None:
    from django.db import connection

    from reports import status_list

    for purpose in ("revocation", "suspension"):

        def count(purpose=purpose):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM reports_statuslistentry"
                    " WHERE purpose = %s AND list_number = 1",
                    [purpose],
                )
                return cursor.fetchone()[0]

        entries = count()
        set_bits = len(status_list.set_indexes(purpose, 1))
        built = status_list._build(purpose, 1)
        print(f"{purpose}: {entries} entries, {set_bits} bits set, served list {len(built.jws)} B")
        print(
            f"  rebuild (query, bits, gzip, sign): {_median_ms(lambda p=purpose: status_list._build(p, 1)):.1f} ms"
        )  # noqa: E501
        print(
            f"  the set bits' query alone:         {_median_ms(lambda p=purpose: status_list.set_indexes(p, 1)):.1f} ms"
        )  # noqa: E501
        print(f"  SELECT count(*) of its entries:    {_median_ms(count):.1f} ms")


def _allocations() -> None:
    from django.db import transaction

    from reports import status_list
    from reports.models import Certificate

    sample = list(Certificate.objects.order_by("?")[:200])
    # Make them entry-less for the measure, inside a transaction rolled back afterwards (the
    # entries are never deleted in earnest: the trigger is bypassed as a restore would).
    from django.db import connection

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(
                "DELETE FROM reports_statuslistentry WHERE certificate_id = ANY(%s)",
                [[c.pk for c in sample]],
            )
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        samples = []
        for certificate in sample:
            started = time.perf_counter()
            status_list.allocate(certificate)
            samples.append((time.perf_counter() - started) * 1000)
        exact = _median_ms(lambda: status_list._free_index("revocation", 1), times=10)
        transaction.set_rollback(True)
    print(
        f"allocate (two entries) at this occupancy: median {statistics.median(samples):.2f} ms, "
        f"max {max(samples):.2f} ms over {len(samples)} certificates"
    )
    print(f"  the exact draw among free places alone: {exact:.1f} ms")


def _change_to_served() -> None:
    from django.db import transaction

    from reports import livecache, status_list
    from reports.models import Certificate

    status_list.published("suspension", 1)
    deadline = time.monotonic() + 5
    while not livecache.certificates.usable():
        assert time.monotonic() < deadline, "the listener did not connect"
        time.sleep(0.01)
    samples = []
    for certificate in Certificate.objects.filter(status="valid").order_by("?")[:10]:
        before = status_list.published("suspension", 1).etag
        assert status_list.published("suspension", 1).etag == before
        with transaction.atomic():
            Certificate.objects.filter(pk=certificate.pk).update(status="suspended")
        committed = time.perf_counter()
        while status_list.published("suspension", 1).etag == before:
            time.sleep(0.0005)
        samples.append((time.perf_counter() - committed) * 1000)
        Certificate.objects.filter(pk=certificate.pk).update(status="valid")
    print(
        f"status change committed -> changed list served: median {statistics.median(samples):.1f}"
        f" ms, max {max(samples):.1f} ms (10 changes)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    _setup(args.reuse, args.certificates)
    print(f"database ready in {time.perf_counter() - started:.1f} s")
    try:
        _rebuilds()
        _allocations()
        _change_to_served()
    finally:
        from reports import livecache

        livecache.certificates.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
