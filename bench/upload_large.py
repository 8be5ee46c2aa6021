"""A 1 GB raw-data upload through gunicorn with the compose settings (issue 11).

    .venv/bin/python bench/upload_large.py [--size-mb 1000] [--storage s3|filesystem] [--parse]

Starts what docker/compose.yml runs, on 127.0.0.1 only: the object store (SeaweedFS through
scripts/objectstore.sh, as the test command does; or the filesystem), and gunicorn with the
``web`` service's command line as written in the compose file (sync workers, its --timeout).
Seeds its own database ``ssb_bench_upload`` (created and dropped) with the demo cast, makes an API
token for the demo lab, and POSTs a generated Battery Data Format CSV of the given size (cached in
$TMPDIR) to ``/api/v1/submissions/<id>/datasets/`` as multipart, streamed from disk. Prints the
time to send the body, the time the server took after the last byte (what nginx, which buffers
the body, would wait: gunicorn's --timeout must cover it), the web worker's peak RSS (VmHWM,
before and after), and checks the stored object's size and SHA-256. With --parse it also starts
the compose ``worker`` command (Celery) and times the worker's read of the file (the upload
answers 202 before it), with the worker pool's peak RSS.

Needs PostgreSQL and Redis (the `make test` defaults); Redis databases 12 and 13 by default
(BENCH_UPLOAD_BROKER_URL, BENCH_UPLOAD_REDIS_URL), flushed before and after.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

DB_NAME = "ssb_bench_upload"
from benchdb import SERVER_URL, admin_sql  # noqa: E402

BROKER = os.environ.get("BENCH_UPLOAD_BROKER_URL", "redis://127.0.0.1:6379/12")
CACHE = os.environ.get("BENCH_UPLOAD_REDIS_URL", "redis://127.0.0.1:6379/13")
HOST = "127.0.0.1"
PASSWORD = "upload-bench-1"  # noqa: S105 -- throwaway users of a database dropped at the end
CHUNK = 1024 * 1024
BOUNDARY = "ssb-bench-upload-boundary"


def _flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _compose_command(service: str) -> list[str]:
    import yaml

    compose = yaml.safe_load((ROOT / "docker" / "compose.yml").read_text(encoding="utf-8"))
    return shlex.split(compose["services"][service]["command"])


def _data_file(size: int) -> Path:
    """A BDF CSV of exactly ``size`` bytes at most (whole lines), cached in $TMPDIR."""
    from cycler_summary import generate

    path = Path(tempfile.gettempdir()) / f"ssb-bench-upload-{size}.csv"
    if not path.exists():
        print(f"generating {path} ({size / 1e6:.0f} MB, once)", flush=True)
        raw = path.with_suffix(".raw")
        generate(raw, size // 18)  # rows of 18 to 22 bytes: more than enough, then cut
        with raw.open("rb+") as handle:
            handle.seek(size - 64)
            tail = handle.read(64)
            handle.truncate(size - 64 + tail.rindex(b"\n") + 1)
        raw.rename(path)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _vm_hwm_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _start_objectstore(work: Path) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "objectstore.sh"), str(work / "objectstore")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"},
    )
    found: dict[str, str] = {}
    for line in process.stdout:
        key, sep, value = line.strip().partition("=")
        if sep and key in ("STORAGE_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            found[key] = value
        if len(found) == 3:
            return process, found
    raise SystemExit(f"the object store did not start (exit {process.wait()})")


def _seed() -> tuple[int, str]:
    """Migrate, load the rule sets and the demo cast; returns a draft submission of the demo
    lab and an API token of that lab's user."""
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from certification import access
    from certification.models import Submission, User
    from certification.tokens import token_create

    call_command("migrate", verbosity=0)
    call_command("seed_demo", password=PASSWORD, verbosity=0, stdout=io.StringIO())
    lab = User.objects.get(username="lab")
    submission = next(
        s
        for s in Submission.objects.filter(status=Submission.Status.DRAFT)
        if access.upload_source_for(lab, s) is not None
    )
    _, key = token_create(user=lab, name="bench", expires_at=timezone.now() + dt.timedelta(days=1))
    connections.close_all()
    return submission.pk, key


