"""The changes the issue lists write their audit event, with who, organisation, object, before,
after and reason: watchlists, webhooks, certificate status, submissions, accounts' membership
and role, and failed sign-ins of staff."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import AdminSite
from django.contrib.auth import authenticate
from django.test import RequestFactory

from certification import audit_chain
from certification.admin import UserAdmin
from certification.models import AuditEvent, User
from reports import watchlist, webhooks
from reports.services import certificate_change_status
from tests.conftest import PASSWORD
from tests.reports.conftest import make_certificate

pytestmark = pytest.mark.django_db


def last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-seq").first()


@pytest.fixture
def certificate(product, orgs, cast):
    return make_certificate(product, orgs["lab"], cast["maker"])


def test_watchlist_additions_and_removals_are_audited(cast, certificate, product, orgs):
    automaker = cast["automaker"]
    entry, created = watchlist.watch_add(user=automaker, number=certificate.number, note="fleet")
    event = last("watchlist.added")
    assert (event.actor, event.actor_organisation) == (automaker, automaker.organisation)
    assert (event.object_type, event.object_id) == ("certificate", certificate.number)
    assert event.after == {"watched": True, "note": "fleet"}
    watchlist.watch_add(user=automaker, number=certificate.number)  # already watched: no event
    assert AuditEvent.objects.filter(action="watchlist.added").count() == 1
    other = make_certificate(product, orgs["lab"], cast["maker"])
    watchlist.watch_add_many(user=automaker, numbers=[certificate.number, other.number])
    assert last("watchlist.added").detail["numbers"] == [other.number]
    watchlist.watch_remove(user=automaker, entry_id=entry.pk)
    removed = last("watchlist.removed")
    assert removed.before == {"watched": True, "note": "fleet"}
    assert removed.after == {"watched": False} and removed.object_id == certificate.number
    assert audit_chain.verify().ok


def test_webhook_changes_are_audited_without_the_secret(cast, monkeypatch):
    monkeypatch.setattr(webhooks, "host_addresses", lambda host: ["93.184.216.34"])
    automaker = cast["automaker"]
    endpoint, secret = webhooks.webhook_create(user=automaker, url="https://hooks.example/ssb")
    created = last("webhook.created")
    assert created.after == {"url": "https://hooks.example/ssb", "active": True}
    assert created.object_id == str(endpoint.pk)
    webhooks.webhook_update(user=automaker, endpoint=endpoint, active=False)
    changed = last("webhook.changed")
    assert (changed.before["active"], changed.after["active"]) == (True, False)
    webhooks.webhook_update(user=automaker, endpoint=endpoint, active=False)  # no change
    assert AuditEvent.objects.filter(action="webhook.changed").count() == 1
    webhooks.webhook_delete(user=automaker, endpoint=endpoint)
    assert last("webhook.deleted").before == {"url": "https://hooks.example/ssb", "active": False}
    assert not AuditEvent.objects.filter(detail__icontains=secret).exists()
    for event in AuditEvent.objects.filter(action__startswith="webhook."):
        assert secret not in str(event.before) + str(event.after) + str(event.detail)


def test_a_certificate_status_change_records_before_after_and_reason(cast, certificate):
    certificate_change_status(
        user=cast["reviewer"], certificate=certificate, new_status="suspended", reason="recall"
    )
    event = last("certificate.suspended")
    assert (event.before, event.after) == ({"status": "valid"}, {"status": "suspended"})
    assert event.reason == "recall" and event.object_id == certificate.number
    assert event.actor_organisation == cast["reviewer"].organisation


def _admin_save(admin_user, user, change):
    request = RequestFactory().post("/admin/")
    request.user = admin_user
    UserAdmin(User, AdminSite()).save_model(request, user, form=None, change=change)


def test_membership_and_role_changes_in_the_admin_are_audited(cast, orgs):
    admin_user = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    newcomer = User(username="newcomer", organisation=orgs["lab"])
    _admin_save(admin_user, newcomer, change=False)
    created = last("user.created")
    assert created.actor == admin_user and created.object_id == str(newcomer.pk)
    assert created.before is None and created.after["organisation_id"] == orgs["lab"].pk
    reviewer = User.objects.get(pk=cast["reviewer"].pk)
    reviewer.role = User.Role.ADMIN
    reviewer.organisation = orgs["regulator"]
    _admin_save(admin_user, reviewer, change=True)
    changed = last("user.membership_changed")
    assert changed.before["role"] == "reviewer" and changed.after["role"] == "admin"
    assert changed.before["organisation_id"] == orgs["cb"].pk
    assert changed.after["organisation_id"] == orgs["regulator"].pk
    reviewer.first_name = "Wei"  # not membership: no event
    _admin_save(admin_user, reviewer, change=True)
    assert AuditEvent.objects.filter(action="user.membership_changed").count() == 1


def test_failed_sign_ins_of_staff_are_audited_one_by_one(cast, rf):
    request = rf.post("/accounts/login/")
    for who in ("regulator", "reviewer"):
        assert authenticate(request, username=who, password="wrong") is None
        event = last("signin.failed")
        assert event.object_id == str(cast[who].pk)
        assert event.actor is None and event.actor_organisation == cast[who].organisation
    assert authenticate(request, username="maker", password="wrong") is None
    assert AuditEvent.objects.filter(action="signin.failed").count() == 2


def test_the_audit_api_gives_each_event_its_place_in_the_chain(api, cast, certificate):
    certificate_change_status(
        user=cast["reviewer"], certificate=certificate, new_status="suspended", reason="recall"
    )
    body = api(cast["regulator"]).get("/api/v1/audit/").json()["results"]
    event = AuditEvent.objects.get(action="certificate.suspended")
    shown = next(e for e in body if e["id"] == event.pk)
    assert (shown["seq"], shown["prev_hash"], shown["hash"]) == (
        event.seq,
        event.prev_hash,
        event.hash,
    )
    assert (shown["before"], shown["after"], shown["reason"]) == (
        {"status": "valid"},
        {"status": "suspended"},
        "recall",
    )
    assert (shown["object_type"], shown["object_id"]) == ("certificate", certificate.number)
