"""The audit chain at scale (issue 8): how long `verify_audit` takes, and what an append costs.

    .venv/bin/python bench/audit_verify.py [--events 1000000] [--batch 5000] [--reuse] [--keep]

Needs PostgreSQL (and Redis, as `make test`); uses its own database `ssb_bench_audit`, created,
migrated and filled here (`--keep` leaves it, `--reuse` measures one left before). The events are
of the portal's shape (an actor and organisation, a submission's product, a detail of five to
eight keys, before/after and a reason on a third of them), chained in Python as `audit()` chains
them and written with COPY (triggers off in the replica role, as a restore would).

Figures, each beside a baseline of the same run:
  * `verify_audit` over every event (the command, as an operator runs it), per 100,000 events and
    in all; goal: 1,000,000 in under 30 s. Baselines: `SELECT count(*)`, and reading every row
    through the same server-side cursor without hashing (the I/O share of the walk);
  * an append: `audit()` in its own transaction, beside the same transaction inserting a plain
    row; the advisory lock and the head lookup alone; appends from 4 threads at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "ssb_bench_audit"
from benchdb import SERVER_URL, admin_sql  # noqa: E402

os.environ.update(DATABASE_URL=f"{SERVER_URL}/{DB_NAME}", DJANGO_SETTINGS_MODULE="portal.settings")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("PORTAL_VAR_DIR", "/tmp/ssb-bench-audit")
GOAL_S_PER_MILLION = 30.0
ACTIONS = [
    "dataset.uploaded", "dataset.parsed", "submission.submitted", "evaluation.finished",
    "submission.approve", "certificate.issued", "watchlist.added", "signin.failed",
]  # fmt: skip


def _setup(reuse: bool) -> None:
    import django

    if not reuse:
        admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        admin_sql(f"CREATE DATABASE {DB_NAME}")
    django.setup()
    if not reuse:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def _cast():
    from certification.models import Organisation, Product, Submission, User

    lab = {
        "accreditation_number": "CNAS L0001",
        "accreditation_valid_from": dt.date(2020, 1, 1),
        "accreditation_valid_until": dt.date(2099, 12, 31),
    }
    orgs = [
        Organisation.objects.create(
            name=f"Bench org {k}", kind=kind, **(lab if kind == "test_lab" else {})
        )
        for k, kind in enumerate(["manufacturer", "test_lab", "certification_body", "automaker"])
    ]
    users = [User.objects.create(username=f"bench{k}", organisation=o) for k, o in enumerate(orgs)]
    product = Product.objects.create(
        manufacturer=orgs[0], created_by=users[0], model_number="BENCH-1", name="Bench cell",
        electrolyte_family="sulfide", conducting_ion="lithium", rated_capacity_ah=50,
        nominal_voltage_v=3.7, rated_energy_wh=185, max_continuous_power_w=555, cell_mass_g=350,
        declared_liquid_electrolyte_pct=0,
    )  # fmt: skip
    submission = Submission.objects.create(
        product=product, claimed_class="all_solid_state", lab=orgs[1], created_by=users[0]
    )
    return users, submission


def fill(count: int) -> float:
    """``count`` chained events by COPY; returns the seconds it took."""
    from django.db import connection

    from certification import audit_chain

    users, submission = _cast()
    started = time.perf_counter()
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    prev = audit_chain.GENESIS
    columns = (
        "seq, prev_hash, hash, at, actor_id, actor_organisation_id, action, submission_id, "
        "product_id, object_type, object_id, before, after, reason, detail"
    )
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        raw = cursor.cursor
        with raw.copy(f"COPY {audit_chain.TABLE} ({columns}) FROM STDIN") as copy:
            for seq in range(1, count + 1):
                user = users[seq % len(users)]
                at = base + dt.timedelta(milliseconds=37 * seq, microseconds=seq % 997)
                changes = seq % 3 == 0
                content = {
                    "seq": seq,
                    "prev": prev,
                    "at": audit_chain.instant(at),
                    "actor": user.pk,
                    "organisation": user.organisation_id,
                    "action": ACTIONS[seq % len(ACTIONS)],
                    "submission": submission.pk,
                    "product": submission.product_id,
                    "object_type": "certificate" if changes else "",
                    "object_id": f"SSB-2026-{seq:06d}" if changes else "",
                    "before": {"status": "awaiting_review"} if changes else None,
                    "after": {"status": "approved"} if changes else None,
                    "reason": "Weight loss 0.18 % within the limit; 复核通过" if changes else "",
                    "detail": {
                        "dataset": seq,
                        "kind": "weight_loss",
                        "sha256": f"{seq:064x}",
                        "rows": 1000 + seq % 500,
                        "ratio": (seq % 1000) / 7,
                        **({"attempt": 1, "certifiable": True} if seq % 2 else {}),
                    },
                }
                content["detail"] = audit_chain.plain(content["detail"])  # as audit() stores it
                digest = audit_chain.event_hash(content)
                copy.write_row(
                    (
                        seq, prev, digest, at, user.pk, user.organisation_id, content["action"],
                        submission.pk, submission.product_id, content["object_type"],
                        content["object_id"],
                        None if content["before"] is None else json.dumps(content["before"]),
                        None if content["after"] is None else json.dumps(content["after"]),
                        content["reason"], json.dumps(content["detail"], ensure_ascii=False),
                    )
                )  # fmt: skip
                prev = digest
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute(f"ANALYZE {audit_chain.TABLE}")
    return time.perf_counter() - started


def _timed(fn, repeat: int = 1) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def measure_verify(batch: int, repeat: int) -> dict[str, list[float]]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from certification import audit_chain

    def count():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {audit_chain.TABLE}")  # noqa: S608
            cursor.fetchone()

    def read_only():
        with transaction.atomic():
            for _row in audit_chain.stream_rows(batch=batch):
                pass

    def command():
        call_command("verify_audit", "--batch", str(batch), stdout=io.StringIO())

    return {
        "count": _timed(count, repeat),
        "read": _timed(read_only, repeat),
        "verify": _timed(command, repeat),
    }


def measure_append(n: int) -> dict[str, float]:
    """Milliseconds per transaction (medians of ``n``), the four kinds taken in turn so that the
    machine's other load falls on each alike."""
    from django.db import connection, transaction

    from certification import audit_chain
    from certification.services import audit

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_plain (id bigserial PRIMARY KEY, j jsonb)")

    def plain_insert():
        with connection.cursor() as cursor:
            cursor.execute("""INSERT INTO bench_plain (j) VALUES ('{"n": 1}')""")

    def lock():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [audit_chain.LOCK_KEY])

    kinds = {
        "plain": plain_insert,
        "lock": lock,
        "head": audit_chain.head,
        "audit": lambda: audit(action="bench.append", actor=None, n=1),
    }
    times: dict[str, list[float]] = {name: [] for name in kinds}
    for _ in range(n):
        for name, fn in kinds.items():
            started = time.perf_counter()
            with transaction.atomic():
                fn()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(t) * 1000 for name, t in times.items()}


