"""Each web process's copy of verification answers (reports/livecache.py), against the real
PostgreSQL trigger and a real listening connection.

These tests commit (``transaction=True``): a notification is only sent when a write commits, and
the copy is never used inside a transaction. A change must be seen within ``SEEN_WITHIN_S``:
the notification arrives milliseconds after the commit; the bound only keeps a loaded CI
machine from failing the test.
"""

from __future__ import annotations

import logging
import time

import psycopg
import pytest
from django.db import connection, transaction

from reports import livecache, services
from reports.models import Certificate
from tests.reports.conftest import make_certificate

pytestmark = pytest.mark.django_db(transaction=True)

SEEN_WITHIN_S = 5.0
copy = livecache.certificates


@pytest.fixture(autouse=True)
def _eager(eager_celery):
    # Status changes enqueue notify_watchers on commit; with nobody watching it does nothing.
    pass


@pytest.fixture(autouse=True)
def _rulesets(transactional_db):
    # Transactional tests empty every table afterwards; the rule sets come back from their files.
    from certification.services import rulesets_sync

    rulesets_sync()


def _listening() -> None:
    """Wait until this process listens (the listener starts on first use) and has had every
    notification sent so far (the fixtures' writes): a notification of our own, delivered in
    commit order after them, has emptied the copy."""
    deadline = time.monotonic() + SEEN_WITHIN_S
    while not copy.usable():
        assert time.monotonic() < deadline, "the listener did not connect"
        time.sleep(0.01)
    generation = copy.generation
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, 'test')", [livecache.CHANNEL])
    _until(lambda: copy.generation > generation, "our own notification did not arrive")


def _until(condition, what: str) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < SEEN_WITHIN_S, what
        time.sleep(0.005)
    return time.monotonic() - started


def _status(client, number: str) -> str:
    response = client.get(f"/api/v1/verify/{number}/")
    return response.json().get("status") or response.json()["code"]


def test_the_trigger_announces_every_committed_write(product, orgs, cast):
    params = {**connection.get_connection_params(), "autocommit": True}
    with psycopg.connect(**params) as listener:
        listener.execute(f'LISTEN "{livecache.CHANNEL}"')
        certificate = make_certificate(product, orgs["lab"], cast["maker"])
        Certificate.objects.filter(pk=certificate.pk).update(status_reason="x")
        with transaction.atomic():  # rolled back: never announced
            Certificate.objects.filter(pk=certificate.pk).update(status_reason="y")
            transaction.set_rollback(True)
        Certificate.objects.filter(pk=certificate.pk).delete()
        seen = [n.payload for n in listener.notifies(timeout=1.0)]
    assert seen == ["INSERT", "UPDATE", "DELETE"]


def test_a_repeated_lookup_reads_no_database(api, certificate, django_assert_num_queries):
    _listening()
    client = api(None)
    url = f"/api/v1/verify/{certificate.number}/"
    first = client.get(url)
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.status_code == 200 and again.content == first.content
    # The bulk check and the page use the same copy of the row.
    with django_assert_num_queries(0):
        bulk = client.post("/api/v1/verify/", {"numbers": [certificate.number]}, format="json")
    assert bulk.json()["summary"] == {"valid": 1}


def test_a_status_change_is_seen_at_once(api, cast, certificate):
    _listening()
    client = api(None)
    assert _status(client, certificate.number) == "valid"
    services.certificate_change_status(
        user=cast["reviewer"], certificate=certificate, new_status="suspended", reason="audit"
    )
    _until(lambda: _status(client, certificate.number) == "suspended", "still valid")
    services.certificate_change_status(
        user=cast["reviewer"], certificate=certificate, new_status="valid", reason="cleared"
    )
    _until(lambda: _status(client, certificate.number) == "valid", "still suspended")


def test_a_write_by_any_path_empties_the_copy(api, certificate):
    # Not only the services: the admin, a data migration or psql write rows too.
    _listening()
    client = api(None)
    assert _status(client, certificate.number) == "valid"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reports_certificate SET status = 'revoked', status_reason = 'psql' "
            "WHERE id = %s",
            [certificate.pk],
        )
    _until(lambda: _status(client, certificate.number) == "revoked", "still valid")


def test_a_number_asked_for_before_it_is_issued_is_then_found(api, product, orgs, cast):
    _listening()
    client = api(None)
    number = "SSB-2026-000777"
    assert _status(client, number) == "never_issued"
    assert _status(client, number) == "never_issued"  # kept: no query for a forged number
    make_certificate(product, orgs["lab"], cast["maker"], number=number)
    _until(lambda: _status(client, number) == "valid", "still never issued")


def test_without_its_listener_the_copy_is_not_used(
    api, certificate, django_assert_num_queries, caplog
):
    caplog.set_level(logging.INFO, logger="reports.livecache")
    _listening()
    client = api(None)
    assert _status(client, certificate.number) == "valid"
    with connection.cursor() as cursor:  # the listener's connection dies
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            [livecache.APPLICATION_NAME],
        )
        assert cursor.fetchone() == (True,)
    _until(lambda: not copy.listening, "the listener did not notice")
    assert len(copy) == 0
    # While it reconnects, every answer comes from the database; a change made meanwhile (no
    # one listens for its notification) is seen, and nothing read meanwhile is kept.
    Certificate.objects.filter(pk=certificate.pk).update(status="revoked", status_reason="lost")
    if not copy.listening:
        with django_assert_num_queries(1):
            assert _status(client, certificate.number) == "revoked"
    _listening()  # back
    assert _status(client, certificate.number) == "revoked"
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "reports.livecache"]
    assert [level for level, _ in said] == ["WARNING", "INFO"], said
    assert "reads the database" in said[0][1] and "again" in said[1][1]


def test_a_listener_that_stops_answering_stops_the_copy(
    api, certificate, monkeypatch, django_assert_num_queries
):
    # A connection that neither answers nor fails: the listener completes no more rounds.
    _listening()
    client = api(None)
    url = f"/api/v1/verify/{certificate.number}/"
    client.get(url)
    monkeypatch.setattr(livecache, "ALIVE_S", -60.0)  # every round is already too late
    copy._alive_until = 0.0
    for _ in range(2):
        with django_assert_num_queries(1):
            assert client.get(url).status_code == 200
    monkeypatch.undo()
    _until(copy.usable, "the copy did not come back after the next round")


def test_reads_inside_a_transaction_use_the_database(api, certificate, django_assert_num_queries):
    _listening()
    client = api(None)
    client.get(f"/api/v1/verify/{certificate.number}/")
    with transaction.atomic():
        Certificate.objects.filter(pk=certificate.pk).update(status="revoked", status_reason="x")
        with django_assert_num_queries(1):  # its own uncommitted write, not the copy
            assert _status(client, certificate.number) == "revoked"
        transaction.set_rollback(True)
    assert _status(client, certificate.number) == "valid"


def test_entries_lapse_and_zero_turns_the_copy_off(
    api, settings, certificate, django_assert_num_queries
):
    _listening()
    client = api(None)
    url = f"/api/v1/verify/{certificate.number}/"
    settings.VERIFY_CACHE_SECONDS = 0.2
    client.get(url)
    time.sleep(0.3)
    with django_assert_num_queries(1):
        client.get(url)
    settings.VERIFY_CACHE_SECONDS = 0
    for _ in range(2):
        with django_assert_num_queries(1):
            client.get(url)
