"""Test helpers for the hand-offs to the workers: a private Redis broker that a test may stop and
start (the shared one carries every other test's cache), and pointing this process's Celery app
at a broker URL."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import redis
from celery import current_app
from kombu import pools as kombu_pools


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own, without persistence (as a Redis restarted without
    append-only loses what it held)."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.ConnectionError):
                if redis.Redis(port=self.port).ping():
                    return
            time.sleep(0.05)
        raise AssertionError("the private redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def queued(self, queue: str = "celery") -> int:
        """Messages waiting in ``queue``."""
        return redis.Redis(port=self.port).llen(queue)


@contextlib.contextmanager
def broker_at(url: str) -> Iterator[None]:
    """This process's Celery app sends to ``url`` inside the block."""
    app = current_app._get_current_object()
    saved = app.conf.broker_url

    def reset_pools() -> None:
        # Celery keeps a connection pool and kombu a registry of producer pools per connection;
        # both must forget the old broker.
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None
        kombu_pools.reset()

    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    saved_environ = os.environ.get("CELERY_BROKER_URL")
    reset_pools()
    app.conf.broker_url = url
    os.environ["CELERY_BROKER_URL"] = url
    try:
        yield
    finally:
        reset_pools()
        app.conf.broker_url = saved
        if saved_environ is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_environ
