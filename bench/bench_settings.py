"""The portal's own settings for bench/verify_load.py, with a rate limit no load client reaches.

The throttle still counts every request against the shared counter in Redis, leased in batches
as in production (reports/ratelimit.py; its cost is part of what is measured); a real client
would be limited long before the thousands of requests a second of a load test.
The URLs add the baseline view inside the portal's full middleware stack (bench/bench_urls.py).
"""

from __future__ import annotations

from portal.settings import *  # noqa: F403
from portal.settings import REST_FRAMEWORK

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"verify": "100000000/min", "verify_bulk": "100000000/min"},
}
ROOT_URLCONF = "bench.bench_urls"
