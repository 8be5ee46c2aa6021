"""Users choose how they hear of status changes (each at once, a daily digest, none) and
manage their own e-mail address, on /account/ and /api/v1/account/; beat sends the digests.
Mails go to Django's locmem backend (pytest-django's test setting)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation

from certification.models import AuditEvent, User
from reports import digest, watchlist
from reports import tasks as report_tasks
from reports.models import Certificate, CertificateEvent
from tests.conftest import make_user
from tests.reports.conftest import change_status

pytestmark = pytest.mark.django_db

C = Certificate.Status
Choice = User.Notifications


@pytest.fixture(autouse=True)
def _setup(eager_celery):
    pass


def _prefer(user: User, notifications: str, *, email: str, language: str = "") -> User:
    User.objects.filter(pk=user.pk).update(
        notifications=notifications, email=email, language=language
    )
    user.refresh_from_db()
    return user


def _event(certificate, to_status, reason, at):
    event = CertificateEvent.objects.create(
        certificate=certificate,
        from_status=certificate.status,
        to_status=to_status,
        reason=reason,
        notified_at=at,
    )
    CertificateEvent.objects.filter(pk=event.pk).update(at=at)
    return event


# --- the account: e-mail address and notifications ---------------------------------------------


def test_a_user_sets_address_and_notifications_on_the_account_page(client, cast):
    user = cast["automaker"]
    client.force_login(user)
    page = client.get("/account/")
    assert page.status_code == 200 and 'id="preferences-form"' in page.content.decode()
    answer = client.post(
        "/account/preferences/",
        {"email": " quality@gwm.example ", "notifications": "digest", "language": "zh-hans"},
    )
    assert answer.status_code == 302
    user.refresh_from_db()
    assert (user.email, user.notifications, user.language) == (
        "quality@gwm.example", "digest", "zh-hans",
    )  # fmt: skip
    event = AuditEvent.objects.filter(action="account.preferences_changed").get()
    assert event.after == {"email": True, "notifications": "digest", "language": "zh-hans"}
    assert "quality@gwm.example" not in str(event.before) + str(event.after)


def test_a_bad_address_on_the_page_is_refused_beside_its_field(client, cast):
    user = cast["automaker"]
    client.force_login(user)
    answer = client.post(
        "/account/preferences/", {"email": "not an address", "notifications": "none"}
    )
    assert answer.status_code == 400
    assert answer.context["preferences_form"].errors["email"]
    user.refresh_from_db()
    assert (user.email, user.notifications) == ("", "immediate")  # nothing saved


def test_the_api_reads_and_changes_the_account(api, cast):
    client = api(cast["automaker"])
    assert client.get("/api/v1/account/").json() == {
        "username": "automaker",
        "organisation": "Great Wall Motors",
        "email": "",
        "notifications": "immediate",
        "language": "",
    }
    answer = client.patch(
        "/api/v1/account/", {"email": "q@gwm.example", "notifications": "none"}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["notifications"] == "none" and answer.json()["email"] == "q@gwm.example"
    cast["automaker"].refresh_from_db()
    assert cast["automaker"].notifications == "none"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "no-at-sign"}, "email"),
        ({"email": "a@" + "b" * 260 + ".example"}, "email"),
        ({"email": 12}, "email"),
        ({"notifications": "hourly"}, "notifications"),
        ({"language": "fr"}, "language"),
        ({"username": "root"}, "username"),
        ({"is_superuser": True, "notifications": "none"}, "is_superuser"),
    ],
)
def test_the_api_refuses_bad_values_naming_the_field(api, cast, body, field):
    answer = api(cast["automaker"]).patch("/api/v1/account/", body, format="json")
    assert answer.status_code == 400, answer.content
    assert field in [e["column"] for e in answer.json()["errors"]]
    user = User.objects.get(pk=cast["automaker"].pk)
    assert (user.email, user.notifications, user.language, user.is_superuser) == (
        "", "immediate", "", False,
    )  # fmt: skip
    assert not AuditEvent.objects.filter(action="account.preferences_changed").exists()


def test_the_account_api_needs_a_signed_in_user(api):
    assert api(None).get("/api/v1/account/").status_code in (401, 403)


# --- immediate, digest, none --------------------------------------------------------------------


@pytest.fixture
def three(cast):
    """Three users of the automaker, one per choice."""
    org = cast["automaker"].organisation
    return {
        "immediate": _prefer(cast["automaker"], Choice.IMMEDIATE, email="now@gwm.example"),
        "digest": _prefer(make_user("daily", org), Choice.DIGEST, email="daily@gwm.example"),
        "none": _prefer(make_user("quiet", org), Choice.NONE, email="quiet@gwm.example"),
    }


def test_immediate_mails_go_only_to_those_who_chose_them(
    cast, certificate, three, django_capture_on_commit_callbacks
):
    watchlist.watch_add(user=three["immediate"], number=certificate.number)
    change_status(
        cast["reviewer"], certificate, C.SUSPENDED, "audit", django_capture_on_commit_callbacks
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["now@gwm.example"]  # not the digest reader, not the quiet one
    assert "audit" in message.body and certificate.number in message.subject
    assert message.body.count(certificate.number) >= 2  # unchanged: every portal language


def test_the_daily_digest_lists_the_days_changes_once(cast, new_certificate, three):
    first, second, unwatched = new_certificate(), new_certificate(), new_certificate()
    for certificate in (first, second):
        watchlist.watch_add(user=three["digest"], number=certificate.number)
    now = timezone.now()
    _event(first, C.SUSPENDED, "line audit pending", now - dt.timedelta(hours=5))
    _event(second, C.REVOKED, "falsified data", now - dt.timedelta(hours=2))
    _event(unwatched, C.REVOKED, "not watched", now - dt.timedelta(hours=1))
    _event(first, C.WITHDRAWN, "too old to tell", now - dt.timedelta(days=3))
    assert report_tasks.send_daily_digests.delay().get() == {"sent": 1, "failed": 0}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["daily@gwm.example"]
    assert "2 status changes" in message.subject
    body = message.body
    assert "line audit pending" in body and "falsified data" in body
    assert "not watched" not in body and "too old to tell" not in body
    assert body.index(first.number) < body.index(second.number)  # oldest first
    assert f"/verify/{second.number}" in body
    # The next run tells nothing again; a later change comes in the next digest.
    assert digest.digests_send()["sent"] == 0 and len(mail.outbox) == 1
    _event(second, C.WITHDRAWN, "withdrawn by maker", timezone.now())
    digest.digests_send(now=timezone.now() + dt.timedelta(seconds=1))
    assert len(mail.outbox) == 2
    assert "withdrawn by maker" in mail.outbox[1].body and "falsified" not in mail.outbox[1].body


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_digest_is_written_in_the_users_language(cast, certificate, three, language):
    user = _prefer(three["digest"], Choice.DIGEST, email="daily@gwm.example", language=language)
    watchlist.watch_add(user=user, number=certificate.number)
    _event(certificate, C.SUSPENDED, "audit", timezone.now() - dt.timedelta(hours=1))
    digest.digests_send()
    body = mail.outbox[0].body
    other = "zh-hans" if language == "en" else "en"
    with translation.override(language):
        mine = str(C.SUSPENDED.label)
    with translation.override(other):
        theirs = str(C.SUSPENDED.label)
    assert mine in body and theirs not in body
    assert body.count(f"/verify/{certificate.number}") == 1  # one language only


def test_a_user_without_language_gets_every_portal_language(cast, certificate, three):
    watchlist.watch_add(user=three["digest"], number=certificate.number)
    _event(certificate, C.SUSPENDED, "audit", timezone.now() - dt.timedelta(hours=1))
    digest.digests_send()
    body = mail.outbox[0].body
    assert body.count(f"/verify/{certificate.number}") == len(settings.LANGUAGES)


def test_none_sends_nothing_at_all(cast, certificate, three, django_capture_on_commit_callbacks):
    for user in three.values():
        _prefer(user, Choice.NONE, email=user.email)
    watchlist.watch_add(user=three["none"], number=certificate.number)
    change_status(
        cast["reviewer"], certificate, C.REVOKED, "unsafe", django_capture_on_commit_callbacks
    )
    assert digest.digests_send() == {"sent": 0, "failed": 0}
    assert mail.outbox == []


def test_a_failing_mail_server_keeps_the_changes_for_the_next_digest(
    cast, certificate, three, settings, monkeypatch
):
    watchlist.watch_add(user=three["digest"], number=certificate.number)
    _event(certificate, C.SUSPENDED, "audit", timezone.now() - dt.timedelta(hours=1))

    def refuse(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(digest, "send_mail", refuse)
    assert digest.digests_send() == {"sent": 0, "failed": 1}
    assert User.objects.get(pk=three["digest"].pk).digest_through is None  # period still open
    monkeypatch.undo()
    assert digest.digests_send()["sent"] == 1 and "audit" in mail.outbox[0].body


def test_beat_sends_the_digest_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["daily-digest"]
    assert entry["task"] == "reports.send_daily_digests"
    assert entry["schedule"].hour == {settings.DIGEST_HOUR}
