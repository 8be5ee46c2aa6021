"""A real Celery worker process, run against the test database and the Redis broker.

The worker reads the same PostgreSQL test database (committed data: these tests are
transactional) and the same media folder as the test process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, RESULTS

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] or ""
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="session")
def e2e_media_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e-media")


@pytest.fixture(autouse=True)
def _media_root(settings, e2e_media_root):
    settings.MEDIA_ROOT = e2e_media_root


@pytest.fixture(autouse=True)
def _rulesets(transactional_db):
    # Transactional tests empty every table afterwards; the rule sets come back from their files.
    from certification.services import rulesets_sync

    rulesets_sync()


def start_worker(
    *, broker: str, database_url: str, media_root: Path, log_path: Path, env: dict | None = None
) -> subprocess.Popen:
    """A real Celery worker process (solo pool) on ``broker``, ready to take tasks."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "MEDIA_ROOT": str(media_root),
        "DATABASE_CONN_MAX_AGE": "0",
        **(env or {}),
    }
    log = log_path.open("a")
    start = log_path.stat().st_size
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "portal", "worker",
            "--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "--hostname", f"e2e-{os.getpid()}-{time.monotonic_ns()}@%h",
        ],
        cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    log.close()
    deadline = time.monotonic() + 60
    while "ready." not in log_path.read_text()[start:]:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the Celery worker did not start:\n{log_path.read_text()[-4000:]}")
        time.sleep(0.1)
    return process


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def test_database_url(django_db_setup, django_db_blocker) -> str:
    with django_db_blocker.unblock():
        return _database_url()


@pytest.fixture(scope="session")
def celery_worker(test_database_url, e2e_media_root, tmp_path_factory):
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        pytest.fail(f"end-to-end tests need the Redis broker; CELERY_BROKER_URL is {broker!r}")
    redis.Redis.from_url(broker).flushdb()
    process = start_worker(
        broker=broker,
        database_url=test_database_url,
        media_root=e2e_media_root,
        log_path=tmp_path_factory.mktemp("worker") / "worker.log",
    )
    yield process
    stop_worker(process)


@pytest.fixture
def browser_page(live_server):
    """A page of Debian's Chromium driven by Playwright, at the live test server."""
    from playwright import sync_api

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is not installed: apt-get install chromium (make test does)")
    RESULTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB"
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
            browser.close()
