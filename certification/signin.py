"""A limit on failed sign-ins, per account and per client address, for the login page and the
API's token endpoint alike.

After ``SIGNIN_MAX_FAILURES_PER_ACCOUNT`` wrong passwords for one username, or
``SIGNIN_MAX_FAILURES_PER_ADDRESS`` from one address (any usernames), further attempts are
refused — the right password too — until ``SIGNIN_LOCKOUT_SECONDS`` after the last failure.
The counters live in the cache (Redis in production, shared by every process). Django's
``user_login_failed`` signal counts every failed ``authenticate()``; a successful sign-in clears
the account's counter. The moment a lock engages is written to the audit trail.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

from certification.models import Organisation, User
from certification.services.common import audit


def client_address(request) -> str:
    """The client's address as the API's throttles see it (``NUM_PROXIES`` honoured)."""
    if request is None:
        return "unknown"
    return BaseThrottle().get_ident(request) or "unknown"


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"signin-failures:{kind}:{digest}"


def _limits() -> tuple[tuple[str, int], ...]:
    return (
        ("account", settings.SIGNIN_MAX_FAILURES_PER_ACCOUNT),
        ("address", settings.SIGNIN_MAX_FAILURES_PER_ADDRESS),
    )


def _keys(username: str, address: str) -> dict[str, str]:
    return {"account": _key("account", username or ""), "address": _key("address", address)}


def locked_message(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return _(
        "Too many failed sign-ins. For your account's safety, try again in %(minutes)s "
        "minute(s), or ask your organisation's administrator to reset your password."
    ) % {"minutes": minutes}


def lockout_remaining(*, username: str, address: str) -> int | None:
    """Seconds until sign-in is allowed again for this username from this address, or None."""
    keys = _keys(username, address)
    stored = cache.get_many([*keys.values(), *(f"{key}:at" for key in keys.values())])
    for kind, limit in _limits():
        if stored.get(keys[kind], 0) >= limit:
            last = stored.get(f"{keys[kind]}:at", time.time())
            return max(1, int(last + settings.SIGNIN_LOCKOUT_SECONDS - time.time()))
    return None


def record_failure(*, username: str, address: str) -> None:
    keys = _keys(username, address)
    window = settings.SIGNIN_LOCKOUT_SECONDS
    engaged = []
    for kind, limit in _limits():
        key = keys[kind]
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
        cache.touch(key, timeout=window)  # the window runs from the last failure
        cache.set(f"{key}:at", time.time(), timeout=window)
        if count == limit:
            engaged.append(kind)
    user = (
        User.objects.select_related("organisation")
        .filter(username__iexact=(username or "").strip())
        .first()
    )
    if user is not None and is_staff(user):
        # Every failed sign-in of the certification body's and regulators' staff is on record.
        audit(
            action="signin.failed",
            actor=None,
            organisation=user.organisation,
            object_type="user",
            object_id=user.pk,
            username=user.username,
            address=address,
        )
    if engaged:
        audit(
            action="signin.locked",
            actor=None,
            organisation=user.organisation if user else None,
            object_type="user" if user else "",
            object_id=user.pk if user else "",
            username=(username or "")[:150],
            address=address,
            by=engaged,
            seconds=window,
        )


def is_staff(user: User) -> bool:
    """Whose failed sign-ins are audited one by one: portal administrators and the people of
    the certification body and the regulators."""
    kinds = (Organisation.Kind.CERTIFICATION_BODY, Organisation.Kind.REGULATOR)
    return (
        user.is_staff
        or user.is_superuser
        or (user.organisation_id is not None and user.organisation.kind in kinds)
    )


def record_success(*, username: str) -> None:
    key = _key("account", username or "")
    cache.delete_many([key, f"{key}:at"])


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    record_failure(username=str(credentials.get("username", "")), address=client_address(request))


@receiver(user_logged_in)
def _clear_on_success(sender, request, user, **kwargs):
    record_success(username=user.get_username())
