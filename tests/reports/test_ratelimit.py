"""Per-client limits leased from the shared counter (reports/ratelimit.py), against the real
Redis: the limit holds across processes, and a busy client costs few round trips.

Each ``Limiter`` stands for one web process; they share the counter in Redis as processes do.
"""

from __future__ import annotations

import pytest

from reports import ratelimit
from reports.ratelimit import Limiter

NOW = 1_800_000_000.0  # the start of a minute


@pytest.fixture
def round_trips(monkeypatch):
    calls = []
    take = ratelimit._take

    def counting(key, count, ttl_s):
        calls.append(count)
        return take(key, count, ttl_s)

    monkeypatch.setattr(ratelimit, "_take", counting)
    return calls


def _allowed(limiter: Limiter, key: str, n: int, *, limit: int, now: float = NOW) -> int:
    return sum(limiter.allow(key, limit=limit, period_s=60, now=now) for _ in range(n))


def test_one_process_gets_exactly_the_limit(round_trips):
    limiter = Limiter()
    assert _allowed(limiter, "a", 200, limit=120) == 120
    # Leases of 1, 2, 4 and then 120 / 16 = 7 tokens; refused ones cost nothing once full.
    assert round_trips[:4] == [1, 2, 4, 7]
    assert len(round_trips) < 25


def test_processes_together_never_exceed_the_limit():
    processes = [Limiter() for _ in range(4)]
    allowed = sum(processes[i % 4].allow("a", limit=120, period_s=60, now=NOW) for i in range(400))
    # Tokens leased by one process and not used are lost for the window: at worst (N - 1) of
    # the largest lease, 3 x 7 here.
    assert 120 - 3 * 7 <= allowed <= 120


def test_a_busy_client_costs_a_round_trip_per_max_lease(round_trips):
    limiter = Limiter()
    assert _allowed(limiter, "a", 10_000, limit=1_000_000) == 10_000
    assert max(round_trips) == ratelimit.MAX_LEASE
    assert len(round_trips) <= 9 + 10_000 // ratelimit.MAX_LEASE + 1


def test_a_client_that_asks_now_and_then_is_counted_exactly(round_trips):
    processes = [Limiter(), Limiter()]
    # One request a window, alternating processes: one token each time, nothing stranded.
    for window in range(5):
        assert processes[window % 2].allow("a", limit=2, period_s=60, now=NOW + 60 * window)
    assert round_trips == [1] * 5


def test_a_full_window_is_remembered_and_the_next_starts_afresh(round_trips):
    limiter = Limiter()
    assert _allowed(limiter, "a", 3, limit=2) == 2
    trips = len(round_trips)
    assert _allowed(limiter, "a", 50, limit=2) == 0
    assert len(round_trips) == trips  # refused without asking Redis again
    assert _allowed(limiter, "a", 3, limit=2, now=NOW + 60) == 2


def test_clients_are_counted_apart():
    limiter = Limiter()
    assert _allowed(limiter, "a", 5, limit=2) == 2
    assert _allowed(limiter, "b", 5, limit=2) == 2


def test_another_process_sees_the_window_full():
    first, second = Limiter(), Limiter()
    assert _allowed(first, "a", 2, limit=2) == 2
    assert _allowed(second, "a", 1, limit=2) == 0


def test_it_counts_in_the_local_cache_without_redis(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    first, second = Limiter(), Limiter()
    assert _allowed(first, "a", 3, limit=4) == 3
    assert _allowed(second, "a", 3, limit=4) == 1


def test_the_process_forgets_windows_that_ended(monkeypatch):
    monkeypatch.setattr(ratelimit, "PRUNE_ABOVE", 10)
    limiter = Limiter()
    for i in range(10):
        limiter.allow(f"c{i}", limit=5, period_s=60, now=NOW)
    limiter.allow("late", limit=5, period_s=60, now=NOW + 60)
    assert list(limiter._leases) == ["late"]


@pytest.fixture
def redis_away(settings, caplog):
    """The cache points at a port where no Redis listens."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    return caplog


def test_while_redis_is_away_each_process_counts_on_its_own(redis_away, monkeypatch):
    asked = []
    take_shared = ratelimit._take_shared

    def counting(*args):
        asked.append(args)
        return take_shared(*args)

    monkeypatch.setattr(ratelimit, "_take_shared", counting)
    limiter = Limiter()
    assert _allowed(limiter, "a", 5, limit=3) == 3
    assert "each process counts on its own" in redis_away.text
    assert len(redis_away.records) == 1  # said once, not per request
    assert len(asked) == 1  # not asked again for SHARED_RETRY_S
    assert _allowed(Limiter(), "b", 2, limit=3) == 2
    assert len(asked) == 1
    monkeypatch.setattr(ratelimit._fallback, "until", 0.0)  # the retry time has come
    _allowed(Limiter(), "c", 1, limit=3)
    assert len(asked) == 2


@pytest.mark.django_db
def test_verification_answers_while_redis_is_away(api, certificate, redis_away, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"verify": "2/min", "verify_bulk": "2/min"},
    }
    client = api(None)
    url = f"/api/v1/verify/{certificate.number}/"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
