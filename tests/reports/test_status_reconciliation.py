"""A certificate's status edited in the database, behind the services' back, is found: the
command names it and fails, the operations page and API list it."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from reports.models import Certificate
from reports.selectors import status_mismatches

pytestmark = pytest.mark.django_db


def test_an_issued_certificate_matches_its_history(issued):
    assert list(status_mismatches()) == []
    out = io.StringIO()
    call_command("check_certificate_statuses", stdout=out)
    assert "matches its history" in out.getvalue()


def test_a_status_edited_in_the_database_is_named(issued, api, client, cast):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reports_certificate SET status = 'revoked' WHERE id = %s", [issued.pk]
        )
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 certificate"):
        call_command("check_certificate_statuses", stdout=out)
    assert f"{issued.number}: status 'revoked', but its last status event set 'valid'" in (
        out.getvalue()
    )
    body = api(cast["reviewer"]).get("/api/v1/operations/").json()
    assert body["status_mismatches"]["results"] == [
        {"number": issued.number, "status": "revoked", "last_event_status": "valid"}
    ]
    client.force_login(cast["reviewer"])
    assert issued.number in client.get("/operations/").content.decode()


def test_a_certificate_without_any_event_is_named(certificate):
    assert Certificate.objects.filter(pk=certificate.pk, events__isnull=True).exists()
    assert [c.number for c in status_mismatches()] == [certificate.number]
