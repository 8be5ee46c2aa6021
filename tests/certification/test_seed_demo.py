"""`manage.py seed_demo`: the demo cast and a product with an open submission, made through the
services (so the audit trail has them), and safe to run twice."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from certification.models import AuditEvent, Product, Submission, User

pytestmark = pytest.mark.django_db


def test_seed_demo_opens_the_demo_submission_through_the_services_once():
    call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    product = Product.objects.get(model_number="DSC-SS-100")
    submission = Submission.objects.get(product=product)
    assert submission.created_by == User.objects.get(username="maker")
    assert list(
        AuditEvent.objects.filter(product=product).order_by("id").values_list("action", flat=True)
    ) == ["product.registered", "submission.opened"]
    assert User.objects.get(username="reviewer").check_password("demo-password-1")


def test_seed_demo_refuses_a_weak_password_and_creates_nobody():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="too common"):
        call_command("seed_demo", password="password", stdout=io.StringIO())
    assert not User.objects.filter(username="maker").exists()