def measure_threads(threads: int, seconds: float) -> tuple[int, int]:
    """Events appended in ``seconds`` by ``threads`` threads at once, and by one thread."""
    from django.db import connection, transaction

    from certification.services import audit

    def run(k: int) -> int:
        stop = time.perf_counter() + seconds
        done = [0] * k
        start = threading.Barrier(k)

        def work(i):
            start.wait()
            try:
                while time.perf_counter() < stop:
                    with transaction.atomic():
                        audit(action="bench.concurrent", actor=None, thread=i)
                    done[i] += 1
            finally:
                connection.close()

        pool = [threading.Thread(target=work, args=(i,)) for i in range(k)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        return sum(done)

    return run(1), run(threads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    _setup(args.reuse)
    from certification import audit_chain

    try:
        if not args.reuse:
            seconds = fill(args.events)
            print(f"filled {args.events:,} chained events by COPY in {seconds:.1f} s")
        head_seq, _head = audit_chain.head()
        per = 100_000 / max(head_seq, 1)
        v = measure_verify(args.batch, args.repeat)
        best = {k: min(t) for k, t in v.items()}
        print(
            f"\nverify_audit over {head_seq:,} events (batch {args.batch}, best of {args.repeat})"
        )
        print(f"  baseline: SELECT count(*)                       {best['count']:8.2f} s")
        print(f"  baseline: read every row (server-side cursor)   {best['read']:8.2f} s"
              f"   {best['read'] * per:6.2f} s per 100,000")  # fmt: skip
        print(f"  manage.py verify_audit                          {best['verify']:8.2f} s"
              f"   {best['verify'] * per:6.2f} s per 100,000")  # fmt: skip
        million = best["verify"] * 1_000_000 / max(head_seq, 1)
        verdict = "MET" if million < GOAL_S_PER_MILLION else "NOT MET"
        print(f"  1,000,000 events: {million:.1f} s   goal < {GOAL_S_PER_MILLION:.0f} s: {verdict}")
        print(f"  runs: {', '.join(f'{t:.2f}' for t in v['verify'])} s")
        a = measure_append(300)
        print("\nappend, one transaction each, median of 300 (ms)")
        print(f"  baseline: a transaction inserting a plain row   {a['plain']:6.3f}")
        print(f"  pg_advisory_xact_lock alone                     {a['lock']:6.3f}")
        print(f"  the head lookup alone                           {a['head']:6.3f}")
        print(f"  audit() (lock, head, hash, insert)              {a['audit']:6.3f}")
        one, four = measure_threads(4, 3.0)
        print("\nappends in 3 s, each its own transaction")
        print(f"  1 thread  {one:6d} ({one / 3:.0f}/s)")
        print(f"  4 threads {four:6d} ({four / 3:.0f}/s): the lock serialises them")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
