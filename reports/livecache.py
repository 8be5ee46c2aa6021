"""Each web process's own copy of certificate rows and verification answers, kept current by
PostgreSQL change notifications: the public verification answers without a database round trip
when it can, and never with an answer older than the last change it has been told about.

How the copy stays current:

* A trigger on the certificate table (migration reports/0002) sends a notification on
  ``CHANNEL`` for every statement that writes to it, inside the writing transaction: it is
  delivered if and only if the change commits, whichever code path wrote it.
* Each process keeps one listening connection, in a daemon thread started on first use. Every
  notification empties the whole copy: writes (issuance, status changes) are rare next to reads.
* An entry is kept only if no notification arrived while it was being read from the database
  (the generation counter), so a read that raced a change is never kept.
* The copy is used only while the listener is connected and alive. It is emptied when the
  connection drops and again when it is back. The listener pings its connection every
  ``PING_S`` seconds (TCP keepalives and a user timeout bound a ping to a vanished server), and
  the copy is not used when the last completed ping is older than ``ALIVE_S``. Whatever
  happens, an entry lapses after ``settings.VERIFY_CACHE_SECONDS`` (0 turns the copy off).
* Reads inside a transaction never use it (they must see their own snapshot), and neither does
  SQLite, the demo's database, which has no notifications.

So "live" means: a change is seen by every process as soon as its notification arrives, a few
milliseconds after the commit (bench/verify_load.py times it; tests/reports/test_livecache.py
shows each of these rules against the real database).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver

logger = logging.getLogger(__name__)

CHANNEL = "reports_certificate_changed"  # the trigger's channel (migration reports/0002)
APPLICATION_NAME = "ssb-certificate-listener"  # how the connection shows in pg_stat_activity
PING_S = 1.0
# Without a completed ping for this long, the copy is not used (whatever the connection says).
ALIVE_S = 3 * PING_S
RETRY_S = 1.0
MAX_ENTRIES = 20_000

MISSING = object()


class NotifiedCache:
    """A per-process dictionary emptied by every notification on ``channel``."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.generation = 0
        self.listening = False
        # The listener moves this on after every round (ping included): a listener stuck on a
        # connection that neither answers nor fails stops the copy from being used.
        self._alive_until = 0.0
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        os.register_at_fork(after_in_child=self._after_fork)

    # --- use ------------------------------------------------------------------------------

    def usable(self) -> bool:
        """Whether this read may be answered from (and kept in) the copy."""
        if self.listening and time.monotonic() < self._alive_until:
            return settings.VERIFY_CACHE_SECONDS > 0 and not connection.in_atomic_block
        if (
            self._thread is None
            and settings.VERIFY_CACHE_SECONDS > 0
            and connection.vendor == "postgresql"
        ):
            self._start()
        return False

    def get(self, key: Hashable) -> Any:
        """The value kept under ``key``, or ``MISSING``."""
        entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry[0] > settings.VERIFY_CACHE_SECONDS:
            return MISSING
        return entry[1]

    def put(self, key: Hashable, value: Any, generation: int) -> None:
        """Keep ``value`` if nothing changed since ``generation`` was read, before reading it."""
        with self._lock:
            if not self.listening or generation != self.generation:
                return
            if len(self._entries) >= MAX_ENTRIES:
                del self._entries[next(iter(self._entries))]  # the oldest
            self._entries[key] = (time.monotonic(), value)

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        if not self.usable():
            return compute()
        value = self.get(key)
        if value is MISSING:
            generation = self.generation
            value = compute()
            self.put(key, value, generation)
        return value

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    # --- the listener ---------------------------------------------------------------------

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._stop = threading.Event()
            params = {
                # Over TCP, a peer that has gone away is noticed in seconds, not hours.
                "keepalives": 1,
                "keepalives_idle": 5,
                "keepalives_interval": 1,
                "keepalives_count": 3,
                "tcp_user_timeout": 5000,
                **connection.get_connection_params(),
                "autocommit": True,
                "application_name": APPLICATION_NAME,
            }
            self._thread = threading.Thread(
                target=self._listen,
                args=(params, self._stop),
                name=f"listen-{self.channel}",
                daemon=True,
            )
            self._thread.start()

    def _after_fork(self) -> None:
        # A forked process (a server's worker) inherits the copy but not the listening thread:
        # it starts its own on first use.
        self._lock = threading.Lock()
        self._thread = None
        self.listening = False
        self.generation += 1
        self._entries.clear()

    def stop(self) -> None:
        """Stop listening and forget everything (tests, and before a database is dropped)."""
        with self._lock:
            self._stop.set()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=PING_S * 5)
        self._set_listening(False)

    def _set_listening(self, listening: bool) -> None:
        with self._lock:
            self.listening = listening
            self.generation += 1
            self._entries.clear()

    def _listen(self, params: dict[str, Any], stop: threading.Event) -> None:
        import psycopg

        failing = False  # said once when the listener goes, once when it is back
        while not stop.is_set():
            try:
                with psycopg.connect(**params) as conn:
                    conn.execute(f'LISTEN "{self.channel}"')
                    if failing:
                        logger.info("Listening on %s again.", self.channel)
                        failing = False
                    self._alive_until = time.monotonic() + ALIVE_S
                    self._set_listening(True)
                    while not stop.is_set():
                        for _ in conn.notifies(timeout=PING_S):
                            self.clear()
                        conn.execute("SELECT 1")  # a dead connection raises here
                        self._alive_until = time.monotonic() + ALIVE_S
            except Exception:
                if not stop.is_set() and not failing:
                    logger.warning(
                        "Not listening on %s; verification reads the database until the "
                        "connection is back (retrying every %s s).",
                        self.channel,
                        RETRY_S,
                        exc_info=True,
                    )
                failing = True
            finally:
                self._set_listening(False)
            stop.wait(RETRY_S)


certificates = NotifiedCache(CHANNEL)


@receiver(setting_changed)
def _forget_on_setting_change(**kwargs):
    # Answers carry settings (the site address, the number prefix); tests change them.
    certificates.clear()
