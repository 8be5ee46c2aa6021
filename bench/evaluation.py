"""Evaluation speed, each figure beside a baseline measured in the same run.

    .venv/bin/python bench/evaluation.py [--rows 1000] [--repeat 7]

Needs PostgreSQL and Redis (the same defaults as `make test`); uses its own database
`ssb_bench_eval`, created and dropped here. Goals (issue 2):
  * evaluating a submission with result sheets of 1,000 rows each: under 1 s of worker time;
    baseline: csv.reader over the same four files (a bare library call);
  * submission to visible result with a warm worker: under 2 s;
    baseline: a bare Celery round trip (a no-op portal.ping task) through the same broker.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "ssb_bench_eval"
from benchdb import SERVER_URL, admin_sql  # noqa: E402

BROKER = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
RESULTS = os.environ.get("BENCH_RESULT_BACKEND", "redis://127.0.0.1:6379/12")
MEDIA = tempfile.mkdtemp(prefix="ssb-bench-media-")
SHEETS = ("weight_loss", "electrolyte_content", "energy_density", "safety")

os.environ.update(
    DATABASE_URL=f"{SERVER_URL}/{DB_NAME}",
    CELERY_BROKER_URL=BROKER,
    CELERY_RESULT_BACKEND=RESULTS,
    MEDIA_ROOT=MEDIA,
    DJANGO_SETTINGS_MODULE="portal.settings",
)


def _timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def _line(label: str, samples: list[float], goal: float | None = None) -> str:
    median = statistics.median(samples)
    text = f"  {label:<58} median {median * 1000:8.1f} ms   max {max(samples) * 1000:8.1f} ms"
    if goal is not None:
        text += f"   goal < {goal * 1000:.0f} ms: {'MET' if median < goal else 'MISSED'}"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {DB_NAME}")
    worker = None
    try:
        import django

        django.setup()
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        call_command("seed_demo", password="bench-password-1", verbosity=0, stdout=io.StringIO())

        from certification import services
        from certification.evidence import evaluate_evidence
        from certification.models import Evaluation, Product, Submission, User
        from portal.celery import app
        from tests.samples import sample_sheet

        maker = User.objects.get(username="maker")
        lab = User.objects.get(username="lab")
        product = Product.objects.get(model_number="DSC-SS-100")
        sheets = {
            kind: sample_sheet(kind, rows=args.rows, rated_capacity_ah=product.rated_capacity_ah)
            for kind in SHEETS
        }

        def new_submission() -> Submission:
            submission = services.submission_create(
                user=maker, product=product, claimed_class="all_solid_state", lab=lab.organisation
            )
            for kind, content in sheets.items():
                services.dataset_upload(
                    user=lab,
                    submission=submission,
                    kind=kind,
                    upload=SimpleUploadedFile(f"{kind}.csv", content),
                )
            return submission

        print(f"Evaluation benchmark: 4 result sheets of {args.rows} rows each, {args.repeat} runs")
        rows_total = sum(len(content.splitlines()) - 1 for content in sheets.values())
        print(
            f"  ({rows_total} data rows in all; PostgreSQL {connection.pg_version}, broker {BROKER})"
        )

        # Baseline 1: the bare library call — csv.reader over the same bytes.
        def bare_csv() -> None:
            for content in sheets.values():
                for _row in csv.reader(io.StringIO(content.decode("utf-8"))):
                    pass

        baseline = _timed(bare_csv, args.repeat)

        # Engine only: parse + criteria for an evaluation that is already set up.
        submission = new_submission()
        evaluation = services.submission_submit(user=maker, submission=submission)
        engine = _timed(lambda: evaluate_evidence(evaluation), args.repeat)

        # Worker time: the whole service the task runs (read, verify hashes, parse, judge, store).
        def worker_time() -> None:
            sub = new_submission()
            ev = services.submission_submit(user=maker, submission=sub)
            started = time.perf_counter()
            services.evaluation_run(evaluation_id=ev.pk)
            worker_time.samples.append(time.perf_counter() - started)

        worker_time.samples = []
        for _ in range(args.repeat):
            worker_time()

        print(_line("baseline: csv.reader over the four files", baseline))
        print(_line("engine: parse + criteria (evaluate_evidence)", engine))
        print(
            _line(
                "worker time: services.evaluation_run (whole task)", worker_time.samples, goal=1.0
            )
        )
        print(
            f"  worker time / bare csv.reader: {statistics.median(worker_time.samples) / statistics.median(baseline):.1f}x"
        )

        # Submission to visible result through a real, warm worker process.
        env = {**os.environ, "DATABASE_CONN_MAX_AGE": "60"}
        log = open(Path(MEDIA) / "worker.log", "w")  # noqa: SIM115
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-l", "INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while "ready." not in (Path(MEDIA) / "worker.log").read_text():
            if time.monotonic() > deadline or worker.poll() is not None:
                raise SystemExit(
                    "worker did not start: " + (Path(MEDIA) / "worker.log").read_text()[-2000:]
                )
            time.sleep(0.05)

        def ping() -> None:
            app.send_task("portal.ping").get(timeout=10)

        ping()  # warm
        ping_samples = _timed(ping, args.repeat)

        from django.test import Client

        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(maker)

        def submit_to_visible() -> None:
            sub = new_submission()
            started = time.perf_counter()
            response = client.post(f"/api/v1/submissions/{sub.pk}/submit/")
            assert response.status_code == 202, response.content
            while True:
                body = client.get(f"/api/v1/submissions/{sub.pk}/").json()
                if body["status"] in ("awaiting_review", "evaluation_failed"):
                    break
                if time.perf_counter() - started > 30:
                    raise SystemExit("no result after 30 s")
                time.sleep(0.02)
            submit_to_visible.samples.append(time.perf_counter() - started)

        submit_to_visible.samples = []
        submit_to_visible()  # warm the worker on this code path
        submit_to_visible.samples = []
        for _ in range(args.repeat):
            submit_to_visible()
        print(_line("baseline: bare Celery round trip (portal.ping)", ping_samples))
        print(
            _line(
                "submit -> result visible in the API (warm worker)",
                submit_to_visible.samples,
                goal=2.0,
            )
        )
        done = Evaluation.objects.filter(status="done").count()
        print(f"  ({done} evaluations finished in this run)")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=20)
        from django.db import connections

        connections.close_all()
        admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
