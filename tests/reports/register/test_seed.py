"""``manage.py seed_register``: certificates of realistic shape, with what the schema requires
and the register reads, written with COPY."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command

from reports.models import Certificate, CertificateEvent
from reports.register import params, search
from reports.verification import lookup

pytestmark = pytest.mark.django_db


def test_it_seeds_a_register_of_every_shape(capsys):
    call_command("seed_register", certificates=400)
    assert "Seeded 400 certificates" in capsys.readouterr().out
    assert Certificate.objects.count() == 400
    statuses = Counter(Certificate.objects.values_list("status", flat=True))
    assert statuses["valid"] > 200
    assert {"expired", "superseded"} <= set(statuses)
    for certificate in Certificate.objects.filter(status="superseded"):
        successor = certificate.superseded_by
        assert successor.product_id == certificate.product_id
        assert successor.issued_at > certificate.issued_at
    # The frozen content has what verification reads, and PostgreSQL generated the columns.
    sample = Certificate.objects.order_by("?").first()
    record = lookup.verify_number(sample.number)
    assert record["holder"]["name"] and record["product"]["model_number"]
    model = sample.content["product"]["model_number"]
    found = search.search(params.parse({"q": [model]}))
    # A superseded certificate and its successor share the product: the search finds both.
    same_model = {
        c.number for c in Certificate.objects.all() if c.content["product"]["model_number"] == model
    }
    assert sample.number in {row["number"] for row in found.rows}
    assert {row["number"] for row in found.rows} == same_model
    # Every certificate has its issue event, and its last event is its stored status.
    events = CertificateEvent.objects.filter(certificate=sample).order_by("at", "id")
    assert events.first().from_status == "" and events.last().to_status == sample.status


def test_it_refuses_too_few(capsys):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="at least 2"):
        call_command("seed_register", certificates=1)
