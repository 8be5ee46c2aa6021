"""reports' sweep: what the broker lost of reports' work is sent again, once per hand-off
deadline, and an issued certificate owes no notification (nobody could watch it before)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from certification.models import Submission
from reports import sweep
from reports.models import CertificateEvent, Notification, WatchedCertificate
from tests.reports.conftest import _approved_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(product, orgs, cast):
    submission, _ = _approved_submission(product, orgs["lab"], cast["maker"])
    Submission.objects.filter(pk=submission.pk).update(
        updated_at=timezone.now() - dt.timedelta(minutes=5)
    )
    return submission


def test_an_approved_submission_without_its_certificate_is_sent_once_per_deadline(
    approved, private_broker
):
    assert sweep.reports_sweep()["certificates"] == 1
    assert private_broker.queued() == 1
    assert sweep.reports_sweep()["certificates"] == 0  # the copy just sent may still be queued
    assert private_broker.queued() == 1


def test_nothing_is_marked_sent_while_the_broker_is_away(approved, private_broker):
    private_broker.kill()
    assert sweep.reports_sweep()["certificates"] == 0
    private_broker.start()
    assert sweep.reports_sweep()["certificates"] == 1


def test_an_event_whose_watchers_were_not_told_is_sent_again(
    certificate, cast, orgs, private_broker
):
    WatchedCertificate.objects.create(
        organisation=orgs["automaker"], certificate=certificate, added_by=cast["automaker"]
    )
    event = CertificateEvent.objects.create(
        certificate=certificate, from_status="valid", to_status="suspended"
    )
    CertificateEvent.objects.filter(pk=event.pk).update(at=timezone.now() - dt.timedelta(minutes=5))
    assert sweep.reports_sweep()["notifications"] == 1
    assert sweep.reports_sweep()["notifications"] == 0


def test_an_issued_certificate_owes_no_notification(issued):
    event = issued.events.get(to_status="valid")
    assert event.notified_at is not None
    later = timezone.now() + dt.timedelta(hours=1)
    assert list(sweep.events_not_notified(now=later)) == []
    assert not Notification.objects.exists()
