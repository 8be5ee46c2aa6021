"""A small portfolio of every shape, written straight through the ORM (and audit events through
``certification.services.audit``): three submitted submissions of two makers and two labs, and a
draft that auditors do not see.

- ``certified``: maker, lab, claims all-solid-state; evaluation certifiable (loss 0.2 %), two
  approvals 3 days after submitting, a certificate issued then suspended;
- ``refused``: other maker, other lab, claims all-solid-state; the evaluation says hybrid and
  not certifiable (loss 3.1 %, beyond the limit), one rejection 10 days after submitting, whose
  reason starts with "=" (a formula to a spreadsheet);
- ``failed``: maker, other lab, claims hybrid; the evaluation ended in an error;
- ``draft``: maker, lab, never submitted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.utils import timezone

from certification import services
from certification.models import Decision, Evaluation, Product, RuleSet, Submission
from reports.models import Certificate, CertificateEvent
from tests.conftest import PRODUCT_FIELDS

FORMULA_REASON = '=HYPERLINK("http://evil.example","click")'


def result(determined: str | None, loss: str | None, ruleset: RuleSet) -> dict:
    criteria = [
        {"code": "electrolyte_content", "outcome": "pass", "measured": {}, "limit": "",
         "comparator": "", "unit": "%"},
        {"code": "weight_loss", "outcome": "pass", "limit": "0.5", "comparator": "<=",
         "unit": "%", "measured": {"compared": "max_loss_pct", "max_loss_pct": loss,
                                    "sample_count": 3, "samples": []}},
    ]  # fmt: skip
    return {
        "ruleset": {"code": ruleset.code, "version": ruleset.version},
        "verdict": "certifiable" if determined == "all_solid_state" else "not_certifiable",
        "determined_class": determined,
        "criteria": criteria,
        "flags": [],
    }


@dataclass
class World:
    certified: Submission
    refused: Submission
    failed: Submission
    draft: Submission
    certificate: Certificate
    ruleset: RuleSet
    submitted_at: dt.datetime


def _product(org, user, model_number) -> Product:
    fields = {**PRODUCT_FIELDS, "model_number": model_number}
    return Product.objects.create(manufacturer=org, created_by=user, **fields)


def _submitted(product, lab, user, claimed, at, attempt=1) -> Submission:
    return Submission.objects.create(
        product=product, claimed_class=claimed, lab=lab, created_by=user,
        status=Submission.Status.AWAITING_REVIEW, attempt=attempt, submitted_at=at,
    )  # fmt: skip


def _evaluation(submission, ruleset, *, status, determined="", certifiable=None, loss=None, at):
    evaluation = Evaluation.objects.create(
        submission=submission, attempt=submission.attempt, ruleset=ruleset, status=status,
        progress=100, determined_class=determined, certifiable=certifiable,
        result=result(determined or None, loss, ruleset) if status == "done" else {},
        finished_at=at,
    )  # fmt: skip
    Evaluation.objects.filter(pk=evaluation.pk).update(queued_at=at)
    evaluation.refresh_from_db()
    return evaluation


def _decide(submission, evaluation, reviewer, kind, reason, at) -> Decision:
    decision = Decision.objects.create(
        submission=submission, evaluation=evaluation, reviewer=reviewer, decision=kind,
        reason=reason,
    )  # fmt: skip
    Decision.objects.filter(pk=decision.pk).update(decided_at=at)
    services.audit(action=f"submission.{kind}", actor=reviewer, submission=submission,
                   reason=reason)  # fmt: skip
    return decision


@pytest.fixture
def world(cast, orgs) -> World:
    ruleset = RuleSet.objects.filter(code=settings.CERTIFICATION_RULESET).latest("version")
    at = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
    mine = _product(orgs["maker"], cast["maker"], "QS-1")
    theirs = _product(orgs["other_maker"], cast["other_maker"], "OC-1")

    certified = _submitted(mine, orgs["lab"], cast["maker"], "all_solid_state", at)
    services.audit(action="submission.submitted", actor=cast["maker"], submission=certified)
    good = _evaluation(certified, ruleset, status="done", determined="all_solid_state",
                       certifiable=True, loss="0.2", at=at)  # fmt: skip
    _decide(certified, good, cast["reviewer"], "approve", "fine", at + dt.timedelta(days=3))
    _decide(certified, good, cast["reviewer2"], "approve", "fine", at + dt.timedelta(days=3))
    Submission.objects.filter(pk=certified.pk).update(status=Submission.Status.APPROVED)
    certificate = Certificate.objects.create(
        number="SSB-2026-900001", submission=certified, evaluation=good, product=mine,
        holder=orgs["maker"], issued_at=at + dt.timedelta(days=4), valid_from=at.date(),
        expires_on=at.date() + dt.timedelta(days=1000), content={}, pdf="certificates/x.pdf",
        pdf_sha256="0" * 64, credential_jws="x.y.z",
    )  # fmt: skip
    issued = CertificateEvent.objects.create(certificate=certificate, from_status="",
                                             to_status="valid", reason="issued")  # fmt: skip
    suspended = CertificateEvent.objects.create(
        certificate=certificate, from_status="valid", to_status="suspended",
        actor=cast["reviewer"], reason="market surveillance",
    )  # fmt: skip
    CertificateEvent.objects.filter(pk=issued.pk).update(at=at + dt.timedelta(days=4))
    CertificateEvent.objects.filter(pk=suspended.pk).update(at=at + dt.timedelta(days=40))
    Certificate.objects.filter(pk=certificate.pk).update(status="suspended")

    refused = _submitted(theirs, orgs["other_lab"], cast["other_maker"], "all_solid_state",
                         at + dt.timedelta(days=1))  # fmt: skip
    bad = _evaluation(refused, ruleset, status="done", determined="hybrid_solid_liquid",
                      certifiable=False, loss="3.1", at=at + dt.timedelta(days=1))  # fmt: skip
    _decide(refused, bad, cast["reviewer"], "reject", FORMULA_REASON, at + dt.timedelta(days=11))

    failed = _submitted(mine, orgs["other_lab"], cast["maker"], "hybrid_solid_liquid",
                        at + dt.timedelta(days=2))  # fmt: skip
    _evaluation(failed, ruleset, status="error", at=at + dt.timedelta(days=2))
    draft = Submission.objects.create(
        product=mine, claimed_class="all_solid_state", lab=orgs["lab"], created_by=cast["maker"]
    )
    certificate.refresh_from_db()
    return World(certified, refused, failed, draft, certificate, ruleset, at)