def _upload(port: int, token: str, submission: int, path: Path) -> dict:
    """POST the file as multipart, streamed from disk; the times of the last byte sent and of
    the answer."""
    import http.client

    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\ncycler\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{path.name}"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    length = len(head) + path.stat().st_size + len(tail)
    conn = http.client.HTTPConnection(HOST, port, timeout=900)
    start = time.perf_counter()
    conn.putrequest("POST", f"/api/v1/submissions/{submission}/datasets/")
    conn.putheader("Authorization", f"Token {token}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    conn.putheader("Content-Length", str(length))
    conn.endheaders()
    conn.send(head)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            conn.send(chunk)
    conn.send(tail)
    sent = time.perf_counter()
    response = conn.getresponse()
    body = response.read()
    answered = time.perf_counter()
    conn.close()
    return {
        "status": response.status,
        "body": body,
        "send_s": sent - start,
        "after_body_s": answered - sent,
        "total_s": answered - start,
    }


def _get(port: int, token: str, path: str) -> dict:
    import http.client

    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", path, headers={"Authorization": f"Token {token}"})
    data = json.loads(conn.getresponse().read())
    conn.close()
    return data


def _wait_parsed(port: int, token: str, dataset: int, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = _get(port, token, f"/api/v1/datasets/{dataset}/")
        if data.get("parse_status") not in ("queued", "parsing"):
            return data
        time.sleep(0.5)
    return {"parse_status": "still reading after the timeout"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1000, help="file size in MB (10^6 bytes)")
    parser.add_argument("--storage", choices=("s3", "filesystem"), default="s3")
    parser.add_argument("--parse", action="store_true", help="also time the worker's read")
    args = parser.parse_args()

    path = _data_file(args.size_mb * 1_000_000)
    size = path.stat().st_size
    expected_sha = _sha256(path)
    work = Path(tempfile.mkdtemp(prefix="ssb-upload-bench-"))
    processes: list[subprocess.Popen] = []
    admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {DB_NAME}")
    _flush(BROKER)
    _flush(CACHE)
    try:
        env = {
            **os.environ,
            "DATABASE_URL": f"{SERVER_URL}/{DB_NAME}",
            "CELERY_BROKER_URL": BROKER,
            "REDIS_URL": CACHE,
            "PORTAL_VAR_DIR": str(work),
            "MEDIA_ROOT": str(work / "media"),
            "DEBUG": "0",
            "SECRET_KEY": "upload-bench-" + "k" * 40,
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": "http://127.0.0.1:8000",
            "TMPDIR": str(work),
        }
        env.pop("STORAGE_URL", None)
        if args.storage == "s3":
            store, found = _start_objectstore(work)
            processes.append(store)
            env.update(found)
        os.environ.update(env)
        submission, token = _seed()

        port = _free_port()
        argv = _compose_command("web")
        argv[0] = str(Path(sys.executable).with_name("gunicorn"))
        argv[argv.index("--bind") + 1] = f"{HOST}:{port}"
        web = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=(work / "web.log").open("w"),
                               stderr=subprocess.STDOUT)  # fmt: skip
        processes.append(web)
        deadline = time.monotonic() + 60
        while len(_children(web.pid)) < int(argv[argv.index("--workers") + 1]):
            if web.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start:\n{(work / 'web.log').read_text()}")
            time.sleep(0.2)
        time.sleep(1)
        worker_process = None
        if args.parse:
            argv = _compose_command("worker")
            argv[0] = str(Path(sys.executable).with_name("celery"))
            worker_process = subprocess.Popen(argv, cwd=ROOT, env=env,
                                              stdout=(work / "worker.log").open("w"),
                                              stderr=subprocess.STDOUT)  # fmt: skip
            processes.append(worker_process)
            while "ready." not in (work / "worker.log").read_text():
                if worker_process.poll() is not None:
                    raise SystemExit(
                        f"the worker did not start:\n{(work / 'worker.log').read_text()}"
                    )
                time.sleep(0.2)

        workers = _children(web.pid)
        # Warm every worker up (the first request imports the views and their libraries), so
        # that the peak below is the upload's own.
        for _ in range(6 * len(workers)):
            _get(port, token, "/api/v1/datasets/")
        idle = {pid: _vm_hwm_kib(pid) for pid in workers}
        print(f"gunicorn: {' '.join(_compose_command('web')[1:])}")
        print(f"storage: {args.storage}; file: {size:,} bytes ({size / 1e9:.2f} GB), {path}")
        result = _upload(port, token, submission, path)
        peak = {pid: _vm_hwm_kib(pid) for pid in workers}
        print(f"answer: HTTP {result['status']} {result['body'][:200].decode(errors='replace')}")
        print(f"  send the body (client -> gunicorn, loopback)   {result['send_s']:7.1f} s")
        print(f"  server after the last byte (nginx would wait)  {result['after_body_s']:7.1f} s")
        print(f"  total                                          {result['total_s']:7.1f} s")
        busiest = max(workers, key=lambda pid: peak[pid] - idle[pid])
        print(f"  web worker peak RSS (VmHWM): {peak[busiest] / 1024:.0f} MiB "
              f"(after warm-up {idle[busiest] / 1024:.0f} MiB)")  # fmt: skip
        if result["status"] >= 300:
            print((work / "web.log").read_text()[-3000:])
            return 1
        dataset = json.loads(result["body"])
        ok = dataset["sha256"] == expected_sha and dataset["size_bytes"] == size
        print(
            f"  stored: {dataset['size_bytes']:,} bytes, SHA-256 {'matches' if ok else 'DIFFERS'}"
        )
        if worker_process is not None:
            start = time.perf_counter()
            parsed = _wait_parsed(port, token, dataset["id"], timeout=900)
            took = time.perf_counter() - start
            pool = _children(worker_process.pid)
            rss = max((_vm_hwm_kib(pid) for pid in pool), default=0)
            print(f"  worker read: {parsed.get('parse_status')} after {took:.1f} s "
                  f"(rows {parsed.get('row_count')}); pool peak RSS {rss / 1024:.0f} MiB")  # fmt: skip
        return 0 if ok else 1
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        from django.db import connections

        connections.close_all()
        admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        _flush(BROKER)
        _flush(CACHE)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
