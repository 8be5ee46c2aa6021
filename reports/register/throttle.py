"""The register's rate limits: counted as verification counts (``reports.ratelimit``, per signed-in
user or per client address, shared by every process), a page and an API call alike.

Scopes: ``register`` (a search, a product page; ``REGISTER_RATE``) and ``register_export`` (a
download of up to 10,000 rows; ``REGISTER_EXPORT_RATE``). Settings may name them in
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``; otherwise the defaults below hold.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.settings import api_settings

from reports.api.verify import VerifyRateThrottle

DEFAULT_RATES = {"register": "120/min", "register_export": "10/min"}


class RegisterRateThrottle(VerifyRateThrottle):
    def get_rate(self):
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        return rates.get(self.scope, DEFAULT_RATES.get(self.scope))


class RegisterThrottled(exceptions.Throttled):
    default_detail = gettext_lazy(
        "Too many register requests from your address. To read many certificates at once, "
        "download the filtered list as CSV or JSON."
    )
    extra_detail_singular = gettext_lazy("Try again in {wait} second.")
    extra_detail_plural = gettext_lazy("Try again in {wait} seconds.")


def wait_seconds(request: HttpRequest, scope: str) -> int | None:
    """Whole seconds to wait when ``request`` is over the scope's rate, else None (counting the
    request when it is not)."""
    throttle = RegisterRateThrottle()
    if throttle.allow_request(request, SimpleNamespace(throttle_scope=scope)):
        return None
    return math.ceil(throttle.wait())


def check(request: HttpRequest, scope: str) -> None:
    """Raise ``RegisterThrottled`` (a 429 with Retry-After) when over the rate."""
    wait = wait_seconds(request, scope)
    if wait is not None:
        raise RegisterThrottled(wait=wait)
