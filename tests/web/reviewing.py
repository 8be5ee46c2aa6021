"""Helpers for the review, certificate and audit page tests: an evaluated submission made with
the services and the sample sheets (as in tests/certification/test_review.py), a certificate
made through the ORM (no PDF renderer needed), and the role table of the page matrices."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from certification import services
from certification.models import Submission
from reports.models import Certificate, CertificateEvent
from tests.samples import sample_sheet

SHEETS = ("weight_loss", "electrolyte_content", "energy_density", "safety")
PDF = b"%PDF-1.4 test"

USERS = (
    "maker",
    "other_maker",
    "lab",
    "other_lab",
    "reviewer",
    "reviewer2",
    "automaker",
    "regulator",
)
ANON = "anonymous"
LOGIN = "login"  # expected: a redirect to the login page


def everyone(status, **overrides) -> dict[str, Any]:
    table = dict.fromkeys(USERS, status)
    table[ANON] = LOGIN
    table.update(overrides)
    return table


def cases(pages):
    """(page, user, expected) for every page and every member of the cast, plus anonymous."""
    import pytest

    return [
        pytest.param(page, user, page.expected[user], id=f"{page.method} {page.name} as {user}")
        for page in pages
        for user in (*USERS, ANON)
    ]


def assert_status(response, expected) -> None:
    if expected == LOGIN:
        assert response.status_code == 302, response.content[:500]
        assert response["Location"].startswith("/login/?next="), response["Location"]
    else:
        assert response.status_code == expected, (
            response.status_code,
            response.get("Location"),
            response.content[:1500],
        )


def as_user(client: Client, cast, user: str) -> Client:
    if user != ANON:
        client.force_login(cast[user])
    return client


def evaluate(submission, cast, *, uploader=None, profile="all_solid_state", kinds=SHEETS):
    """Upload the lab's sample sheets, submit, and run the evaluation in-process."""
    for kind in kinds:
        services.dataset_upload(
            user=uploader or cast["lab"],
            submission=submission,
            kind=kind,
            upload=SimpleUploadedFile(f"{kind}.csv", sample_sheet(kind, profile=profile)),
        )
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    services.evaluation_run(evaluation_id=evaluation.pk)
    submission.refresh_from_db()
    return submission


def approve_twice(submission, cast) -> Submission:
    for who in ("reviewer", "reviewer2"):
        services.submission_decide(
            user=cast[who], submission=submission, decision="approve", reason=f"Agreed by {who}."
        )
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED
    return submission


def make_certificate(submission, number: str = "SSB-2026-000042") -> Certificate:
    """A certificate row as ``reports.services.certificate_issue`` would leave it, minus the
    rendered PDF: the content has the shape of ``reports.services._content``."""
    evaluation = submission.evaluations.select_related("ruleset").get(attempt=submission.attempt)
    result = evaluation.result
    ruleset = evaluation.ruleset
    now = timezone.now()
    content = {
        "holder": {"name": submission.product.manufacturer.name},
        "product": {
            **result.get("product_snapshot", {}),
            "application": result.get("application"),
            "classification_code": evaluation.classification_code,
        },
        "determined_class": {
            "code": evaluation.determined_class,
            "name_en": "all-solid-state battery",
            "name_zh": "全固态电池",
        },
        "claimed_class": submission.claimed_class,
        "may_label_solid_state": evaluation.may_label_solid_state,
        "permitted_labels": result["labels"]["permitted"],
        "forbidden_labels": result["labels"]["forbidden"],
        "criteria": [
            {k: c.get(k) for k in ("code", "outcome", "measured", "limit", "comparator", "unit")}
            | {"message": c.get("message")}
            for c in result.get("criteria", [])
        ],
        "ruleset": {
            "code": ruleset.code,
            "version": ruleset.version,
            "standard_id": ruleset.standard_id,
            "title": ruleset.title,
            "effective_from": ruleset.effective_from.isoformat(),
            "effective_until": None,
            "sha256": ruleset.sha256,
        },
        "lab": {
            "name": submission.lab.name,
            "accreditation_number": submission.lab.accreditation_number,
        },
        "reviewers": ["reviewer", "reviewer2"],
        "evaluation": {
            "id": evaluation.pk,
            "attempt": evaluation.attempt,
            "engine_version": evaluation.engine_version,
            "inputs": evaluation.inputs,
        },
    }
    certificate = Certificate.objects.create(
        number=number,
        submission=submission,
        evaluation=evaluation,
        product=submission.product,
        holder=submission.product.manufacturer,
        issued_at=now,
        valid_from=timezone.localdate(now),
        expires_on=timezone.localdate(now) + dt.timedelta(days=3 * 365),
        content=content,
        pdf=ContentFile(PDF, name=f"{number}.pdf"),
        pdf_sha256=hashlib.sha256(PDF).hexdigest(),
        credential_jws="x.y.z",
    )
    CertificateEvent.objects.create(certificate=certificate, from_status="", to_status="valid")
    return certificate
