"""Soak: the whole portal under a mixed load for minutes, its Celery worker killed once, and
nothing lost or done twice; beside it a bare Django view measured in the same run.

    .venv/bin/python bench/soak.py [--minutes 3] [--clients 6] [--workers 2]

Needs PostgreSQL and Redis (the `make test` defaults). Uses its own database `ssb_bench_soak`
(created and dropped), Redis databases 10 (broker) and 11 (cache, rate limits), flushed before
and after, and its own folder for media, keys and logs; listens on 127.0.0.1 only.

Runs gunicorn (the portal, N sync workers), one Celery worker (prefork, 2 processes, as compose
runs it on two cores) and Celery beat, all with short hand-off settings (sweeps every 5 s,
deadline 5 s, evaluation lease 10 s). Each client thread is a maker with its own lab and two
reviewers, looping without pause: register a product, open a submission, upload the four result
sheets, submit (at most 3 in flight); poll; approve twice what awaits review; verify issued
certificates one by one and in bulk; list submissions and certificates. A third of the way in
(when an evaluation is running, or 10 s later) the worker and its pool get SIGKILL; a new one
starts 10 s later. After the load, what is owed gets up to 2 minutes to finish, then the database
is counted: evaluations submitted, finished, lost, finished twice (more than one
`evaluation.finished` audit row for one evaluation), certificates owed and issued.
Baseline, same run: bench/bare_app.py under the same gunicorn settings and as many client
threads for 15 s, just before the soak. Exits 1 on any 5xx, unanswered request, lost or
duplicated evaluation or certificate still owed, printing the first errors and the server's log.
"""

from __future__ import annotations

import argparse
import ast
import collections
import datetime as dt
import http.client
import io
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "ssb_bench_soak"
from benchdb import SERVER_URL, admin_sql  # noqa: E402

BROKER = os.environ.get("BENCH_SOAK_BROKER_URL", "redis://127.0.0.1:6379/10")
CACHE = os.environ.get("BENCH_SOAK_REDIS_URL", "redis://127.0.0.1:6379/11")
HOST = "127.0.0.1"
PASSWORD = "soak-password-1"  # noqa: S105 -- throwaway users of a database dropped at the end
# Every process gets these: short, so that lost work is found within seconds.
HANDOFF = {
    "SWEEP_INTERVAL_SECONDS": "5",
    "HANDOFF_DEADLINE_SECONDS": "5",
    "EVALUATION_LEASE_SECONDS": "10",
}
SHEETS = ("weight_loss", "electrolyte_content", "energy_density", "safety")
# The cell of tests.samples' sheets: it evaluates as all-solid-state, certifiable.
PRODUCT = {
    "name": "Soak oxide cell", "electrolyte_family": "oxide", "conducting_ion": "lithium",
    "rated_capacity_ah": "50", "nominal_voltage_v": "3.7", "rated_energy_wh": "185",
    "max_continuous_power_w": "555", "cell_mass_g": "350", "declared_liquid_electrolyte_pct": "2",
}  # fmt: skip
IN_FLIGHT = 3  # submissions a client has open at once
BULK_SIZE = 100  # numbers per bulk verification
BASELINE_SECONDS = 15
RESTART_AFTER_S = 10
DRAIN_S = 120
REQUEST_TIMEOUT_S = 60
FINISHED = ("done", "error")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _ms(values: list[float], fraction: float) -> float:
    """The percentile ``fraction`` of ``values`` (seconds), in milliseconds."""
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)] * 1000


