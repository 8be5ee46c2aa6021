"""Demo organisations (one of each kind), users for every role, and a product ready to test."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from certification import services
from certification.models import Organisation, Product, User

Kind = Organisation.Kind

ORGANISATIONS = {
    "maker": ("Demo Solid Cells Co., Ltd.", Kind.MANUFACTURER, {}),
    "lab": (
        "Demo Battery Test Centre",
        Kind.TEST_LAB,
        {
            "accreditation_number": "CNAS L00001",
            "accreditation_scope": (
                "Solid-state battery classification tests; GB 38031-2025 cell safety"
            ),
            "accreditation_valid_from": dt.date(2025, 1, 1),
            "accreditation_valid_until": dt.date(2030, 12, 31),
        },
    ),
    "cb": ("Demo Certification Centre", Kind.CERTIFICATION_BODY, {}),
    "automaker": ("Demo Motors", Kind.AUTOMAKER, {}),
    "regulator": ("Demo Market Regulator", Kind.REGULATOR, {}),
}
USERS = [
    # username, organisation key, role, staff
    ("maker", "maker", User.Role.MEMBER, False),
    ("lab", "lab", User.Role.MEMBER, False),
    ("reviewer", "cb", User.Role.REVIEWER, True),
    ("reviewer2", "cb", User.Role.REVIEWER, True),
    ("automaker", "automaker", User.Role.MEMBER, False),
    ("regulator", "regulator", User.Role.MEMBER, False),
]


DEMO_PRODUCT = {
    "model_number": "DSC-SS-100",
    "name": "Demo sulfide all-solid-state pouch cell",
    "electrolyte_family": "sulfide",
    "conducting_ion": "lithium",
    "rated_capacity_ah": Decimal("60"),
    "nominal_voltage_v": Decimal("3.7"),
    "rated_energy_wh": Decimal("222"),
    "max_continuous_power_w": Decimal("666"),
    "cell_mass_g": Decimal("400"),
    "declared_liquid_electrolyte_pct": Decimal("0"),
}


class Command(BaseCommand):
    help = (
        "Create demo organisations, users (maker, lab, reviewer, reviewer2, automaker, "
        "regulator) and a product."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", help="Password for every demo user (default: generated and printed)."
        )

    @transaction.atomic
    def handle(self, *args, password=None, **options):
        services.rulesets_sync()
        if password:
            # The demo's users get the same password rules as everyone (AUTH_PASSWORD_VALIDATORS).
            try:
                validate_password(password)
            except ValidationError as exc:
                raise CommandError(f"--password refused: {' '.join(exc.messages)}") from None
        chosen = password or secrets.token_urlsafe(12)
        orgs = {}
        for key, (name, kind, extra) in ORGANISATIONS.items():
            orgs[key], _ = Organisation.objects.get_or_create(
                name=name, defaults={"kind": kind, **extra}
            )
        created, kept = [], []
        for username, org_key, role, staff in USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username=username, organisation=orgs[org_key], role=role, is_staff=staff
                )
                user.set_password(chosen)
                user.save(update_fields=["password"])
                created.append(username)
            elif password:
                user.set_password(password)
                user.save(update_fields=["password"])
                created.append(username)
            else:
                kept.append(username)
        maker = User.objects.get(username="maker")
        product = Product.objects.filter(
            manufacturer=orgs["maker"], model_number=DEMO_PRODUCT["model_number"]
        ).first()
        # Through the services, as the maker would: each writes its audit row.
        if product is None:
            product = services.product_create(user=maker, **DEMO_PRODUCT)
        if not product.submissions.exists():
            services.submission_create(
                user=maker, product=product, claimed_class="all_solid_state", lab=orgs["lab"]
            )
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        if created:
            self.stdout.write(f"Users {', '.join(created)} have the password: {password or chosen}")
        if kept:
            self.stdout.write(
                f"Users {', '.join(kept)} already existed and keep their passwords "
                "(run seed_demo --password PW to reset them)."
            )
        self.stdout.write(
            f"Log in at {settings.SITE_URL}/login/ "
            f"(API: POST {settings.SITE_URL}/api/v1/auth/token/; "
            f"docs at {settings.SITE_URL}/api/v1/docs/)."
        )
