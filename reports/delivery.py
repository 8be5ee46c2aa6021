"""Telling watchers that a certificate changed status: by email and by signed webhook.

An automaker watches its suppliers' certificates (``reports.watchlist``). Each
``CertificateEvent`` (written by ``reports.services`` with every status change) is handed to
``notify_event`` after commit; it writes one ``Notification`` per watching organisation per
channel: an email to the organisation's users that have an address, and a webhook delivery per
active endpoint (``reports.webhooks``). The ``notify_once`` constraint makes a second run for
the same event a no-op.

Both channels are delivered by the tasks ``reports.deliver_email`` and
``reports.deliver_webhook`` (``reports.handoffs``), queued after commit and retried with the same
back-off (``retry_countdown_s``): ``email_deliver`` sends the email, ``webhook_deliver`` POSTs
the webhook, its body signed with the endpoint's secret:
``X-SSB-Signature: sha256=<hex HMAC-SHA256 of the body>``. Each attempt records when the
next one is due (``due_at``), so ``reports.sweep`` can tell a lost message from a waiting one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import json
import logging
import smtplib
import socket
import urllib.parse
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from certification.exceptions import InvalidInput, NotFound, PortalError
from certification.models import User
from certification.timestamps import api_time
from reports import handoffs, links, webhooks
from reports.models import CertificateEvent, Notification, WatchedCertificate, WebhookEndpoint

log = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_S = 5
WEBHOOK_MAX_RETRIES = 6
EMAIL_MAX_RETRIES = WEBHOOK_MAX_RETRIES
# Responses worth another try: the receiver is down, overloaded or asks us to slow down.
RETRYABLE_HTTP = frozenset({408, 425, 429, 500, 502, 503, 504})
ERROR_MAX_CHARS = 2000


class TransientDeliveryError(Exception):
    """The email or webhook could not be delivered this time; a later attempt may succeed."""


# --- notifying ---------------------------------------------------------------------------------


def notify_event(*, event_id: int) -> int:
    """Tell every organisation watching the event's certificate; returns notifications created.

    Idempotent: a Notification exists at most once per event, organisation, channel and
    endpoint (``notify_once``); emails still pending are queued again (``deliver_email`` sends
    each at most once), webhooks are queued once. Deliveries are queued after commit.
    """
    event = CertificateEvent.objects.select_related("certificate").get(pk=event_id)
    org_ids = list(
        WatchedCertificate.objects.filter(certificate_id=event.certificate_id).values_list(
            "organisation_id", flat=True
        )
    )
    if not org_ids:
        CertificateEvent.objects.filter(pk=event.pk, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
        return 0
    emailed = set(
        _recipients(org_ids).values_list("organisation_id", flat=True).distinct().order_by()
    )
    endpoints: dict[int, list[WebhookEndpoint]] = defaultdict(list)
    for endpoint in WebhookEndpoint.objects.filter(organisation_id__in=org_ids, active=True):
        endpoints[endpoint.organisation_id].append(endpoint)

    created_count = 0
    with transaction.atomic():
        for org_id in org_ids:
            if org_id in emailed:
                note, created = Notification.objects.get_or_create(
                    event=event, organisation_id=org_id, channel=Notification.Channel.EMAIL,
                    webhook=None,
                )  # fmt: skip
                created_count += created
                if note.status == Notification.Status.PENDING:
                    _enqueue_email(note.pk)
            for endpoint in endpoints[org_id]:
                note, created = Notification.objects.get_or_create(
                    event=event, organisation_id=org_id, channel=Notification.Channel.WEBHOOK,
                    webhook=endpoint,
                )  # fmt: skip
                if created:
                    created_count += 1
                    _enqueue_delivery(note.pk)
        CertificateEvent.objects.filter(pk=event.pk, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
    return created_count


def _recipients(org_ids: Iterable[int]) -> QuerySet[User]:
    """The organisations' active users that have an email address and want each change told
    at once (the others get the daily digest, ``reports.digest``, or nothing)."""
    return (
        User.objects.filter(
            organisation_id__in=list(org_ids),
            is_active=True,
            notifications=User.Notifications.IMMEDIATE,
        )
        .exclude(email="")
        .order_by("pk")
    )


def _enqueue_email(notification_id: int) -> None:
    handoffs.DELIVER_EMAIL.on_commit(notification_id)


def _enqueue_delivery(notification_id: int) -> None:
    handoffs.DELIVER_WEBHOOK.on_commit(notification_id)


def _event_text(event: CertificateEvent) -> tuple[str, str]:
    certificate = event.certificate
    content = certificate.content or {}
    values = {
        "number": certificate.number,
        "holder": (content.get("holder") or {}).get("name", ""),
        "model": (content.get("product") or {}).get("model_number", ""),
        "from": certificate.Status(event.from_status).label if event.from_status else "—",
        "to": certificate.Status(event.to_status).label,
        "reason": event.reason or "—",
        "at": timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M"),
        "url": links.verification_url(certificate.number),
    }
    subject = _("Certificate %(number)s is now %(to)s") % values
    body = _(
        "Certificate %(number)s (%(holder)s, %(model)s), which your organisation watches, "
        "changed status on %(at)s: %(from)s → %(to)s.\nReason: %(reason)s\n\n"
        "Check it: %(url)s\n"
    )
    body %= values
    return subject, body


def _email_text(event: CertificateEvent) -> tuple[str, str]:
    """Subject and body in every portal language (Chinese is first-class and users have no
    language preference stored)."""
    texts = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts.append(_event_text(event))
    subject = " / ".join(dict.fromkeys(s for s, _b in texts))
    body = "\n\n".join(dict.fromkeys(b for _s, b in texts))
    return subject, body


def email_deliver(*, notification_id: int, final: bool) -> str:
    """Send one email notification once and record the attempt; returns the status.

    A notification already sent is left alone. The row is locked while sending, so that two
    runs of the task cannot both send it. Raises ``TransientDeliveryError`` when the mail
    server failed (SMTP or OS error) and this is not the ``final`` attempt.
    """
    with transaction.atomic():
        note = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, channel=Notification.Channel.EMAIL)
            .first()
        )
        if note is None or note.status == Notification.Status.SENT:
            return "gone" if note is None else note.status
        recipients = list(_recipients([note.organisation_id]).values_list("email", flat=True))
        if not recipients:
            _record(note, status=Notification.Status.FAILED, error="no recipients", count=False)
            return Notification.Status.FAILED
        event = CertificateEvent.objects.select_related("certificate").get(pk=note.event_id)
        subject, body = _email_text(event)
        try:
            send_mail(subject, body, None, recipients)
        except (smtplib.SMTPException, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.warning("email notification %s failed: %s", note.pk, error)
        else:
            _record(note, status=Notification.Status.SENT, error="")
            return Notification.Status.SENT
        status = Notification.Status.FAILED if final else Notification.Status.PENDING
        _record(note, status=status, error=error)
    if not final:
        raise TransientDeliveryError(error)
    return Notification.Status.FAILED


# --- webhook delivery --------------------------------------------------------------------------


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


TEST_EVENT = "webhook.test"


def event_type(note: Notification) -> str:
    """What the delivery tells: ``certificate.<new status>``, or ``webhook.test``."""
    return TEST_EVENT if note.event_id is None else f"certificate.{note.event.to_status}"


def _test_payload(note: Notification) -> dict[str, Any]:
    """A test event: the shape of a real one, with example values a receiver cannot mistake
    for a certificate (``test`` is true, the number is the prefix's year 0000)."""
    number = f"{settings.CERTIFICATE_NUMBER_PREFIX}-0000-000000"
    return {
        "id": str(note.pk),
        "type": TEST_EVENT,
        "test": True,
        "created": api_time(note.created_at),
        "data": {
            "number": number,
            "from_status": "valid",
            "to_status": "suspended",
            "reason": "test event sent from the portal's webhooks page",
            "superseded_by": None,
            "holder": {"name": "Example Cell Maker"},
            "product": {
                "model_number": "EXAMPLE-1",
                "name": "Example cell",
                "classification_code": None,
            },
            "verification_url": links.verification_url(number),
            "status_url": links.status_api_url(number),
        },
    }


def webhook_payload(note: Notification) -> dict[str, Any]:
    """The event as posted: stable across retries, so a receiver can de-duplicate by ``id``."""
    if note.event_id is None:
        return _test_payload(note)
    event = note.event
    certificate = event.certificate
    return {
        "id": str(note.pk),
        "type": event_type(note),
        "test": False,
        "created": api_time(event.at),
        "data": {
            "number": certificate.number,
            "from_status": event.from_status or None,
            "to_status": event.to_status,
            "reason": event.reason,
            "superseded_by": (
                certificate.superseded_by.number if certificate.superseded_by_id else None
            ),
            "holder": (certificate.content or {}).get("holder"),
            "product": {
                k: (certificate.content or {}).get("product", {}).get(k)
                for k in ("model_number", "name", "classification_code")
            },
            "verification_url": links.verification_url(certificate.number),
            "status_url": links.status_api_url(certificate.number),
        },
    }


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST and return the status code. http.client sends header names as written and never
    follows a redirect (which would turn the POST into a GET somewhere else). The TCP connection
    goes to the address checked by ``webhooks.connect_address``; the Host header and, for
    https, the certificate check and SNI still use the host name."""
    parts = urllib.parse.urlsplit(url)
    address = webhooks.connect_address(parts.hostname)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=WEBHOOK_TIMEOUT_S)
    connection._create_connection = lambda target, *args, **kwargs: socket.create_connection(
        (address, target[1]), *args, **kwargs
    )
    try:
        path = parts.path or "/"
        connection.request("POST", f"{path}?{parts.query}" if parts.query else path, body, headers)
        response = connection.getresponse()
        response.read(65536)
        return response.status
    finally:
        connection.close()


def webhook_deliver(*, notification_id: int, final: bool) -> str:
    """POST one webhook notification once and record the attempt; returns the status.

    Raises ``TransientDeliveryError`` when the receiver could not be reached or answered 5xx,
    408 or 429 and this is not the ``final`` attempt; other answers are final.
    """
    note = (
        Notification.objects.select_related("event__certificate__superseded_by", "webhook")
        .filter(pk=notification_id, channel=Notification.Channel.WEBHOOK)
        .first()
    )
    if note is None or note.status == Notification.Status.SENT:
        return "gone" if note is None else note.status
    endpoint = note.webhook
    if endpoint is None or not endpoint.active:
        _record(note, status=Notification.Status.FAILED, error="endpoint disabled", count=False)
        return Notification.Status.FAILED
    body = json.dumps(webhook_payload(note), ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "SSB-Portal-Webhook/1",
        "X-SSB-Event": event_type(note),
        "X-SSB-Delivery": str(note.pk),
        "X-SSB-Signature": sign(body, endpoint.secret),
    }
    code = None
    try:
        code = _post(endpoint.url, body, headers)
    except (OSError, http.client.HTTPException) as exc:
        error, retryable = f"{type(exc).__name__}: {exc}", True
    except ValueError as exc:  # an address http.client cannot use: no later attempt will either
        error, retryable = f"{type(exc).__name__}: {exc}", False
    else:
        if 200 <= code < 300:
            _record(note, status=Notification.Status.SENT, error="", http_status=code)
            return Notification.Status.SENT
        error, retryable = f"HTTP {code}", code in RETRYABLE_HTTP
    if retryable and not final:
        _record(note, status=Notification.Status.PENDING, error=error, http_status=code)
        raise TransientDeliveryError(error)
    _record(note, status=Notification.Status.FAILED, error=error, http_status=code)
    return Notification.Status.FAILED


# --- test events and the delivery log ----------------------------------------------------------

# An automaker may send this many test events to one endpoint per TEST_WINDOW: enough to debug
# a receiver, too few to turn the portal into a tool that hammers someone else's server.
TEST_EVENTS_PER_WINDOW = 5
TEST_WINDOW = dt.timedelta(minutes=1)


class TooManyTests(PortalError):
    code = "throttled"
    http_status = 429


def webhook_test(*, user: User, endpoint: WebhookEndpoint) -> Notification:
    """Send a test event to one of the user's endpoints now, and return its delivery as recorded.

    The test is a delivery like any other: ``webhook_deliver`` posts it, so the address is
    resolved and checked as for every real delivery (``webhooks.connect_address``: a private or
    loopback target is refused unless ``WEBHOOK_ALLOW_PRIVATE_TARGETS``), and the body is signed
    with the endpoint's secret. It is tried once (no retry) and kept in the endpoint's log.
    """
    webhooks.ensure_can_keep_watchlist(user)
    with transaction.atomic():
        endpoint = webhooks.webhooks_of(user).select_for_update().filter(pk=endpoint.pk).first()
        if endpoint is None:
            raise NotFound(_("You have no such webhook."))
        if not endpoint.active:
            raise InvalidInput(
                _("This webhook is deactivated: activate it to send it a test event.")
            )
        since = timezone.now() - TEST_WINDOW
        recent = Notification.objects.filter(
            webhook=endpoint, event__isnull=True, created_at__gte=since
        ).count()
        if recent >= TEST_EVENTS_PER_WINDOW:
            raise TooManyTests(
                _("At most %(count)s test events a minute per webhook; wait a moment.")
                % {"count": TEST_EVENTS_PER_WINDOW}
            )
        note = Notification.objects.create(
            event=None,
            organisation_id=endpoint.organisation_id,
            channel=Notification.Channel.WEBHOOK,
            webhook=endpoint,
        )
    webhook_deliver(notification_id=note.pk, final=True)
    note.refresh_from_db()
    return note


def deliveries_of(endpoint: WebhookEndpoint) -> QuerySet[Notification]:
    """The endpoint's deliveries, newest first (its log); callers check the endpoint is the
    user's (``webhooks.webhooks_of``)."""
    return (
        Notification.objects.filter(webhook=endpoint, channel=Notification.Channel.WEBHOOK)
        .select_related("event__certificate")
        .order_by("-id")
    )


def delivery_row(note: Notification) -> dict[str, Any]:
    """One line of an endpoint's delivery log: when, what, the HTTP status, attempts and when
    the next attempt is due while one is."""
    pending = note.status == Notification.Status.PENDING
    return {
        "id": note.pk,
        "created_at": note.created_at,
        "event": event_type(note),
        "test": note.event_id is None,
        "number": note.event.certificate.number if note.event_id else None,
        "status": note.status,
        "status_display": str(note.get_status_display()),
        "http_status": note.http_status,
        "attempts": note.attempts,
        "last_attempt_at": note.last_attempt_at,
        "next_retry_at": note.due_at if pending and note.attempts else None,
        "error": note.last_error,
    }


def _record(
    note: Notification, *, status: str, error: str, count: bool = True, http_status=None
) -> None:
    now = timezone.now()
    changes: dict[str, Any] = {}
    if count:  # an attempt was made (not a notification given up before any)
        changes["last_attempt_at"] = now
        changes["http_status"] = http_status
    if status == Notification.Status.PENDING:
        # The task retries after this countdown; the sweep waits that long before it calls the
        # message lost.
        changes["due_at"] = now + dt.timedelta(seconds=retry_countdown_s(note.attempts))
    Notification.objects.filter(pk=note.pk).update(
        status=status,
        attempts=F("attempts") + (1 if count else 0),
        last_error=error[:ERROR_MAX_CHARS],
        sent_at=now if status == Notification.Status.SENT else None,
        **changes,
    )


def retry_countdown_s(retries: int) -> float:
    """Exponential backoff for emails and webhooks: base, 2x base, 4x base ...
    (``WEBHOOK_RETRY_BASE_SECONDS``)."""
    return retry_base_s() * (2**retries)


def retry_base_s() -> float:
    return float(settings.WEBHOOK_RETRY_BASE_SECONDS)