def _seed(clients: int) -> list[dict]:
    """Migrate, load the rule sets and the demo cast; then per client a manufacturer, an
    accredited lab and two reviewers of the certification body, so that clients do not queue
    on one organisation. Returns each client's usernames and lab id."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connections

    from certification.models import Organisation, User

    Kind, Role = Organisation.Kind, User.Role
    call_command("migrate", verbosity=0)
    call_command("seed_demo", password=PASSWORD, verbosity=0, stdout=io.StringIO())
    body = Organisation.objects.get(kind=Kind.CERTIFICATION_BODY)
    hashed = make_password(PASSWORD)  # once: PBKDF2 is slow on purpose
    casts = []
    for i in range(1, clients + 1):
        maker = Organisation.objects.create(name=f"Soak Cells {i}", kind=Kind.MANUFACTURER)
        lab = Organisation.objects.create(
            name=f"Soak Test Centre {i}", kind=Kind.TEST_LAB,
            accreditation_number=f"CNAS L9{i:04d}", accreditation_valid_from=dt.date(2024, 1, 1),
        )  # fmt: skip
        cast = {
            "maker": (f"soak-maker-{i}", maker, Role.MEMBER),
            "lab": (f"soak-lab-{i}", lab, Role.MEMBER),
            "reviewer_a": (f"soak-reviewer-{i}a", body, Role.REVIEWER),
            "reviewer_b": (f"soak-reviewer-{i}b", body, Role.REVIEWER),
        }
        for username, organisation, role in cast.values():
            User.objects.create(username=username, password=hashed, organisation=organisation,
                                role=role, is_staff=role == Role.REVIEWER)  # fmt: skip
        casts.append({"users": {k: v[0] for k, v in cast.items()}, "lab_id": lab.pk})
    connections.close_all()
    return casts


class Processes:
    """Every process started here, each in its own session: a signal reaches its whole tree
    (gunicorn's and Celery's pool processes), and Ctrl-C in the terminal reaches none of them."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self, name: str, argv: list[str], ready=None) -> float:
        """Start ``name``; wait (60 s at most) until ``ready(log since start)`` holds. Returns
        the seconds it took."""
        started, offset = time.monotonic(), len(self.log(name))
        with (self.logs / f"{name}.log").open("a") as log:
            self.running[name] = process = subprocess.Popen(
                argv, cwd=ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        while ready is not None and not ready(self.log(name)[offset:]):
            if process.poll() is not None or time.monotonic() - started > 60:
                raise SystemExit(f"{name} did not start:\n{self.log(name)[-3000:]}")
            time.sleep(0.05)
        return time.monotonic() - started

    def kill(self, name: str) -> None:
        """SIGKILL to the process and its pool: no shutdown, no acknowledgement, no clean-up."""
        process = self.running.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for name, process in list(self.running.items()):
            del self.running[name]
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _accepts(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=0.2).close()
    except OSError:
        return False
    return True


def _gunicorn(processes: Processes, name: str, app: str, port: int, workers: int) -> None:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    argv = [gunicorn, app, "--bind", f"{HOST}:{port}", "--workers", str(workers),
            "--worker-class", "sync", "--chdir", str(ROOT), "--log-level", "warning"]  # fmt: skip
    processes.start(name, argv, ready=lambda _log: _accepts(port))


def _celery_worker(processes: Processes, serial: int) -> float:
    argv = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=prefork",
            "--concurrency=2", "--loglevel=INFO", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "--hostname", f"soak-{serial}@%h"]  # fmt: skip
    return processes.start("worker", argv, ready=lambda log: "ready." in log)


class Stats:
    """What the clients saw, shared by their threads."""

    KINDS = ("5xx", "unanswered", "unexpected")  # of failed requests, each with first examples

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.statuses: collections.Counter[tuple[str, int]] = collections.Counter()
        self.failed = dict.fromkeys(self.KINDS, 0)
        self.examples: dict[str, list[str]] = {kind: [] for kind in self.KINDS}
        self.notes: list[str] = []

    def record(self, op: str, status: int, elapsed: float | None, example: str, ok: bool) -> None:
        kind = "unanswered" if not status else "5xx" if status >= 500 else None
        kind = kind or (None if ok else "unexpected")
        with self.lock:
            if elapsed is not None:
                self.latencies[op].append(elapsed)
            self.statuses[(op, status)] += 1
            if kind:
                self.failed[kind] += 1
                if len(self.examples[kind]) < 5:
                    self.examples[kind].append(f"{time.strftime('%H:%M:%S')} {example}")

    def note(self, text: str) -> None:
        with self.lock:
            self.notes.append(text)


