"""Per-client rate limits shared by every process, counted in the cache in fixed windows, with
the counting leased in batches so that a busy client does not cost a round trip per request.

Each process takes tokens for a client from the shared counter ("lease"): one token on the
first request of a window, then twice as many on each further lease, up to 1/16 of the limit
(and at most ``MAX_LEASE``). The shared counter counts every leased token, so the limit holds
across processes exactly as with one increment per request: a client can never get more than
the limit in a window. The price of batching is the other way round: tokens a process leased
and did not use are lost for the rest of the window, so a client spread over N processes may be
refused after limit - (N - 1) * (limit / 16) requests at worst. A client that sends a request
now and then leases one token at a time, which is exact.

Once the shared counter says the window is full, the process remembers it and refuses that
client without asking again until the window ends. While the shared counter cannot be reached,
each process counts on its own (``_Fallback``): verification keeps answering, a little more
generously, instead of failing.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import setting_changed
from django.dispatch import receiver
from redis.exceptions import RedisError

# A lease is at most this share of the limit (so little is stranded per process) ...
LEASE_SHARE = 16
# ... and at most this many tokens, whatever the limit.
MAX_LEASE = 256
# Clients remembered per process before windows that have ended are forgotten.
PRUNE_ABOVE = 10_000


@dataclass
class _Lease:
    window: int
    tokens: int = 0  # leased and not yet used
    next_size: int = 1
    full: bool = False  # the shared counter is at the limit for this window


# A Redis that does not answer within this is taken as away ...
REDIS_TIMEOUT_S = 0.5
# ... and not asked again for this long: meanwhile each process counts on its own.
SHARED_RETRY_S = 5.0

logger = logging.getLogger(__name__)


@functools.cache
def _redis_client(location: str):
    import redis

    return redis.Redis.from_url(
        location, socket_connect_timeout=REDIS_TIMEOUT_S, socket_timeout=REDIS_TIMEOUT_S
    )


def _count(counters, key: str, count: int, ttl_s: int) -> int:
    """Add ``count`` to ``key`` in a Django cache; return the new total."""
    if counters.add(key, count, ttl_s):
        return count
    try:
        return counters.incr(key, count)
    except ValueError:  # expired between add and incr
        counters.add(key, count, ttl_s)
        return count


def _take_shared(key: str, count: int, ttl_s: int) -> int:
    """``_count`` in the portal's cache. On Redis this is one round trip on a client kept per
    process: Django's RedisCache builds a new redis-py client for every operation, which costs
    more than the verification itself."""
    config = settings.CACHES.get("default", {})
    location = config.get("LOCATION")
    if (
        config.get("BACKEND") == "django.core.cache.backends.redis.RedisCache"
        and isinstance(location, str)
        and "," not in location
    ):
        pipe = _redis_client(location).pipeline(transaction=False)
        cache_key = cache.make_key(key)
        pipe.set(cache_key, 0, ex=ttl_s, nx=True)
        pipe.incrby(cache_key, count)
        return int(pipe.execute()[1])
    return _count(cache, key, count, ttl_s)


class _Fallback:
    """Where a process counts while the shared counter cannot be reached: the limit then holds
    per process (N times the limit across N processes) rather than every verification failing
    with a server error because Redis is away."""

    def __init__(self) -> None:
        self.counters = LocMemCache("ssb-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
        self.until = 0.0  # until then, do not ask the shared counter

    def reset(self) -> None:
        self.counters.clear()
        self.until = 0.0


_fallback = _Fallback()


def _take(key: str, count: int, ttl_s: int) -> int:
    """Add ``count`` to the shared counter ``key`` (created with a ``ttl_s`` expiry); return the
    new total. While the shared counter is away, the process's own (``_Fallback``)."""
    if time.monotonic() >= _fallback.until:
        try:
            return _take_shared(key, count, ttl_s)
        except (RedisError, OSError):
            _fallback.until = time.monotonic() + SHARED_RETRY_S
            logger.warning(
                "Rate limits cannot reach the shared counter; each process counts on its own "
                "for the next %s s.",
                SHARED_RETRY_S,
                exc_info=True,
            )
    return _count(_fallback.counters, key, count, ttl_s)


class Limiter:
    """Fixed-window limits per key, leased from the shared counter (see the module docstring)."""

    def __init__(self) -> None:
        self._leases: dict[str, _Lease] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._leases.clear()
            _fallback.reset()

    def allow(self, key: str, *, limit: int, period_s: int, now: float | None = None) -> bool:
        """Whether one more request under ``key`` is within ``limit`` per ``period_s``."""
        now = time.time() if now is None else now
        window = int(now // period_s)
        with self._lock:
            lease = self._leases.get(key)
            if lease is None or lease.window != window:
                if len(self._leases) >= PRUNE_ABOVE:
                    self._prune(window)
                lease = self._leases[key] = _Lease(window)
            if lease.tokens > 0:
                lease.tokens -= 1
                return True
            if lease.full:
                return False
            size = lease.next_size
            total = _take(f"{key}:{window}", size, period_s + 1)
            granted = max(0, min(size, limit - (total - size)))
            lease.full = total >= limit
            lease.next_size = min(size * 2, max(1, limit // LEASE_SHARE), MAX_LEASE)
            if granted == 0:
                return False
            lease.tokens = granted - 1
            return True

    def _prune(self, window: int) -> None:
        for key in [k for k, lease in self._leases.items() if lease.window < window]:
            del self._leases[key]
        if len(self._leases) >= PRUNE_ABOVE:  # all current: start again rather than grow
            self._leases.clear()


limiter = Limiter()


@receiver(setting_changed)
def _forget_leases(*, setting, **kwargs):
    # Tests change the rates and the cache; leases taken under the old ones must not count.
    if setting in ("CACHES", "REST_FRAMEWORK"):
        limiter.reset()
