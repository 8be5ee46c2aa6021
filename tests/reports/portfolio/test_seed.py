"""manage.py seed_portfolio: realistic shapes, written with COPY, the audit chain intact."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from certification import audit_chain
from certification.models import AuditEvent, Decision, Evaluation, Submission
from reports.models import Certificate

pytestmark = pytest.mark.django_db


def test_it_seeds_a_portfolio_whose_audit_chain_verifies(world, api):
    events_before = AuditEvent.objects.count()
    out = io.StringIO()
    call_command("seed_portfolio", evaluations=120, events=1500, stdout=out)
    assert "Seeded 120 evaluations and 1500 audit events" in out.getvalue()
    assert Evaluation.objects.filter(engine_version="seed").count() == 120
    seeded = Submission.objects.filter(product__model_number__startswith="SEED-")
    assert 100 <= seeded.count() < 120  # about one in ten was submitted twice
    assert seeded.filter(attempt=2).exists()
    assert Decision.objects.filter(submission__in=seeded, decision="approve").exists()
    assert Certificate.objects.filter(submission__in=seeded).exists()
    assert AuditEvent.objects.count() == events_before + 1500
    # Chained after the events already there, in time order, each checked by the trigger.
    verdict = audit_chain.verify()
    assert verdict.ok, verdict.broken
    assert verdict.checked == events_before + 1500
    seeded_events = AuditEvent.objects.filter(seq__gt=events_before).order_by("seq")
    times = list(seeded_events.values_list("at", flat=True))
    assert times == sorted(times)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM certification_evaluation WHERE engine_version = 'seed' "
            "AND status = 'done' AND weight_loss_max_pct IS NULL"
        )
        assert cursor.fetchone()[0] == 0
    # The seeded regulator reads the portfolio.
    from certification.models import User

    regulator = User.objects.get(username__endswith="-regulator", username__startswith="seed-")
    response = api(regulator).get(reverse("api-portfolio-statistics"))
    assert response.status_code == 200
    claimed = {p["claimed_class"] for p in response.json()["weight_loss"]["points"]}
    assert claimed == {"all_solid_state", "hybrid_solid_liquid", "liquid"}


def test_it_refuses_too_few_evaluations():
    with pytest.raises(CommandError, match="at least 2"):
        call_command("seed_portfolio", evaluations=1)
