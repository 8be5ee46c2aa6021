"""A status change reaches an automaker's webhook through the real Celery worker, which retries
a failed delivery with backoff and signs every attempt."""

from __future__ import annotations

import json
import os
import time

import pytest

from reports import services, watchlist, webhooks
from reports.models import Certificate, Notification
from tests.reports.conftest import HookServer, make_certificate, signature_ok

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The worker is a separate process started with this environment (once per session, after
# collection): a 0.2 s backoff base keeps the retry within the test's time.
os.environ.setdefault("WEBHOOK_RETRY_BASE_SECONDS", "0.2")
# ...and the receiver below listens on 127.0.0.1, which deliveries refuse unless allowed.
os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_TARGETS", "1")


def _wait_until_sent(note_filter: dict, timeout_s: float = 30.0) -> Notification:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        note = Notification.objects.filter(**note_filter).first()
        if note is not None and note.status != Notification.Status.PENDING:
            return note
        time.sleep(0.05)
    pytest.fail(
        f"the webhook notification was not delivered in {timeout_s} s: {note_filter}. Does "
        "reports/tasks.py register reports.deliver_webhook, so that the worker runs it?"
    )


def test_the_worker_retries_a_failed_webhook_and_signs_it(
    celery_worker, settings, cast, orgs, product
):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True  # the receiver listens on 127.0.0.1
    certificate = make_certificate(product, orgs["lab"], cast["maker"])
    watchlist.watch_add(user=cast["automaker"], number=certificate.number)
    with HookServer([500, 200]) as hook:
        _endpoint, secret = webhooks.webhook_create(user=cast["automaker"], url=hook.url)
        event = services.certificate_change_status(
            user=cast["reviewer"], certificate=certificate,
            new_status=Certificate.Status.REVOKED, reason="cells failed the nail test",
        )  # fmt: skip
        note = _wait_until_sent({"event": event, "channel": Notification.Channel.WEBHOOK})

    assert (note.status, note.attempts, note.last_error) == (Notification.Status.SENT, 2, "")
    assert len(hook.requests) == 2  # refused with 500 once, then accepted
    first, second = hook.requests
    assert first["headers"]["X-SSB-Delivery"] == second["headers"]["X-SSB-Delivery"] == str(note.pk)
    assert first["body"] == second["body"]
    assert signature_ok(first, secret) and signature_ok(second, secret)
    assert second["at"] - first["at"] >= 0.2  # the retry waited for its backoff
    body = json.loads(second["body"])
    assert body["type"] == "certificate.revoked"
    assert body["data"]["number"] == certificate.number
    assert body["data"]["reason"] == "cells failed the nail test"
    assert second["headers"]["X-SSB-Event"] == "certificate.revoked"
