"""Verification speed under gunicorn, each figure beside a baseline measured in the same run.

    .venv/bin/python bench/verify_load.py [--seconds 5] [--rounds 3] [--workers 2]

Needs PostgreSQL and Redis (the same defaults as `make test`); uses its own database
`ssb_bench_verify`, created and dropped here, and Redis database 13 for the throttle's counters.
Everything listens on 127.0.0.1 only. Goals (verification issue):
  * GET /api/v1/verify/{number}/ : at least 70 % of the requests per second of a bare Django
    JSON view (bench/bare_app.py: no apps, no middleware, no database) served by the same
    gunicorn settings; also shown beside the same bare view inside the portal's middleware;
  * POST /api/v1/verify/ with 1,000 numbers: under 0.5 s (median, measured at the client).
Also timed: how long after a committed status change the GET answer shows it (each process's
copy of the answers is emptied by a PostgreSQL notification, reports/livecache.py).

Load comes from `wrk` when installed (apt-get install wrk), else from a Python client (threads,
http.client); both run for a fixed time and every run alternates baseline and verify. The
verification load asks for each of the 1,000 certificates in turn. Run it on a quiet machine:
anything else using the two CPUs (a test run) lowers the figures unevenly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import itertools
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "ssb_bench_verify"
from benchdb import SERVER_URL, admin_sql  # noqa: E402

REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
MEDIA = tempfile.mkdtemp(prefix="ssb-bench-media-")
HOST = "127.0.0.1"
BULK_COUNT = 1000
VERIFY = "GET /api/v1/verify/{number}/"

os.environ.update(
    DATABASE_URL=f"{SERVER_URL}/{DB_NAME}",
    REDIS_URL=REDIS,
    MEDIA_ROOT=MEDIA,
    DJANGO_SETTINGS_MODULE="bench.bench_settings",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _seed() -> list[str]:
    """Migrate, load the rule sets and the demo cast, and issue BULK_COUNT certificates through
    the ORM (the PDF and signing steps are not what is measured here)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from certification.models import Evaluation, Organisation, Product, RuleSet, Submission
    from reports.models import Certificate

    call_command("migrate", verbosity=0)
    call_command("load_rulesets", verbosity=0)
    maker = Organisation.objects.create(name="Bench Cells", kind=Organisation.Kind.MANUFACTURER)
    lab = Organisation.objects.create(
        name="Bench Lab", kind=Organisation.Kind.TEST_LAB, accreditation_number="CNAS L0001",
        accreditation_valid_from=dt.date(2024, 1, 1),
    )  # fmt: skip
    from certification.models import User

    user = User.objects.create_user(username="bench", organisation=maker)
    product = Product.objects.create(
        manufacturer=maker, created_by=user, model_number="BENCH-1", name="Bench cell",
        electrolyte_family="sulfide", conducting_ion="lithium", rated_capacity_ah=50,
        nominal_voltage_v=3.7, rated_energy_wh=185, max_continuous_power_w=555, cell_mass_g=350,
    )  # fmt: skip
    ruleset = RuleSet.objects.order_by("code", "-version").first()
    now, today = timezone.now(), timezone.localdate()
    submissions = Submission.objects.bulk_create(
        Submission(product=product, claimed_class="all_solid_state", lab=lab, created_by=user,
                   status=Submission.Status.APPROVED, attempt=1, submitted_at=now)
        for _ in range(BULK_COUNT)
    )  # fmt: skip
    evaluations = Evaluation.objects.bulk_create(
        Evaluation(submission=s, attempt=1, ruleset=ruleset, status=Evaluation.Status.DONE,
                   determined_class="all_solid_state", certifiable=True)
        for s in submissions
    )  # fmt: skip
    content = {
        "holder": {"name": maker.name},
        "product": {"model_number": "BENCH-1", "name": "Bench cell", "classification_code": "X"},
        "determined_class": {"code": "all_solid_state", "name_en": "all-solid-state battery",
                             "name_zh": "全固态电池"},
        "may_label_solid_state": True,
        "permitted_labels": {"en": ["all-solid-state battery"], "zh": ["全固态电池"]},
        "forbidden_labels": {"en": ["semi-solid"], "zh": ["半固态"]},
        "ruleset": {"code": ruleset.code, "version": ruleset.version,
                    "standard_id": ruleset.standard_id,
                    "effective_from": ruleset.effective_from.isoformat()},
        "lab": {"name": lab.name, "accreditation_number": lab.accreditation_number},
        # What a real certificate also carries and verification never reads.
        "criteria": [{"code": f"c{i}", "measured": {"x": "1.0" * 20}} for i in range(12)],
        "evaluation": {"inputs": [{"sha256": "0" * 64, "name": f"f{i}.csv"} for i in range(6)]},
    }  # fmt: skip
    year = today.year
    certificates = Certificate.objects.bulk_create(
        Certificate(number=f"SSB-{year}-{i + 1:06d}", submission=s, evaluation=e,
                    product=product, holder=maker, issued_at=now, valid_from=today,
                    expires_on=today + dt.timedelta(days=1000), content=content,
                    pdf="certificates/bench.pdf", pdf_sha256="0" * 64, credential_jws="x.y.z")
        for i, (s, e) in enumerate(zip(submissions, evaluations, strict=True))
    )  # fmt: skip
    from django.db import connections

    connections.close_all()
    return [c.number for c in certificates]


