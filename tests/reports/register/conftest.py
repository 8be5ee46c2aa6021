"""A small register of every shape, built through the ORM (``tests.reports.conftest``), and a
larger one written by the seeder for the query plans and time budgets.

- ``qingdao``: Qingdao Solid Cells, ``QS-21700-SSB``, sulfide all-solid-state, valid;
- ``hybrid``: Other Cells Co, ``OC-PR120-HY``, oxide hybrid, suspended (a public reason), then
  reinstated (a reason that is not public), then suspended again;
- ``revoked``: Other Cells Co, ``OC-PC60-X``, composite hybrid, revoked;
- ``lapsed``: Qingdao, ``QS-4680-OLD``, valid in the table but past its expiry date;
- ``chinese``: 宁德固态电池有限公司, ``宁德-PR-120``, 硫化物全固态软包电芯, valid, issued 2025-03-01;
- ``formula``: a holder whose name a spreadsheet would run, ``=HYPERLINK(...)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from certification.models import Organisation, Product
from reports.models import Certificate
from reports.services import certificate_change_status
from tests.conftest import PRODUCT_FIELDS, make_org
from tests.reports.conftest import make_certificate

FORMULA_HOLDER = '=HYPERLINK("http://evil.example","click")'
SUSPEND_REASON = "Market surveillance sample failed the weight-loss retest"
REINSTATE_REASON = "Internal note: lab director vouched; do not publish"


@dataclass
class Register:
    qingdao: Certificate
    hybrid: Certificate
    revoked: Certificate
    lapsed: Certificate
    chinese: Certificate
    formula: Certificate

    def all(self) -> list[Certificate]:
        return [self.qingdao, self.hybrid, self.revoked, self.lapsed, self.chinese, self.formula]


def _product(org, user, model_number, name, family) -> Product:
    fields = {**PRODUCT_FIELDS, "model_number": model_number, "name": name,
              "electrolyte_family": family}  # fmt: skip
    return Product.objects.create(manufacturer=org, created_by=user, **fields)


def _certificate(product, lab, user, *, determined="all_solid_state", **fields) -> Certificate:
    certificate = make_certificate(product, lab, user, **fields)
    content = certificate.content
    content["determined_class"] = {"code": determined, "name_en": determined, "name_zh": "?"}
    content["may_label_solid_state"] = determined == "all_solid_state"
    if determined != "all_solid_state":
        content["permitted_labels"] = {"en": [], "zh": []}
    # An UPDATE, so PostgreSQL generates the register's columns again from the new content.
    Certificate.objects.filter(pk=certificate.pk).update(content=content)
    certificate.refresh_from_db()
    return certificate


@pytest.fixture
def register(orgs, cast) -> Register:
    lab, maker, other = orgs["lab"], cast["maker"], cast["other_maker"]
    today = timezone.localdate()
    qingdao = _certificate(
        _product(orgs["maker"], maker, "QS-21700-SSB", "Qingdao sulfide all-solid-state cell",
                 "sulfide"), lab, maker, issued_on=today - dt.timedelta(days=10),
    )  # fmt: skip
    hybrid = _certificate(
        _product(orgs["other_maker"], other, "OC-PR120-HY", "Oxide hybrid prismatic cell",
                 "oxide"), lab, other, determined="hybrid_solid_liquid",
        issued_on=today - dt.timedelta(days=200),
    )  # fmt: skip
    reviewer = cast["reviewer"]
    for status, reason in (("suspended", SUSPEND_REASON), ("valid", REINSTATE_REASON),
                           ("suspended", SUSPEND_REASON)):  # fmt: skip
        certificate_change_status(
            user=reviewer, certificate=hybrid, new_status=status, reason=reason
        )
    revoked = _certificate(
        _product(orgs["other_maker"], other, "OC-PC60-X", "Composite hybrid pouch cell",
                 "composite"), lab, other, determined="hybrid_solid_liquid",
        issued_on=today - dt.timedelta(days=400),
    )  # fmt: skip
    certificate_change_status(
        user=reviewer, certificate=revoked, new_status="revoked", reason="Fraudulent test report"
    )
    lapsed = _certificate(
        _product(orgs["maker"], maker, "QS-4680-OLD", "Qingdao older cylindrical cell", "sulfide"),
        lab, maker, issued_on=today - dt.timedelta(days=1200),
        expires_on=today - dt.timedelta(days=5),
    )  # fmt: skip
    ningde = make_org("宁德固态电池有限公司", Organisation.Kind.MANUFACTURER)
    chinese = _certificate(
        _product(ningde, maker, "宁德-PR-120", "硫化物全固态软包电芯", "sulfide"), lab, maker,
        issued_on=dt.date(2025, 3, 1),
    )  # fmt: skip
    evil = make_org(FORMULA_HOLDER, Organisation.Kind.MANUFACTURER)
    formula = _certificate(
        _product(evil, maker, "=1+2", "@SUM(A1:A9)", "polymer"), lab, maker,
        issued_on=today - dt.timedelta(days=30),
    )  # fmt: skip
    for certificate in (hybrid, revoked):
        certificate.refresh_from_db()
    return Register(qingdao, hybrid, revoked, lapsed, chinese, formula)


@pytest.fixture
def seeded(db):
    """1,200 certificates of realistic shape from ``seed_register``, the tables analysed: rows to
    read query plans and time the worst searches on."""
    from reports.register.seeder import Seeder

    Seeder(certificates=1200, seed=9, log=lambda text: None).run()
    return Certificate.objects.count()
