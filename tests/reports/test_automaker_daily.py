"""An automaker's daily work: the dashboard's status changes of watched certificates, a
webhook's test event (through the same address checks and signature as real deliveries) and
its delivery log, on the pages and in the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reports import delivery, watchlist, webhooks
from reports.models import Certificate, CertificateEvent, Notification
from tests.conftest import make_org, make_user
from tests.reports.conftest import HookServer, change_status, payload, signature_ok

pytestmark = pytest.mark.django_db

C = Certificate.Status
N = Notification


@pytest.fixture(autouse=True)
def _setup(eager_celery, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True  # the receiver listens on 127.0.0.1
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0


# --- the dashboard's status changes ------------------------------------------------------------


@pytest.fixture
def changes(cast, new_certificate, django_capture_on_commit_callbacks):
    """Two watched certificates with changes, and one nobody watches."""
    watched, other, unwatched = new_certificate(), new_certificate(), new_certificate()
    for certificate in (watched, other):
        watchlist.watch_add(user=cast["automaker"], number=certificate.number)
    capture = django_capture_on_commit_callbacks
    change_status(cast["reviewer"], watched, C.SUSPENDED, "audit of the line pending", capture)
    change_status(cast["reviewer"], other, C.REVOKED, "falsified data", capture)
    change_status(cast["reviewer"], unwatched, C.REVOKED, "not watched", capture)
    change_status(cast["reviewer"], watched, C.VALID, "audit passed", capture)
    return watched, other, unwatched


def test_the_dashboard_lists_changes_of_watched_certificates_newest_first(client, cast, changes):
    watched, other, unwatched = changes
    client.force_login(cast["automaker"])
    page = client.get("/")
    assert page.status_code == 200
    rows = page.context["changes"].object_list
    listed = [(r["number"], r["to_status"], r["reason"]) for r in rows]
    assert listed[:3] == [
        (watched.number, "valid", "audit passed"),
        (other.number, "revoked", "falsified data"),
        (watched.number, "suspended", "audit of the line pending"),
    ]
    assert unwatched.number not in {n for n, _s, _r in listed}
    html = page.content.decode()
    assert "audit passed" in html and "falsified data" in html and "not watched" not in html
    assert watched.content["product"]["model_number"] in html


def test_the_dashboard_pages_its_changes(client, cast, certificate, settings):
    watchlist.watch_add(user=cast["automaker"], number=certificate.number)
    now = timezone.now()
    CertificateEvent.objects.bulk_create(
        CertificateEvent(certificate=certificate, from_status="valid", to_status="suspended",
                         reason=f"change {i}", notified_at=now)
        for i in range(25)
    )  # fmt: skip
    client.force_login(cast["automaker"])
    first = client.get("/").context["changes"]
    second = client.get("/?page=2").context["changes"]
    assert len(first.object_list) == 20 and first.has_next()
    assert len(second.object_list) == 5
    assert second.object_list[-1]["reason"] == "change 0"  # the oldest last
    assert client.get("/?page=abc").status_code == 200


def test_the_api_lists_the_same_changes(api, cast, changes):
    watched, other, unwatched = changes
    answer = api(cast["automaker"]).get("/api/v1/watchlist/changes/")
    assert answer.status_code == 200, answer.content
    rows = answer.json()["results"]
    assert [(r["number"], r["from_status"], r["to_status"]) for r in rows[:3]] == [
        (watched.number, "suspended", "valid"),
        (other.number, "valid", "revoked"),
        (watched.number, "valid", "suspended"),
    ]
    assert rows[0]["product"]["model_number"] == watched.content["product"]["model_number"]
    assert rows[0]["to_status_display"] == "Valid" and rows[0]["reason"] == "audit passed"
    assert "actor" not in rows[0]  # who changed it is not public
    assert all(r["number"] != unwatched.number for r in rows)


def test_only_automakers_see_status_changes(api, cast, changes):
    assert api(cast["maker"]).get("/api/v1/watchlist/changes/").status_code == 403
    assert api(None).get("/api/v1/watchlist/changes/").status_code in (401, 403)
    # Another automaker watches nothing: its list is empty.
    other = make_user("other_automaker", make_org("BYD", "automaker"))
    assert api(other).get("/api/v1/watchlist/changes/").json()["results"] == []


# --- webhook test events ------------------------------------------------------------------------


@pytest.fixture
def hook():
    with HookServer([200]) as server:
        yield server


def test_a_test_event_is_posted_signed_and_logged(client, cast, hook):
    user = cast["automaker"]
    endpoint, secret = webhooks.webhook_create(user=user, url=hook.url)
    client.force_login(user)
    answer = client.post(f"/webhooks/{endpoint.pk}/test/", follow=True)
    assert answer.status_code == 200
    assert "HTTP 200" in answer.content.decode()
    assert len(hook.requests) == 1
    request = hook.requests[0]
    assert signature_ok(request, secret)
    assert request["headers"]["X-SSB-Event"] == "webhook.test"
    body = payload(request)
    note = Notification.objects.get()
    assert body["id"] == str(note.pk) and body["type"] == "webhook.test" and body["test"] is True
    assert set(body["data"]) >= {"number", "from_status", "to_status", "reason", "status_url"}
    assert (note.event, note.status, note.http_status, note.attempts) == (
        None,
        N.Status.SENT,
        200,
        1,
    )
    log = answer.context["page"].object_list
    assert [(d["event"], d["http_status"], d["attempts"]) for d in log] == [
        ("webhook.test", 200, 1)
    ]


def test_a_test_event_to_a_loopback_target_is_refused_as_real_deliveries_are(
    api, cast, hook, settings
):
    user = cast["automaker"]
    endpoint, _secret = webhooks.webhook_create(user=user, url=hook.url)
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False  # as in production
    answer = api(user).post(f"/api/v1/webhooks/{endpoint.pk}/test/")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "failed" and body["http_status"] is None
    assert "not a public address" in body["error"]
    assert hook.requests == []  # never connected
    # With the setting on (tests, a demo on one machine) the same target is called.
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    assert api(user).post(f"/api/v1/webhooks/{endpoint.pk}/test/").json()["http_status"] == 200
    assert len(hook.requests) == 1


def test_a_test_event_to_a_name_resolving_to_a_private_address_is_refused(
    api, cast, settings, monkeypatch
):
    user = cast["automaker"]
    monkeypatch.setattr(webhooks, "host_addresses", lambda host: ["93.184.216.34"])
    endpoint, _secret = webhooks.webhook_create(user=user, url="https://hooks.example.com/in")
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    monkeypatch.setattr(webhooks, "host_addresses", lambda host: ["10.0.0.7"])  # re-pointed
    body = api(user).post(f"/api/v1/webhooks/{endpoint.pk}/test/").json()
    assert body["status"] == "failed" and "10.0.0.7" in body["error"]


def test_a_failing_receiver_is_logged_with_its_http_status(api, cast):
    user = cast["automaker"]
    with HookServer([503]) as server:
        endpoint, _secret = webhooks.webhook_create(user=user, url=server.url)
        body = api(user).post(f"/api/v1/webhooks/{endpoint.pk}/test/").json()
    # A test is tried once: no retry is due.
    assert (body["status"], body["http_status"], body["attempts"], body["next_retry_at"]) == (
        "failed", 503, 1, None,
    )  # fmt: skip
    assert body["error"] == "HTTP 503"


def test_test_events_are_limited_per_minute(api, cast, hook):
    user = cast["automaker"]
    endpoint, _secret = webhooks.webhook_create(user=user, url=hook.url)
    client = api(user)
    for _ in range(delivery.TEST_EVENTS_PER_WINDOW):
        assert client.post(f"/api/v1/webhooks/{endpoint.pk}/test/").status_code == 201
    refused = client.post(f"/api/v1/webhooks/{endpoint.pk}/test/")
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert Notification.objects.count() == delivery.TEST_EVENTS_PER_WINDOW  # nothing written


def test_a_deactivated_webhook_is_not_sent_a_test(api, cast, hook):
    user = cast["automaker"]
    endpoint, _secret = webhooks.webhook_create(user=user, url=hook.url, active=False)
    answer = api(user).post(f"/api/v1/webhooks/{endpoint.pk}/test/")
    assert answer.status_code == 400 and "deactivated" in answer.json()["detail"]
    assert hook.requests == [] and not Notification.objects.exists()


def test_nobody_tests_or_reads_another_organisations_webhook(api, client, cast, hook):
    endpoint, _secret = webhooks.webhook_create(user=cast["automaker"], url=hook.url)
    other = make_user("other_automaker", make_org("BYD", "automaker"))
    assert api(other).post(f"/api/v1/webhooks/{endpoint.pk}/test/").status_code == 404
    assert api(other).get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").status_code == 404
    assert api(cast["maker"]).post(f"/api/v1/webhooks/{endpoint.pk}/test/").status_code == 403
    client.force_login(other)
    assert client.post(f"/webhooks/{endpoint.pk}/test/").status_code == 404
    assert client.get(f"/webhooks/{endpoint.pk}/").status_code == 404
    assert hook.requests == [] and not Notification.objects.exists()


# --- the delivery log ---------------------------------------------------------------------------


def test_the_delivery_log_shows_retries_and_the_next_attempt(
    api, client, cast, certificate, settings
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    user = cast["automaker"]
    watchlist.watch_add(user=user, number=certificate.number)
    event = CertificateEvent.objects.create(
        certificate=certificate, from_status="valid", to_status="suspended", reason="audit"
    )
    with HookServer([503]) as server:
        endpoint, _secret = webhooks.webhook_create(user=user, url=server.url)
        note = Notification.objects.create(
            event=event, organisation=user.organisation, channel=N.Channel.WEBHOOK, webhook=endpoint
        )
        before = timezone.now()
        with pytest.raises(delivery.TransientDeliveryError):
            delivery.webhook_deliver(notification_id=note.pk, final=False)
    rows = api(user).get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["event"], row["number"], row["test"]) == (
        "certificate.suspended", certificate.number, False,
    )  # fmt: skip
    assert (row["http_status"], row["attempts"], row["status"]) == (503, 1, "pending")
    retry = dt.datetime.fromisoformat(row["next_retry_at"])
    assert before + dt.timedelta(seconds=59) < retry < before + dt.timedelta(seconds=70)
    client.force_login(user)
    html = client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "certificate.suspended" in html and "503" in html and certificate.number in html


def test_the_webhooks_page_is_in_the_automakers_menu(client, cast):
    client.force_login(cast["automaker"])
    html = client.get("/").content.decode()
    assert 'href="/webhooks/"' in html
    client.force_login(cast["maker"])
    assert 'href="/webhooks/"' not in client.get("/").content.decode()
