"""Watchers are told of status changes: one email per organisation, one signed webhook delivery
per active endpoint, once per event; email and webhook deliveries retry transient failures.

Tasks run in-process (eager); the webhook receiver is a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import hmac
import smtplib
import socket

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from certification.models import Organisation
from reports import delivery, services, watchlist, webhooks
from reports import tasks as notification_tasks
from reports.models import Certificate, Notification
from tests.conftest import make_org, make_user
from tests.reports.conftest import HookServer, payload, signature_ok

pytestmark = pytest.mark.django_db

C = Certificate.Status
N = Notification


@pytest.fixture(autouse=True)
def _setup(eager_celery, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True  # the receiver listens on 127.0.0.1
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0


@pytest.fixture
def automaker(cast):
    user = cast["automaker"]
    user.email = "supply-quality@greatwall.example"
    user.save(update_fields=["email"])
    make_user("buyer", user.organisation, email="buyer@greatwall.example")
    make_user("no_mail", user.organisation)  # no address: not emailed
    return user


@pytest.fixture
def watching(automaker, certificate):
    watchlist.watch_add(user=automaker, number=certificate.number)
    return automaker


def _change(user, certificate, status, reason, capture):
    with capture(execute=True):
        return services.certificate_change_status(
            user=user, certificate=certificate, new_status=status, reason=reason
        )


def test_a_revocation_emails_the_watching_automaker(
    cast, certificate, watching, django_capture_on_commit_callbacks
):
    event = _change(
        cast["reviewer"],
        certificate,
        C.REVOKED,
        "falsified data",
        django_capture_on_commit_callbacks,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["buyer@greatwall.example", "supply-quality@greatwall.example"]
    assert certificate.number in message.subject
    assert "falsified data" in message.body and f"/verify/{certificate.number}" in message.body
    note = Notification.objects.get()
    assert (note.event, note.channel, note.status, note.attempts) == (
        event,
        N.Channel.EMAIL,
        N.Status.SENT,
        1,
    )
    assert note.organisation == watching.organisation and note.sent_at is not None


def test_the_email_is_written_in_english_and_chinese(
    cast, certificate, watching, django_capture_on_commit_callbacks
):
    _change(cast["reviewer"], certificate, C.SUSPENDED, "audit", django_capture_on_commit_callbacks)
    body = mail.outbox[0].body
    assert "changed status" in body
    assert body.count(certificate.number) >= 2  # one text per portal language


def test_a_webhook_is_posted_signed(
    cast, certificate, watching, django_capture_on_commit_callbacks
):
    with HookServer([200]) as hook:
        endpoint, secret = webhooks.webhook_create(user=watching, url=hook.url)
        event = _change(
            cast["reviewer"], certificate, C.REVOKED, "unsafe", django_capture_on_commit_callbacks
        )
    assert len(hook.requests) == 1
    request = hook.requests[0]
    assert signature_ok(request, secret)
    assert not signature_ok(request, "another secret")
    note = Notification.objects.get(channel=N.Channel.WEBHOOK)
    assert request["headers"]["X-SSB-Event"] == "certificate.revoked"
    assert request["headers"]["X-SSB-Delivery"] == str(note.pk)
    assert request["headers"]["Content-Type"].startswith("application/json")
    body = payload(request)
    assert body["id"] == str(note.pk) and body["type"] == "certificate.revoked"
    assert body["data"]["number"] == certificate.number
    assert (body["data"]["from_status"], body["data"]["to_status"]) == ("valid", "revoked")
    assert body["data"]["reason"] == "unsafe"
    assert body["data"]["status_url"].endswith(f"/api/v1/verify/{certificate.number}/")
    assert (note.event, note.webhook, note.status, note.attempts) == (
        event,
        endpoint,
        N.Status.SENT,
        1,
    )


def test_notifying_twice_tells_nobody_twice(
    cast, certificate, watching, django_capture_on_commit_callbacks
):
    with HookServer([200]) as hook:
        webhooks.webhook_create(user=watching, url=hook.url)
        event = _change(
            cast["reviewer"], certificate, C.REVOKED, "unsafe", django_capture_on_commit_callbacks
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert delivery.notify_event(event_id=event.pk) == 0
    assert len(mail.outbox) == 1
    assert len(hook.requests) == 1
    assert Notification.objects.count() == 2


def test_only_watchers_are_told(
    cast, certificate, new_certificate, watching, django_capture_on_commit_callbacks
):
    other = new_certificate()
    _change(cast["reviewer"], other, C.REVOKED, "unsafe", django_capture_on_commit_callbacks)
    assert mail.outbox == [] and not Notification.objects.exists()


def test_every_watching_organisation_is_told_separately(
    cast, certificate, watching, django_capture_on_commit_callbacks
):
    rival = make_user(
        "rival", make_org("Other Motors", Organisation.Kind.AUTOMAKER), email="q@other.example"
    )
    watchlist.watch_add(user=rival, number=certificate.number)
    _change(
        cast["maker"],
        certificate,
        C.WITHDRAWN,
        "model discontinued",
        django_capture_on_commit_callbacks,
    )
    assert sorted(tuple(m.to) for m in mail.outbox) == [
        ("q@other.example",), ("supply-quality@greatwall.example", "buyer@greatwall.example"),
    ]  # fmt: skip
    assert Notification.objects.count() == 2


def test_an_organisation_without_addresses_gets_no_email(
    cast, certificate, django_capture_on_commit_callbacks
):
    watchlist.watch_add(user=cast["automaker"], number=certificate.number)
    _change(cast["reviewer"], certificate, C.SUSPENDED, "audit", django_capture_on_commit_callbacks)
    assert mail.outbox == [] and not Notification.objects.exists()


def test_inactive_endpoints_are_not_called(
    cast, certificate, watching, django_capture_on_commit_callbacks
):
    with HookServer([200]) as hook:
        endpoint, _ = webhooks.webhook_create(user=watching, url=hook.url, active=False)
        _change(
            cast["reviewer"], certificate, C.REVOKED, "unsafe", django_capture_on_commit_callbacks
        )
    assert hook.requests == []
    assert not Notification.objects.filter(channel=N.Channel.WEBHOOK).exists()


def test_each_status_change_is_its_own_notification(
    cast, certificate, watching, django_capture_on_commit_callbacks
):
    _change(cast["reviewer"], certificate, C.SUSPENDED, "audit", django_capture_on_commit_callbacks)
    _change(
        cast["reviewer"], certificate, C.VALID, "audit passed", django_capture_on_commit_callbacks
    )
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(status=N.Status.SENT).count() == 2


def test_a_server_error_is_retried_until_it_succeeds(
    cast, certificate, watching, django_capture_on_commit_callbacks
):
    with HookServer([500, 503, 200]) as hook:
        _endpoint, secret = webhooks.webhook_create(user=watching, url=hook.url)
        _change(
            cast["reviewer"], certificate, C.REVOKED, "unsafe", django_capture_on_commit_callbacks
        )
    assert len(hook.requests) == 3
    assert len({r["headers"]["X-SSB-Delivery"] for r in hook.requests}) == 1
    assert len({r["body"] for r in hook.requests}) == 1  # the same event, byte for byte
    assert all(signature_ok(r, secret) for r in hook.requests)
    note = Notification.objects.get(channel=N.Channel.WEBHOOK)
    assert (note.status, note.attempts, note.last_error) == (N.Status.SENT, 3, "")


def test_a_receiver_that_keeps_failing_is_given_up_after_the_retries(
    cast, certificate, watching, django_capture_on_commit_callbacks
):
    with HookServer([500]) as hook:
        webhooks.webhook_create(user=watching, url=hook.url)
        _change(
            cast["reviewer"], certificate, C.REVOKED, "unsafe", django_capture_on_commit_callbacks
        )
    assert len(hook.requests) == 1 + delivery.WEBHOOK_MAX_RETRIES
    note = Notification.objects.get(channel=N.Channel.WEBHOOK)
    assert (note.status, note.attempts, note.last_error) == (N.Status.FAILED, 7, "HTTP 500")


def test_a_client_error_is_not_retried(
    cast, certificate, watching, django_capture_on_commit_callbacks
):
    with HookServer([410]) as hook:
        webhooks.webhook_create(user=watching, url=hook.url)
        _change(
            cast["reviewer"], certificate, C.REVOKED, "unsafe", django_capture_on_commit_callbacks
        )
    assert len(hook.requests) == 1
    note = Notification.objects.get(channel=N.Channel.WEBHOOK)
    assert (note.status, note.attempts, note.last_error) == (N.Status.FAILED, 1, "HTTP 410")


def test_an_unreachable_receiver_is_retried_then_failed(
    cast, certificate, watching, django_capture_on_commit_callbacks
):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    webhooks.webhook_create(user=watching, url=f"http://127.0.0.1:{port}/hook")
    _change(cast["reviewer"], certificate, C.REVOKED, "unsafe", django_capture_on_commit_callbacks)
    note = Notification.objects.get(channel=N.Channel.WEBHOOK)
    assert note.status == N.Status.FAILED and note.attempts == 7
    assert "refused" in note.last_error.lower()


def test_a_disabled_endpoint_is_not_called_on_retry(
    cast, certificate, watching, django_capture_on_commit_callbacks
):
    with HookServer([200]) as hook:
        endpoint, _ = webhooks.webhook_create(user=watching, url=hook.url)
        with django_capture_on_commit_callbacks(execute=False):  # notify_event does not run
            event = services.certificate_change_status(
                user=cast["reviewer"],
                certificate=certificate,
                new_status=C.SUSPENDED,
                reason="audit",
            )
        note = N.objects.create(
            event=event,
            organisation=watching.organisation,
            channel=N.Channel.WEBHOOK,
            webhook=endpoint,
        )
        webhooks.webhook_update(user=watching, endpoint=endpoint, active=False)
        assert delivery.webhook_deliver(notification_id=note.pk, final=False) == N.Status.FAILED
    assert hook.requests == []
    note.refresh_from_db()
    assert (note.status, note.last_error) == (N.Status.FAILED, "endpoint disabled")


class FlakyMailServer(EmailBackend):
    """The locmem backend behind a mail server that drops the first ``failures`` connections."""

    failures = 1

    def send_messages(self, messages):
        if FlakyMailServer.failures:
            FlakyMailServer.failures -= 1
            raise smtplib.SMTPServerDisconnected("mail server went away")
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings, monkeypatch):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyMailServer"
    monkeypatch.setattr(FlakyMailServer, "failures", 1)
    return FlakyMailServer


def test_the_email_is_sent_after_commit_by_a_task(
    cast, certificate, watching, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.certificate_change_status(
            user=cast["reviewer"], certificate=certificate, new_status=C.REVOKED, reason="unsafe"
        )
    assert mail.outbox == [] and not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:  # notify_watchers, which queues deliver_email on commit
            callback()
    assert len(mail.outbox) == 1
    assert Notification.objects.get().status == N.Status.SENT


def test_a_mail_server_that_fails_once_is_retried(
    cast, certificate, watching, flaky_mail, django_capture_on_commit_callbacks
):
    _change(cast["reviewer"], certificate, C.REVOKED, "unsafe", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1 and flaky_mail.failures == 0
    note = Notification.objects.get()
    assert (note.status, note.attempts, note.last_error) == (N.Status.SENT, 2, "")


def test_a_sent_email_is_not_sent_again(
    cast, certificate, watching, django_capture_on_commit_callbacks
):
    _change(cast["reviewer"], certificate, C.REVOKED, "unsafe", django_capture_on_commit_callbacks)
    note = Notification.objects.get()
    assert notification_tasks.deliver_email.delay(note.pk).get() == N.Status.SENT
    assert len(mail.outbox) == 1
    note.refresh_from_db()
    assert (note.status, note.attempts) == (N.Status.SENT, 1)


def test_a_failing_mail_server_is_retried_then_recorded(
    cast, certificate, watching, flaky_mail, django_capture_on_commit_callbacks
):
    flaky_mail.failures = 100
    _change(cast["reviewer"], certificate, C.REVOKED, "unsafe", django_capture_on_commit_callbacks)
    assert mail.outbox == []
    note = Notification.objects.get()
    assert (note.status, note.attempts) == (N.Status.FAILED, 1 + delivery.EMAIL_MAX_RETRIES)
    assert "mail server went away" in note.last_error


def test_an_email_waits_for_the_retry_backoff(
    cast,
    certificate,
    watching,
    flaky_mail,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    countdowns = []
    retry = notification_tasks.deliver_email.retry

    def recording_retry(*args, countdown=None, **kwargs):
        countdowns.append(countdown)
        return retry(*args, countdown=countdown, **kwargs)

    monkeypatch.setattr(notification_tasks.deliver_email, "retry", recording_retry)
    _change(cast["reviewer"], certificate, C.REVOKED, "unsafe", django_capture_on_commit_callbacks)
    assert countdowns == [30] and len(mail.outbox) == 1


def test_the_backoff_doubles_from_the_configured_base(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    assert [delivery.retry_countdown_s(n) for n in range(4)] == [30, 60, 120, 240]
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.2
    assert delivery.retry_countdown_s(1) == pytest.approx(0.4)


def test_the_signature_is_hmac_sha256_of_the_body():
    # Receivers recompute it with any HMAC library: hex digest of the raw body, key = secret.
    assert delivery.sign(b'{"a":1}', "s3cret") == (
        "sha256=" + hmac.new(b"s3cret", b'{"a":1}', "sha256").hexdigest()
    )


def test_a_host_that_turned_private_since_registration_is_not_called(
    cast, certificate, watching, settings, django_capture_on_commit_callbacks
):
    # Registered while private hosts were allowed; by delivery time they are not (as if the
    # public name had been re-pointed at 127.0.0.1): the worker must not connect to it.
    with HookServer([200]) as hook:
        webhooks.webhook_create(user=watching, url=hook.url)
        settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
        _change(
            cast["reviewer"], certificate, C.REVOKED, "unsafe", django_capture_on_commit_callbacks
        )
    assert hook.requests == []
    note = Notification.objects.get(channel=N.Channel.WEBHOOK)
    assert note.status == N.Status.FAILED
    assert "not a public address" in note.last_error
