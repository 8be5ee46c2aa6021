"""Automakers' webhook endpoints: registering, updating and deleting them, and which addresses
the worker may call.

A webhook makes the portal's worker connect wherever an automaker says, so the worker must not
be turned into a probe of our own network (server-side request forgery). The address is checked
when the endpoint is registered and again, resolved, at every delivery (``connect_address``):
a host name that was public at registration may point into our network by then (DNS rebinding).

What an address reaches decides, not how it is spelt: an IPv6 address that carries an IPv4
address (IPv4-mapped, NAT64, 6to4, Teredo) is judged by that IPv4 address, so
``[64:ff9b::7f00:1]`` is 127.0.0.1 and ``[2002:a9fe:a9fe::]`` is 169.254.169.254. Only public
internet addresses are called. Private networks and loopback are called only when
``WEBHOOK_ALLOW_PRIVATE_TARGETS`` is on (tests, a demo on one machine); link-local (the cloud
metadata service), multicast, reserved, documentation and every other special-purpose range,
never.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
import urllib.parse
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from certification.exceptions import FieldError, InvalidInput
from certification.models import User
from certification.services import audit
from reports.models import WebhookEndpoint
from reports.watchlist import can_keep_watchlist, ensure_can_keep_watchlist

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

PUBLIC = "public"
PRIVATE = "private"  # a private network or loopback: only with WEBHOOK_ALLOW_PRIVATE_TARGETS
REFUSED = "refused"

# What WEBHOOK_ALLOW_PRIVATE_TARGETS lets through: RFC 1918 networks, unique local IPv6
# addresses (RFC 4193) and loopback. Not link-local: 169.254.169.254 is the metadata service.
PRIVATE_TARGETS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "127.0.0.0/8",
        "fc00::/7",
        "::1/128",
    )
)
# Special-purpose ranges (IANA registries) that Python 3.11's ``is_global`` still counts as
# global: the IETF protocol assignments, the retired 6to4 relay anycast, the IPv6
# documentation prefix of RFC 9637 and the SRv6 SIDs of RFC 9602.
NOT_GLOBAL = tuple(
    ipaddress.ip_network(network)
    for network in ("192.0.0.0/24", "192.88.99.0/24", "3fff::/20", "5f00::/16")
)
# NAT64 with the well-known prefix (RFC 6052): the last 32 bits are the IPv4 address reached.
NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
# Local-use NAT64 (RFC 8215): where the IPv4 address sits depends on the network's own prefix
# length, so what it reaches cannot be told; never called.
NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")


# --- addresses ---------------------------------------------------------------------------------


def host_addresses(host: str) -> list[str]:
    """Every address ``host`` resolves to (the one place names are resolved: tests replace it)."""
    return [info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)]


def embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address is a spelling of: IPv4-mapped (``::ffff:0:0/96``),
    NAT64 (``64:ff9b::/96``), 6to4 (``2002::/16``) and Teredo (``2001::/32``, whose packets go
    to both its server and its client). Empty for any other address."""
    if address.ipv4_mapped is not None:
        return (address.ipv4_mapped,)
    if address in NAT64_WELL_KNOWN:
        return (ipaddress.IPv4Address(int(address) & 0xFFFFFFFF),)
    if address.sixtofour is not None:
        return (address.sixtofour,)
    if address.teredo is not None:
        return address.teredo
    return ()


def _reach_of(address: IPAddress) -> str:
    if any(address in network for network in PRIVATE_TARGETS):
        return PRIVATE
    special = (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_link_local
        or getattr(address, "is_site_local", False)
        or any(address in network for network in NOT_GLOBAL)
    )
    return REFUSED if special else PUBLIC


def address_reach(text: str) -> str:
    """What an address reaches: ``PUBLIC``, ``PRIVATE`` (a private network or loopback) or
    ``REFUSED`` (any other special-purpose address). An IPv6 spelling of IPv4 addresses reaches
    the least public of them."""
    address = ipaddress.ip_address(text.split("%")[0])  # without an IPv6 zone ("%eth0")
    if isinstance(address, ipaddress.IPv6Address):
        if address in NAT64_LOCAL_USE:
            return REFUSED
        if embedded := embedded_ipv4(address):
            return _least_public(_reach_of(v4) for v4 in embedded)
    return _reach_of(address)