def _gunicorn(app: str, port: int, workers: int, log: Path, **env: str) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), app, "--bind", f"{HOST}:{port}", "--workers", str(workers),
         "--worker-class", "sync", "--chdir", str(ROOT), "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, "DATABASE_CONN_MAX_AGE": "60", **env},
        stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn {app} stopped:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"gunicorn {app} did not start in 30 s")


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# wrk asks for the paths of a file in turn (one a line), each thread from its own place.
WRK_PATHS_LUA = """
local paths, i = {}, 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  i = math.random(#paths)
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def _load_wrk(port: int, paths: list[str], seconds: int, connections: int) -> tuple[float, int]:
    folder = Path(MEDIA)
    (folder / "paths.txt").write_text("\n".join(paths) + "\n")
    (folder / "paths.lua").write_text(WRK_PATHS_LUA)
    out = subprocess.run(
        ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
         "-s", str(folder / "paths.lua"), f"http://{HOST}:{port}", "--", str(folder / "paths.txt")],
        capture_output=True, text=True, timeout=seconds + 30, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*?timeout (\d+)", out)
    return rps, (int(bad.group(1)) if bad else 0) + (int(errors.group(1)) if errors else 0)


def _load_python(port: int, paths: list[str], seconds: int, connections: int) -> tuple[float, int]:
    counts, bad = [0] * connections, [0] * connections
    stop = time.monotonic() + seconds

    def run(i: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=5)
        turn = itertools.cycle(paths[i * len(paths) // connections :] + paths)
        while time.monotonic() < stop:
            try:
                conn.request("GET", next(turn))
                response = conn.getresponse()
                response.read()
                counts[i] += 1
                bad[i] += response.status != 200
                if response.will_close:  # gunicorn's sync workers close after each response
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=5)
            except (OSError, http.client.HTTPException):
                bad[i] += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=5)
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - started), sum(bad)


def _change_latencies(port: int, number: str, changes: int) -> list[float]:
    """Seconds from the commit of a status change to the first GET that shows it, for
    ``changes`` changes (suspended and back), each written straight into the database."""
    import psycopg

    path = f"/api/v1/verify/{number}/"
    latencies = []
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        for i in range(changes):
            status = "suspended" if i % 2 == 0 else "valid"
            for _ in range(4):  # every worker holds the current answer
                _get(port, path)
            conn.execute(
                "UPDATE reports_certificate SET status = %s, status_reason = 'bench' "
                "WHERE number = %s",
                [status, number],
            )
            committed = time.perf_counter()
            while json.loads(_get(port, path)[1])["status"] != status:
                if time.perf_counter() - committed > 10:
                    raise SystemExit(f"a change to {status} was not seen within 10 s")
            latencies.append(time.perf_counter() - committed)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=5, help="length of each load run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs per target")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections")
    parser.add_argument("--bulk-repeat", type=int, default=9)
    parser.add_argument("--changes", type=int, default=10, help="status changes to time")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load before measuring")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    load = _load_wrk if use_wrk else _load_python

    import redis

    redis.Redis.from_url(REDIS).flushdb()
    admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {DB_NAME}")
    servers: list[subprocess.Popen] = []
    logs = Path(MEDIA)
    try:
        numbers = _seed()
        portal_port, bare_port, uncached_port = _free_port(), _free_port(), _free_port()
        servers.append(_gunicorn("portal.wsgi:application", portal_port, args.workers,
                                 logs / "portal.log"))  # fmt: skip
        # The same portal with each process's copy of the answers turned off: every request
        # reads PostgreSQL (what the copy saves).
        servers.append(_gunicorn("portal.wsgi:application", uncached_port, args.workers,
                                 logs / "uncached.log", VERIFY_CACHE_SECONDS="0"))  # fmt: skip
        servers.append(_gunicorn("bench.bare_app:application", bare_port, args.workers,
                                 logs / "bare.log"))  # fmt: skip

        # Verification asks for each of the 1,000 certificates in turn, as automakers checking
        # their incoming parts would; the baselines answer one fixed address. The load client
        # does the same work for every target (wrk takes each path from the list in turn).
        verify_paths = [f"/api/v1/verify/{number}/" for number in numbers]
        targets = {
            "baseline: bare Django JSON view (bench/bare_app.py)": (bare_port, ["/bare/"]),
            "baseline: same view inside the portal's middleware": (portal_port, ["/bench/bare/"]),
            VERIFY: (portal_port, verify_paths),
            "  the same, each process's copy off (reads PostgreSQL)": (uncached_port, verify_paths),
        }
        # Check each target, then warm every worker: long enough for each process to have
        # asked PostgreSQL once for every certificate (what the copy then keeps).
        for port, paths in targets.values():
            status, body = _get(port, paths[0])
            if status != 200:
                raise SystemExit(f"{paths[0]} answered {status}: {body[:300]!r}")
            load(port, paths, args.warmup, args.connections)

        samples: dict[str, list[float]] = {label: [] for label in targets}
        errors = 0
        for _ in range(args.rounds):
            for label, (port, paths) in targets.items():
                rps, bad = load(port, paths, args.seconds, args.connections)
                samples[label].append(rps)
                errors += bad

        def bulk() -> float:
            body = json.dumps({"numbers": numbers}).encode()
            conn = http.client.HTTPConnection(HOST, portal_port, timeout=10)
            started = time.perf_counter()
            conn.request("POST", "/api/v1/verify/", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            answer = json.loads(response.read())
            elapsed = time.perf_counter() - started
            conn.close()
            assert response.status == 200, answer
            assert answer["count"] == BULK_COUNT and answer["summary"] == {"valid": BULK_COUNT}
            return elapsed

        bulk()  # warm
        bulk_samples = [bulk() for _ in range(args.bulk_repeat)]
        seen_after = _change_latencies(portal_port, numbers[0], args.changes)

        client = "wrk -t2" if use_wrk else "Python threads + http.client"
        print(
            f"Verification under gunicorn ({args.workers} sync workers, {HOST} only); load: "
            f"{client}, {args.connections} connections, {args.rounds} x {args.seconds} s per target"
        )
        print(f"  ({os.cpu_count()} CPUs shared by the load client, gunicorn, PostgreSQL, Redis)")
        medians = {label: statistics.median(values) for label, values in samples.items()}
        for label, values in samples.items():
            runs = ", ".join(f"{v:.0f}" for v in values)
            print(f"  {label:<54} {medians[label]:8.0f} req/s  (runs: {runs})")
        verify, bare = medians[VERIFY], medians[next(iter(targets))]
        in_portal = medians["baseline: same view inside the portal's middleware"]
        ratio = verify / bare
        print(f"  verify / bare Django view:               {ratio:6.1%}   goal >= 70 %: "
              f"{'MET' if ratio >= 0.70 else 'MISSED'}")  # fmt: skip
        print(f"  verify / same view in portal middleware: {verify / in_portal:6.1%}")
        print(f"  failed or non-200 responses during load: {errors}")
        median_bulk = statistics.median(bulk_samples)
        print(
            f"  POST /api/v1/verify/ with {BULK_COUNT} numbers: median {median_bulk * 1000:.0f} ms, "
            f"max {max(bulk_samples) * 1000:.0f} ms over {len(bulk_samples)} runs   goal < 500 ms: "
            f"{'MET' if median_bulk < 0.5 else 'MISSED'}"
        )
        print(
            f"  a status change (SQL UPDATE, committed) -> seen by GET verify: median "
            f"{statistics.median(seen_after) * 1000:.1f} ms, max {max(seen_after) * 1000:.1f} ms "
            f"over {len(seen_after)} changes (each process's copy is emptied by PostgreSQL NOTIFY)"
        )
        if ratio < 0.70 or median_bulk >= 0.5 or errors:
            sys.exit(1)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        from django.db import connections

        connections.close_all()
        admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        shutil.rmtree(MEDIA, ignore_errors=True)


if __name__ == "__main__":
    main()
