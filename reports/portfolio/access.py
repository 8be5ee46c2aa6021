"""Who sees the portfolio, and what of it: one function per list, used by pages, API and exports.

The portfolio is the audit view of ``certification.access.can_audit``: regulators, the
certification body and superusers. Everyone else gets nothing (the pages answer 404, the API 403
as the audit log's API does). Submissions are those ``submissions_visible_to`` gives an auditor
(every submitted attempt; drafts stay the maker's and lab's); evaluations, decisions and
certificates exist only for submitted attempts, so an auditor sees all of them.
"""

from __future__ import annotations

from django.db.models import QuerySet

from certification import access
from certification.models import Decision, Evaluation, Submission
from reports.models import Certificate, CertificateEvent


def can_see_portfolio(user) -> bool:
    return access.can_audit(user)


def submissions(user) -> QuerySet[Submission]:
    if not can_see_portfolio(user):
        return Submission.objects.none()
    return access.submissions_visible_to(user)


def evaluations(user) -> QuerySet[Evaluation]:
    return Evaluation.objects.all() if can_see_portfolio(user) else Evaluation.objects.none()


def decisions(user) -> QuerySet[Decision]:
    return Decision.objects.all() if can_see_portfolio(user) else Decision.objects.none()


def certificates(user) -> QuerySet[Certificate]:
    return Certificate.objects.all() if can_see_portfolio(user) else Certificate.objects.none()


def certificate_events(user) -> QuerySet[CertificateEvent]:
    if not can_see_portfolio(user):
        return CertificateEvent.objects.none()
    return CertificateEvent.objects.all()
