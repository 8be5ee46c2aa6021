"""Rule-set proposals for the tests: the shipped version 3 as a new version, with one number
changed, and certificates issued from real evaluations (without the PDF and signing, which an
impact analysis never reads)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from certification import services
from certification.models import Evaluation, Submission
from certification.rules import RULESET_DIR
from reports.models import Certificate
from tests.conftest import upload_all
from tests.reports.conftest import PDF, certificate_content, certificate_number

V3 = (RULESET_DIR / "gbt-ssb-2026.v3.toml").read_text(encoding="utf-8")
MAX_LOSS = '[criteria.weight_loss.max_loss_pct]\ncomparator = "<="\nvalue = 0.5\n'


def proposal(version: int = 4, *replacements: tuple[str, str]) -> str:
    """Version 3's text as ``version``, with each (old, new) replaced once."""
    text = V3.replace("version = 3", f"version = {version}", 1)
    for old, new in replacements:
        assert old in text, f"test fixture out of date: {old!r} not in the rule set"
        text = text.replace(old, new, 1)
    return text


# The final text, say: a weight loss of at most 0.1 % (the samples lose 0.2 %), so an
# all-solid-state cell falls back to hybrid solid-liquid (class and wording change).
STRICTER = proposal(4, (MAX_LOSS, MAX_LOSS.replace("value = 0.5", "value = 0.1")))
# Nothing that changes an outcome: only the title differs.
SAME = proposal(5, ('title = "Solid-state', 'title = "Draft: Solid-state'))


def propose(user, text: str = STRICTER):
    return services.ruleset_propose(user=user, content=text.encode(), name="proposal.toml")


def certify(submission: Submission, cast, *, status: str = "valid") -> Certificate:
    """Evaluate ``submission`` on the lab's four sample sheets and issue its certificate
    straight through the ORM (approved submission, finished evaluation, certificate row)."""
    upload_all(submission, cast["lab"])
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    evaluation = services.evaluation_run(evaluation_id=evaluation.pk)
    assert evaluation.status == Evaluation.Status.DONE and evaluation.certifiable
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.APPROVED)
    today = timezone.localdate()
    certificate = Certificate(
        number=certificate_number(Certificate.objects.count() + 9000),
        submission=submission,
        evaluation=evaluation,
        product=submission.product,
        holder=submission.product.manufacturer,
        issued_at=timezone.now(),
        valid_from=today,
        expires_on=today + dt.timedelta(days=1000),
        content=certificate_content(submission.product, submission.lab, evaluation.ruleset),
        pdf_sha256=hashlib.sha256(PDF).hexdigest(),
        credential_jws="x.y.z",
        status=status,
    )
    certificate.pdf.save(f"{certificate.number}.pdf", ContentFile(PDF), save=False)
    certificate.save()
    return certificate


def analysed(user, ruleset):
    """Request the impact analysis and run it as the worker would (test transactions never run
    the after-commit hand-off)."""
    analysis = services.impact_request(user=user, ruleset=ruleset)
    return services.impact_analysis_run(analysis_id=analysis.pk)