def _least_public(reaches: Iterable[str]) -> str:
    order = (PUBLIC, PRIVATE, REFUSED)
    return max(reaches, key=order.index)


def may_call(address: str) -> bool:
    """Whether the worker may connect to ``address`` under the current settings."""
    reach = address_reach(address)
    return reach == PUBLIC or (reach == PRIVATE and settings.WEBHOOK_ALLOW_PRIVATE_TARGETS)


def connect_address(host: str) -> str:
    """The address a delivery connects to, resolved now and checked again (DNS rebinding);
    the connection then goes to exactly this address. ``ValueError`` if any address the name
    has may not be called, ``OSError`` if it has none."""
    addresses = host_addresses(host)
    if not addresses:
        raise OSError(f"{host} has no address")
    for address in addresses:
        if not may_call(address):
            raise ValueError(f"{host} resolves to {address}, which is not a public address")
    return addresses[0]


def _checked_url(url: str) -> str:
    """http(s) only, and a host whose every address may be called (``may_call``)."""
    url = (url or "").strip()
    parts = urllib.parse.urlsplit(url)

    def invalid(message: str) -> InvalidInput:
        return InvalidInput(message, errors=[FieldError(message, column="url")])

    try:
        parts.port  # noqa: B018 -- raises ValueError for a port out of range
    except ValueError:
        raise invalid(_("The webhook address has an invalid port.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid(_("Enter an http:// or https:// address for the webhook."))
    try:
        addresses = host_addresses(parts.hostname)
    except (OSError, UnicodeError):
        raise invalid(_("The webhook's host name cannot be resolved.")) from None
    if not addresses or not all(may_call(address) for address in addresses):
        raise invalid(_("The webhook must point to a public internet address."))
    return url


# --- endpoints ---------------------------------------------------------------------------------


def webhooks_of(user) -> QuerySet[WebhookEndpoint]:
    """The endpoints ``user`` may see and change: their organisation's, if an automaker."""
    if not can_keep_watchlist(user):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(organisation_id=user.organisation_id)


def webhook_create(*, user: User, url: str, active: bool = True) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; the secret is returned here once and never shown again."""
    ensure_can_keep_watchlist(user)
    secret = secrets.token_urlsafe(32)
    checked = _checked_url(url)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            organisation_id=user.organisation_id, url=checked, secret=secret, active=active
        )
        # The secret never goes into the log.
        audit(
            action="webhook.created",
            actor=user,
            object_type="webhook",
            object_id=endpoint.pk,
            after=_state(endpoint),
        )
    return endpoint, secret


def _state(endpoint: WebhookEndpoint) -> dict:
    return {"url": endpoint.url, "active": endpoint.active}


def webhook_update(
    *, user: User, endpoint: WebhookEndpoint, url: str | None = None, active: bool | None = None
) -> WebhookEndpoint:
    ensure_can_keep_watchlist(user)
    checked = _checked_url(url) if url is not None else None
    with transaction.atomic():
        endpoint = webhooks_of(user).select_for_update().get(pk=endpoint.pk)
        before = _state(endpoint)
        fields = []
        if checked is not None:
            endpoint.url = checked
            fields.append("url")
        if active is not None:
            endpoint.active = active
            fields.append("active")
        if fields:
            endpoint.save(update_fields=fields)
        if _state(endpoint) != before:
            audit(
                action="webhook.changed",
                actor=user,
                object_type="webhook",
                object_id=endpoint.pk,
                before=before,
                after=_state(endpoint),
            )
    return endpoint


def webhook_delete(*, user: User, endpoint: WebhookEndpoint) -> None:
    ensure_can_keep_watchlist(user)
    with transaction.atomic():
        found = webhooks_of(user).filter(pk=endpoint.pk).first()
        if found is None:
            return
        before = _state(found)
        found.delete()
        audit(
            action="webhook.deleted",
            actor=user,
            object_type="webhook",
            object_id=endpoint.pk,
            before=before,
        )
