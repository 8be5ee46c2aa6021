"""Certificates built straight through the ORM, without the PDF and signing machinery.

Verification reads only the certificate row and its frozen content; an approved submission and a
finished evaluation exist because the schema requires them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from certification import services
from certification.models import Evaluation, Product, RuleSet, Submission
from reports.models import Certificate
from reports.services import certificate_change_status
from tests.conftest import upload_all

PDF = b"%PDF-1.4\n% dummy certificate for tests\n%%EOF\n"
_sequence = itertools.count(1)


def certificate_number(serial: int, year: int = 2026) -> str:
    return f"{settings.CERTIFICATE_NUMBER_PREFIX}-{year}-{serial:06d}"


def certificate_content(product: Product, lab, ruleset: RuleSet) -> dict:
    return {
        "holder": {"name": product.manufacturer.name},
        "product": {
            "model_number": product.model_number,
            "name": product.name,
            "electrolyte_family": product.electrolyte_family,
            "application": "high_energy",
            "classification_code": "SSB-ASSB-S-HE",
        },
        "determined_class": {
            "code": "all_solid_state",
            "name_en": "all-solid-state battery",
            "name_zh": "全固态电池",
        },
        "claimed_class": "all_solid_state",
        "may_label_solid_state": True,
        "permitted_labels": {"en": ["all-solid-state battery"], "zh": ["全固态电池"]},
        "forbidden_labels": {"en": ["semi-solid"], "zh": ["半固态"]},
        "criteria": [{"code": "weight_loss", "outcome": "pass", "measured": "0.1", "limit": "0.5"}],
        "ruleset": {
            "code": ruleset.code,
            "version": ruleset.version,
            "standard_id": ruleset.standard_id,
            "title": ruleset.title,
            "effective_from": ruleset.effective_from.isoformat(),
            "effective_until": None,
            "sha256": ruleset.sha256,
        },
        "lab": {"name": lab.name, "accreditation_number": lab.accreditation_number},
        "reviewers": ["reviewer", "reviewer2"],
        "evaluation": {"id": 0, "attempt": 1, "engine_version": "test", "inputs": []},
    }


def _approved_submission(product: Product, lab, user) -> tuple[Submission, Evaluation]:
    ruleset = RuleSet.objects.filter(code=settings.CERTIFICATION_RULESET).latest("version")
    submission = Submission.objects.create(
        product=product,
        claimed_class="all_solid_state",
        lab=lab,
        created_by=user,
        status=Submission.Status.APPROVED,
        attempt=1,
        submitted_at=timezone.now(),
    )
    evaluation = Evaluation.objects.create(
        submission=submission,
        attempt=1,
        ruleset=ruleset,
        status=Evaluation.Status.DONE,
        progress=100,
        determined_class="all_solid_state",
        certifiable=True,
        may_label_solid_state=True,
        claim_supported=True,
        classification_code="SSB-ASSB-S-HE",
    )
    return submission, evaluation


def make_certificate(
    product: Product,
    lab,
    user,
    *,
    number: str | None = None,
    issued_on: dt.date | None = None,
    expires_on: dt.date | None = None,
    **fields,
) -> Certificate:
    """A valid certificate of ``product``: issued today (or ``issued_on``), for three years."""
    submission, evaluation = _approved_submission(product, lab, user)
    issued_on = issued_on or timezone.localdate()
    certificate = Certificate(
        number=number or certificate_number(next(_sequence)),
        submission=submission,
        evaluation=evaluation,
        product=product,
        holder=product.manufacturer,
        issued_at=timezone.make_aware(dt.datetime.combine(issued_on, dt.time(10))),
        valid_from=issued_on,
        expires_on=expires_on or issued_on + dt.timedelta(days=3 * 365),
        content=certificate_content(product, lab, evaluation.ruleset),
        pdf_sha256=hashlib.sha256(PDF).hexdigest(),
        credential_jws="x.y.z",
        **fields,
    )
    certificate.pdf.save(f"{certificate.number}.pdf", ContentFile(PDF), save=False)
    certificate.save()
    return certificate


def make_many_certificates(product: Product, lab, user, count: int) -> list[str]:
    """``count`` valid certificates in a few bulk inserts; returns their numbers."""
    ruleset = RuleSet.objects.filter(code=settings.CERTIFICATION_RULESET).latest("version")
    now = timezone.now()
    submissions = Submission.objects.bulk_create(
        Submission(
            product=product, claimed_class="all_solid_state", lab=lab, created_by=user,
            status=Submission.Status.APPROVED, attempt=1, submitted_at=now,
        )
        for _ in range(count)
    )  # fmt: skip
    evaluations = Evaluation.objects.bulk_create(
        Evaluation(
            submission=s, attempt=1, ruleset=ruleset, status=Evaluation.Status.DONE,
            determined_class="all_solid_state", certifiable=True,
        )
        for s in submissions
    )  # fmt: skip
    content = certificate_content(product, lab, ruleset)
    today = timezone.localdate()
    certificates = Certificate.objects.bulk_create(
        Certificate(
            number=certificate_number(next(_sequence)), submission=s, evaluation=e,
            product=product, holder=product.manufacturer, issued_at=now, valid_from=today,
            expires_on=today + dt.timedelta(days=1000), content=content,
            pdf="certificates/dummy.pdf", pdf_sha256="0" * 64, credential_jws="x.y.z",
        )
        for s, e in zip(submissions, evaluations, strict=True)
    )  # fmt: skip
    return [c.number for c in certificates]


@pytest.fixture
def certificate(product, orgs, cast) -> Certificate:
    return make_certificate(product, orgs["lab"], cast["maker"])


@pytest.fixture
def new_certificate(product, cast, orgs):
    """``new_certificate(**fields)`` makes another certificate of ``product`` (or another)."""

    def make(of: Product | None = None, **fields) -> Certificate:
        return make_certificate(of or product, orgs["lab"], cast["maker"], **fields)

    return make


def approve_for_issue(submission, cast, capture):
    """The lab's four sample sheets, the evaluation, and two approvals: the last one's commit
    issues the certificate (in-process with ``eager_celery``: PDF rendered, credential signed)."""
    upload_all(submission, cast["lab"])
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    services.evaluation_run(evaluation_id=evaluation.pk)
    services.submission_decide(
        user=cast["reviewer"], submission=submission, decision="approve", reason="ok"
    )
    with capture(execute=True):
        services.submission_decide(
            user=cast["reviewer2"], submission=submission, decision="approve", reason="ok"
        )
    submission.refresh_from_db()
    return submission


@pytest.fixture
def issued(submission, cast, eager_celery, django_capture_on_commit_callbacks) -> Certificate:
    """A certificate issued the real way: two approvals, then the PDF rendered and signed."""
    return approve_for_issue(submission, cast, django_capture_on_commit_callbacks).certificate


@pytest.fixture
def eager_celery(settings, monkeypatch):
    """Run tasks in the calling process. Celery read its configuration from the Django settings
    once, so the loaded configuration is switched too; it is touched first, so that it loads
    (if it had not yet) before the setting changes and is restored to what it was. Errors are
    not propagated: an eager retry is Celery's Retry exception, re-run only when caught."""
    from portal.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    settings.CELERY_TASK_ALWAYS_EAGER = True


# --- a webhook receiver on the loopback interface ----------------------------------------------


class HookServer:
    """An HTTP server on 127.0.0.1 (random port) that answers POSTs with the next status of
    ``statuses`` (the last one repeats) and records every request it receives."""

    def __init__(self, statuses=(200,)):
        self.statuses = list(statuses)
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 -- the name http.server calls
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with outer.lock:
                    outer.requests.append(
                        {"headers": dict(self.headers), "body": body, "at": time.monotonic()}
                    )
                    index = min(len(outer.requests), len(outer.statuses)) - 1
                    code = outer.statuses[index]
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def signature_ok(request: dict, secret: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(request["headers"].get("X-SSB-Signature", ""), expected)


def payload(request: dict) -> dict:
    return json.loads(request["body"])


def change_status(user, certificate, status, reason, capture) -> Certificate:
    """Change a certificate's status the way a user does, running what is queued on commit."""
    with capture(execute=True):
        certificate_change_status(
            user=user, certificate=certificate, new_status=status, reason=reason
        )
    certificate.refresh_from_db()
    return certificate