def _multipart(kind: str, data: bytes) -> tuple[bytes, str]:
    b = uuid.uuid4().hex
    body = (
        f'--{b}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n'
        f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="{kind}.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode() + data + f"\r\n--{b}--\r\n".encode()  # fmt: skip
    return body, f"multipart/form-data; boundary={b}"


class SoakClient(threading.Thread):
    """A maker, its lab and two reviewers of the certification body, looping without pause."""

    def __init__(self, *, index, port, cast, stats, numbers, sheets, stop) -> None:
        super().__init__(name=f"soak-client-{index}", daemon=True)
        self.index, self.port, self.cast, self.stats = index, port, cast, stats
        self.numbers, self.sheets, self.stop = numbers, sheets, stop
        self.tokens: dict[str, str] = {}
        self.open: set[int] = set()  # submitted, certificate not yet seen
        self.serial = self.rounds = self.submitted = self.certified = 0

    def call(self, method, template, *, role=None, payload=None, body=None, content_type=None,
             expect=(200,), label="", **params):  # fmt: skip
        """One request on a new connection (gunicorn's sync workers close each one); the
        decoded answer when its status is expected, else None (recorded either way)."""
        op = f"{method} {template.split('?')[0]}{label}"
        path = template.format(**params)
        headers = {"Accept": "application/json"}
        if role is not None:
            headers["Authorization"] = f"Token {self.tokens[role]}"
        if payload is not None:
            body, content_type = json.dumps(payload).encode(), "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT_S)
        started = time.perf_counter()
        try:
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.stats.record(op, 0, None, f"{method} {path}: {exc!r}", False)
            return None
        finally:
            conn.close()
        ok = response.status in expect
        example = (
            f"{method} {path} -> {response.status}\n      {data[:1500].decode('utf-8', 'replace')}"
        )
        self.stats.record(op, response.status, time.perf_counter() - started, example, ok)
        return json.loads(data) if ok and data else None

    def run(self) -> None:
        try:
            for role, username in self.cast["users"].items():
                login = {"username": username, "password": PASSWORD}
                answer = self.call("POST", "/api/v1/auth/token/", payload=login)
                if answer is None:
                    self.stats.note(f"client {self.index}: {username} could not log in; stopped")
                    return
                self.tokens[role] = answer["token"]
            while not self.stop.is_set():
                self.rounds += 1
                if len(self.open) < IN_FLIGHT:
                    self.new_submission()
                for submission_id in list(self.open):
                    if not self.stop.is_set():
                        self.follow(submission_id)
                self.verify()
                self.lists()
        except Exception as exc:  # a fault of this client, not an answer of the server
            self.stats.note(f"client {self.index} stopped on {type(exc).__name__}: {exc}")

    def new_submission(self) -> None:
        self.serial += 1
        model_number = f"SOAK-{self.index}-{self.serial}"
        product = self.call("POST", "/api/v1/products/", role="maker", expect=(201,),
                            payload={**PRODUCT, "model_number": model_number})  # fmt: skip
        submission = product and self.call(
            "POST", "/api/v1/submissions/", role="maker", expect=(201,),
            payload={"product": product["id"], "claimed_class": "all_solid_state",
                     "lab": self.cast["lab_id"]},
        )  # fmt: skip
        if not submission:
            return
        for kind in SHEETS:
            body, content_type = _multipart(kind, self.sheets[kind])
            if not self.call(
                "POST", "/api/v1/submissions/{id}/datasets/", id=submission["id"], role="lab",
                body=body, content_type=content_type, expect=(201,),
            ):  # fmt: skip
                return
        if self.call("POST", "/api/v1/submissions/{id}/submit/", id=submission["id"],
                     role="maker", expect=(202,)):  # fmt: skip
            self.submitted += 1
            self.open.add(submission["id"])

    def follow(self, submission_id: int) -> None:
        body = self.call("GET", "/api/v1/submissions/{id}/", id=submission_id, role="maker")
        status = body["status"] if body else "evaluating"
        if status == "awaiting_review" and body["evaluation"]["certifiable"]:
            for reviewer in ("reviewer_a", "reviewer_b"):
                decided = self.call(
                    "POST", "/api/v1/submissions/{id}/decision/", id=submission_id, role=reviewer,
                    payload={"decision": "approve", "reason": "Soak: the evidence holds."},
                )  # fmt: skip
                if not decided or decided["status"] != "awaiting_review":
                    break
        elif status == "approved" and body["certificate"]:
            self.numbers.append(body["certificate"]["number"])
            self.certified += 1
            self.open.discard(submission_id)
        elif status not in ("evaluating", "approved"):
            self.stats.note(f"submission {submission_id} became {status} (not certifiable?)")
            self.open.discard(submission_id)

    def verify(self) -> None:
        if not self.numbers:
            return
        for number in random.sample(self.numbers, min(2, len(self.numbers))):
            answer = self.call("GET", "/api/v1/verify/{number}/", number=number)
            if answer and answer.get("status") != "valid":
                self.stats.note(f"verify {number}: status {answer.get('status')}")
        if self.rounds % 3 == 0:
            numbers = random.sample(self.numbers, min(BULK_SIZE - 1, len(self.numbers)))
            numbers.append(numbers[0].rsplit("-", 1)[0] + "-999999")  # never issued
            answer = self.call("POST", "/api/v1/verify/", payload={"numbers": numbers},
                               label=f" (bulk of up to {BULK_SIZE})")  # fmt: skip
            if answer and answer.get("count") != len(numbers):
                self.stats.note(f"bulk verify answered {answer.get('count')} of {len(numbers)}")

    def lists(self) -> None:
        path, role = [
            ("/api/v1/submissions/", "maker"),
            ("/api/v1/submissions/?status=awaiting_review", "reviewer_a"),
            ("/api/v1/certificates/", "maker"),
            ("/api/v1/certificates/", "reviewer_b"),
        ][self.rounds % 4]
        self.call("GET", path, role=role, label=f" ({role.split('_')[0]})")


def _baseline(port: int, threads: int, seconds: float) -> tuple[float, list[float], int]:
    """The bare view under ``threads`` client threads, a new connection per request as the soak
    clients make them: requests/s, latencies, failures."""
    latencies: list[float] = []  # list.append is atomic
    bad = []
    stop = time.monotonic() + seconds

    def run() -> None:
        while time.monotonic() < stop:
            conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
            started = time.perf_counter()
            try:
                conn.request("GET", "/bare/")
                response = conn.getresponse()
                response.read()
                latencies.append(time.perf_counter() - started)
                if response.status != 200:
                    bad.append(response.status)
            except (OSError, http.client.HTTPException) as exc:
                bad.append(exc)
            finally:
                conn.close()

    started = time.monotonic()
    workers = [threading.Thread(target=run, daemon=True) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return len(latencies) / (time.monotonic() - started), latencies, len(bad)


def _queued_tasks(broker) -> collections.Counter[str]:
    """The messages waiting in the broker's default queue, by task name."""
    return collections.Counter(
        json.loads(raw).get("headers", {}).get("task", "?")
        for raw in broker.lrange("celery", 0, -1)
    )


def _owed() -> tuple[int, int]:
    """Evaluations not finished, approved submissions without their certificate."""
    from certification.models import Evaluation, Submission

    return (
        Evaluation.objects.exclude(status__in=FINISHED).count(),
        Submission.objects.filter(status="approved", certificate__isnull=True).count(),
    )


def _account() -> dict:
    from django.db.models import Count

    from certification.models import AuditEvent, Evaluation, Submission
    from reports.models import Certificate

    finished = (
        AuditEvent.objects.filter(action="evaluation.finished")
        .values("detail__evaluation")
        .annotate(n=Count("id"))
    )
    sends = list(Evaluation.objects.values_list("send_count", flat=True))
    return {
        "submitted": Evaluation.objects.count(),
        "finished": Evaluation.objects.filter(status__in=FINISHED).count(),
        "errors": Evaluation.objects.filter(status="error").count(),
        "twice": sorted((row["detail__evaluation"], row["n"]) for row in finished if row["n"] > 1),
        "done_unaudited": Evaluation.objects.filter(status="done").count() - len(finished),
        "sent_again": sum(n > 1 for n in sends),
        "max_sends": max(sends, default=0),
        "owed": Submission.objects.filter(status="approved").count(),
        "issued": Certificate.objects.count(),
        "awaiting_review": Submission.objects.filter(status="awaiting_review").count(),
    }


def _soak(args, processes: Processes, clients, stop, broker) -> dict:
    """Run the clients for the given time; kill the worker a third of the way in and start a
    new one 10 s later. Returns what happened around the kill."""
    from certification.models import Evaluation

    started = time.monotonic()
    for client in clients:
        client.start()
    duration = args.minutes * 60
    kill_at, end = started + duration / 3, started + duration
    seen: dict = {"max_queue": 0, "queue": {}, "killed": None, "restart_at": None, "every_5s": []}
    # The worker is killed and back before the load stops, however short the run.
    while time.monotonic() < end or seen["killed"] is None or seen["restart_at"] is not None:
        now = time.monotonic()
        queued = broker.llen("celery")
        if len(seen["every_5s"]) <= (now - started) / 5:
            seen["every_5s"].append(queued)
        if queued > seen["max_queue"]:
            seen["max_queue"], seen["queue"] = queued, _queued_tasks(broker)
        if seen["killed"] is None and now >= kill_at:
            running = Evaluation.objects.filter(status="running").count()
            # Kill while an evaluation runs, if one does within 10 s: the case to survive.
            if running or now >= kill_at + 10:
                processes.kill("worker")
                seen.update(killed=now - started, restart_at=now + RESTART_AFTER_S,
                            running=running, broker=queued,
                            queued=Evaluation.objects.filter(status="queued").count())  # fmt: skip
        if seen["restart_at"] is not None and now >= seen["restart_at"]:
            seen["ready_s"], seen["restart_at"] = _celery_worker(processes, 2), None
        time.sleep(0.2)
    stop.set()
    for client in clients:
        client.join(timeout=REQUEST_TIMEOUT_S + 5)
    seen["elapsed"] = time.monotonic() - started

    # What is owed now gets DRAIN_S to finish: the sweeps send again whatever was lost.
    drain_started = time.monotonic()
    while any(owed := _owed()) and time.monotonic() - drain_started < DRAIN_S:
        time.sleep(0.5)
    seen["owed"], seen["drained_s"] = owed, time.monotonic() - drain_started
    # A duplicate a sweep sent meanwhile reaches the worker (and must do nothing).
    settle = time.monotonic() + 2 * int(HANDOFF["SWEEP_INTERVAL_SECONDS"])
    while time.monotonic() < settle or (broker.llen("celery") and time.monotonic() < settle + 30):
        time.sleep(0.5)
    return seen


def _interrupted(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=3, help="length of the load")
    parser.add_argument("--clients", type=int, default=6, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _interrupted)

    work = Path(tempfile.mkdtemp(prefix="ssb-bench-soak-"))
    logs = work / "logs"
    logs.mkdir()
    os.environ.pop("CELERY_RESULT_BACKEND", None)
    # Every process gets the same environment. PORTAL_VAR_DIR: its own secret and signing key.
    # Every client comes from 127.0.0.1: the per-address verification limits would answer 429
    # to the load instead of serving it.
    os.environ.update(
        DATABASE_URL=f"{SERVER_URL}/{DB_NAME}", DATABASE_CONN_MAX_AGE="60", DEBUG="false",
        CELERY_BROKER_URL=BROKER, REDIS_URL=CACHE, DJANGO_SETTINGS_MODULE="portal.settings",
        MEDIA_ROOT=str(work / "media"), PORTAL_VAR_DIR=str(work / "var"),
        VERIFY_RATE="100000000/min", VERIFY_BULK_RATE="100000000/min", **HANDOFF,
    )  # fmt: skip

    import redis

    from tests.samples import sample_sheet

    broker, cache = redis.Redis.from_url(BROKER), redis.Redis.from_url(CACHE)
    broker.flushdb()
    cache.flushdb()
    admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {DB_NAME}")
    processes, stop, clients, failed = Processes(logs), threading.Event(), [], True
    try:
        casts = _seed(args.clients)
        sheets = {kind: sample_sheet(kind) for kind in SHEETS}

        bare_port = _free_port()
        _gunicorn(processes, "bare", "bench.bare_app:application", bare_port, args.workers)
        _baseline(bare_port, args.clients, 2)  # warm
        baseline = _baseline(bare_port, args.clients, BASELINE_SECONDS)
        processes.stop_all()

        port = _free_port()
        _gunicorn(processes, "portal", "portal.wsgi:application", port, args.workers)
        _celery_worker(processes, 1)
        beat = ["-A", "portal", "beat", "--loglevel=INFO", "--schedule", str(work / "schedule")]
        processes.start("beat", [sys.executable, "-m", "celery", *beat])
        stats, numbers = Stats(), []
        clients = [
            SoakClient(index=i + 1, port=port, cast=cast, stats=stats, numbers=numbers,
                       sheets=sheets, stop=stop)
            for i, cast in enumerate(casts)
        ]  # fmt: skip
        seen = _soak(args, processes, clients, stop, broker)
        seen["submitted"] = sum(client.submitted for client in clients)
        seen["certified"] = sum(client.certified for client in clients)
        failures = _report(args, stats, baseline, seen, _account(), processes.log("worker"))
        if stats.failed["5xx"]:
            print("  the portal's log (its first 80 lines that are not warnings):")
            lines = [x for x in processes.log("portal").splitlines() if "WARNING" not in x]
            print("\n".join(f"    {line}" for line in lines[:80]))
        failed = bool(failures)
        if failed:
            print(f"  FAILED: {'; '.join(failures)}")
            sys.exit(1)
        print("  PASSED: no 5xx, nothing unanswered, nothing lost, nothing done twice")
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=REQUEST_TIMEOUT_S + 5)
        processes.stop_all()
        from django.db import connections

        connections.close_all()
        admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        broker.flushdb()
        cache.flushdb()
        for path in work.iterdir():  # the logs stay when something failed
            if path.is_dir() and (path != logs or not failed):
                shutil.rmtree(path, ignore_errors=True)
            elif not path.is_dir():
                path.unlink()
        if failed:
            print(f"  logs kept in {logs}", file=sys.stderr)
        else:
            work.rmdir()


def _report(args, stats: Stats, baseline, seen: dict, account: dict, worker_log: str) -> list:
    """Print the figures; return what failed."""
    every = [x for values in stats.latencies.values() for x in values]
    elapsed, failed = seen["elapsed"], stats.failed
    print(
        f"Soak: {elapsed:.0f} s of load, {args.clients} client threads, gunicorn {args.workers} "
        f"sync workers, 1 Celery worker (prefork, 2 processes) + beat, on {HOST}\n"
        f"  sweeps every {HANDOFF['SWEEP_INTERVAL_SECONDS']} s, hand-off deadline "
        f"{HANDOFF['HANDOFF_DEADLINE_SECONDS']} s, lease {HANDOFF['EVALUATION_LEASE_SECONDS']} s; "
        f"{os.cpu_count()} CPUs shared by the clients, the servers, PostgreSQL and Redis\n"
        f"  requests: {len(every)} answered in {elapsed:.0f} s = {len(every) / elapsed:.1f} "
        f"req/s, p95 {_ms(every, 0.95):.0f} ms; 5xx: {failed['5xx']}; unanswered: "
        f"{failed['unanswered']}; other unexpected statuses: {failed['unexpected']}"
    )
    rps, latencies, bad = baseline
    print(
        f"  baseline: bare Django JSON view (bench/bare_app.py), {args.clients} threads, "
        f"{BASELINE_SECONDS} s just before: {rps:.0f} req/s, p95 {_ms(latencies, 0.95):.1f} ms, "
        f"{bad} failed"
    )
    print(f"  {'operation':<44} {'count':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}  statuses")
    for op, values in sorted(stats.latencies.items(), key=lambda item: -len(item[1])):
        codes = ", ".join(f"{c or 'none'}: {n}" for (o, c), n in sorted(stats.statuses.items())
                          if o == op)  # fmt: skip
        print(
            f"  {op:<44} {len(values):>6} {_ms(values, 0.5):>7.0f} {_ms(values, 0.95):>7.0f} "
            f"{max(values) * 1000:>7.0f}  {codes}"
        )
    if seen["killed"] is not None:
        print(
            f"  worker killed (SIGKILL, with its pool) at {seen['killed']:.0f} s: "
            f"{seen['running']} evaluation(s) running, {seen['queued']} queued, {seen['broker']} "
            f"message(s) in the broker; a new worker {RESTART_AFTER_S} s later, ready in "
            f"{seen.get('ready_s', 0):.1f} s"
        )
    lost = account["submitted"] - account["finished"]
    print(
        f"  evaluations: {account['submitted']} submitted ({seen['submitted']} answered "
        f"202), {account['finished']} finished ({account['errors']} as errors), lost {lost}, "
        f"finished twice {len(account['twice'])}; sent again by a sweep: "
        f"{account['sent_again']} (most sends of one: {account['max_sends']}); lease lapsed "
        f"and run again: {worker_log.count('lease lapsed')}\n"
        f"  certificates: {account['owed']} owed (approved), {account['issued']} issued, "
        f"{seen['certified']} seen by the makers; {account['awaiting_review']} "
        f"submissions left awaiting review when the load stopped"
    )
    state = f"still owed (evaluations, certificates): {seen['owed']}"
    print(
        f"  after the load: {'everything finished' if not any(seen['owed']) else state} "
        f"{seen['drained_s']:.1f} s later; broker queue at most {seen['max_queue']} messages "
        f"({', '.join(f'{task}: {n}' for task, n in seen['queue'].most_common())})"
    )
    print(f"  broker queue every 5 s: {' '.join(map(str, seen['every_5s']))}")
    resent = collections.Counter()
    for line in worker_log.splitlines():
        if match := re.search(r"sweep sent (\d+) owed evaluation", line):
            resent["evaluations"] += int(match[1])
        elif match := re.search(r"sweep sent owed work again: (\{.*\})", line):
            resent.update(ast.literal_eval(match[1]))
    print(f"  messages the sweeps sent again: {dict(resent) or 'none'}")
    if "Traceback" in worker_log:
        first = worker_log[max(worker_log.index("Traceback") - 400, 0) :][:3000]
        print(f"  the worker's log has {worker_log.count('Traceback')} traceback(s); the first:")
        print("\n".join(f"    {line}" for line in first.splitlines()))
    for kind, examples in stats.examples.items():
        if examples:
            print(f"  first requests ({kind}):")
            print("\n".join(f"    {example}" for example in examples))
    for note in stats.notes:
        print(f"  note: {note}")

    checks = {
        f"{failed['5xx']} answers were 5xx": failed["5xx"],
        f"{failed['unanswered']} requests were not answered": failed["unanswered"],
        f"{lost} evaluations lost": lost,
        "not one evaluation per submit answered 202": account["submitted"] != seen["submitted"],
        f"evaluations finished twice (id, times): {account['twice'][:10]}": account["twice"],
        f"{account['done_unaudited']} evaluations done without their audit row": (
            account["done_unaudited"]
        ),
        f"{account['owed'] - account['issued']} certificates owed, not issued": (
            account["owed"] != account["issued"]
        ),
    }
    return [failure for failure, bad in checks.items() if bad]


if __name__ == "__main__":
    main()
