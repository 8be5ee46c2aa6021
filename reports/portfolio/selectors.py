"""The portfolio's rows and histories, read in SQL: each list is one query of plain values (no
model instances, no large JSON read), the same for a page of 50 and for an export of 100,000.

A list is a ``Listing``: its filters, its visible rows, its columns (a key, a label and the ORM
path of the value) and its default order. The pages, the API and the exports all read
``Listing.rows``; only their formatting differs.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, F, FilteredRelation, Q, QuerySet, Value, When
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from certification import selectors as certification_selectors
from certification.models import AuditEvent, BatteryClass, Decision, Submission
from reports.models import Certificate, CertificateEvent
from reports.portfolio import access
from reports.portfolio.filters import (
    OUTCOMES,
    CertificateFilter,
    DecisionFilter,
    EvaluationFilter,
    PortfolioFilter,
    SubmissionFilter,
    outcome_q,
)

EXPORT_CHUNK = 2000


def outcome_expression(prefix: str = "") -> Case:
    """The outcome code of an evaluation, computed by PostgreSQL (``filters.OUTCOMES``)."""
    return Case(
        *(When(outcome_q(code, prefix), then=Value(code)) for code, _label in OUTCOMES),
        default=Value(""),
        output_field=CharField(),
    )


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    path: Any  # an ORM path ("lab__name") or an expression
    choices: dict | None = None  # code -> label, for the pages


class Counted:
    """Rows a paginator slices, with the count of another, cheaper query of the same rows."""

    ordered = True

    def __init__(self, rows: QuerySet, counted: QuerySet):
        self.rows, self.counted = rows, counted

    def count(self) -> int:
        return self.counted.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        return self.rows[index]


@dataclass(frozen=True)
class Listing:
    name: str  # "submissions", "evaluations", "decisions", "certificates"
    title: str | Promise
    filterset: type[PortfolioFilter]
    visible: Callable[[Any], QuerySet]
    columns: tuple[Column, ...]
    ordering: tuple[str, ...]
    link: str  # the column whose value opens the row's submission history

    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def rows(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` (visible and filtered) as tuples of the columns' values, in a stable
        order: the chosen sort, then the default one."""
        chosen = tuple(queryset.query.order_by)
        order = (*chosen, *self.ordering) if chosen else self.ordering
        return queryset.order_by(*order).values_list(*(c.path for c in self.columns))

    def paged(self, queryset: QuerySet) -> Counted:
        """``rows`` for a paginator: counted on ``queryset`` itself, without the joins the
        columns add (an INNER JOIN could drop rows, so PostgreSQL would make every one)."""
        return Counted(self.rows(queryset), queryset.order_by())

    def as_dicts(self, rows: Iterable[tuple]) -> Iterator[dict[str, Any]]:
        keys = self.keys()
        for row in rows:
            yield dict(zip(keys, row, strict=True))


CLASSES = dict(BatteryClass.choices)
OUTCOME_LABELS = dict(OUTCOMES)


def _columns(*columns: Column) -> tuple[Column, ...]:
    return columns


def _submissions(user) -> QuerySet[Submission]:
    # The current attempt's evaluation, joined once (LEFT JOIN ... ON attempt = attempt).
    return access.submissions(user).annotate(
        current=FilteredRelation("evaluations", condition=Q(evaluations__attempt=F("attempt")))
    )


SUBMISSIONS = Listing(
    name="submissions",
    title=_("Submissions"),
    filterset=SubmissionFilter,
    visible=_submissions,
    columns=_columns(
        Column("id", _("Submission"), "id"),
        Column("submitted_at", _("Submitted"), "submitted_at"),
        Column("status", _("Status"), "status", dict(Submission.Status.choices)),
        Column("maker_id", _("Manufacturer id"), "product__manufacturer_id"),
        Column("maker", _("Manufacturer"), "product__manufacturer__name"),
        Column("product", _("Product"), "product__model_number"),
        Column("lab_id", _("Laboratory id"), "lab_id"),
        Column("lab", _("Laboratory"), "lab__name"),
        Column("claimed_class", _("Claimed class"), "claimed_class", CLASSES),
        Column("attempt", _("Attempt"), "attempt"),
        Column("determined_class", _("Determined class"), "current__determined_class", CLASSES),
        Column("outcome", _("Outcome"), outcome_expression("current__"), OUTCOME_LABELS),
        Column("ruleset_code", _("Rule set"), "current__ruleset__code"),
        Column("ruleset_version", _("Rule set version"), "current__ruleset__version"),
        Column("certificate", _("Certificate"), "certificate__number"),
    ),
    ordering=("-submitted_at", "-id"),
    link="id",
)

EVALUATIONS = Listing(
    name="evaluations",
    title=_("Evaluations"),
    filterset=EvaluationFilter,
    visible=access.evaluations,
    columns=_columns(
        Column("id", _("Evaluation"), "id"),
        Column("submission_id", _("Submission"), "submission_id"),
        Column("attempt", _("Attempt"), "attempt"),
        Column("queued_at", _("Submitted"), "queued_at"),
        Column("finished_at", _("Finished"), "finished_at"),
        Column("maker", _("Manufacturer"), "submission__product__manufacturer__name"),
        Column("product", _("Product"), "submission__product__model_number"),
        Column("lab", _("Laboratory"), "submission__lab__name"),
        Column("claimed_class", _("Claimed class"), "submission__claimed_class", CLASSES),
        Column("determined_class", _("Determined class"), "determined_class", CLASSES),
        Column("outcome", _("Outcome"), outcome_expression(), OUTCOME_LABELS),
        Column("classification_code", _("Classification code"), "classification_code"),
        Column("ruleset_code", _("Rule set"), "ruleset__code"),
        Column("ruleset_version", _("Rule set version"), "ruleset__version"),
    ),
    ordering=("-queued_at", "-id"),
    link="submission_id",
)

DECISIONS = Listing(
    name="decisions",
    title=_("Decisions"),
    filterset=DecisionFilter,
    visible=access.decisions,
    columns=_columns(
        Column("id", _("Decision"), "id"),
        Column("submission_id", _("Submission"), "submission_id"),
        Column("evaluation_id", _("Evaluation"), "evaluation_id"),
        Column("decided_at", _("Decided"), "decided_at"),
        Column("decision", _("Decision"), "decision", dict(Decision.Kind.choices)),
        Column("reviewer", _("Reviewer"), "reviewer__username"),
        Column("maker", _("Manufacturer"), "submission__product__manufacturer__name"),
        Column("product", _("Product"), "submission__product__model_number"),
        Column("lab", _("Laboratory"), "submission__lab__name"),
        Column("claimed_class", _("Claimed class"), "submission__claimed_class", CLASSES),
        Column("determined_class", _("Determined class"), "evaluation__determined_class", CLASSES),
        Column("outcome", _("Outcome"), outcome_expression("evaluation__"), OUTCOME_LABELS),
        Column("ruleset_code", _("Rule set"), "evaluation__ruleset__code"),
        Column("ruleset_version", _("Rule set version"), "evaluation__ruleset__version"),
        Column("reason", _("Reason"), "reason"),
    ),
    ordering=("-decided_at", "-id"),
    link="submission_id",
)

CERTIFICATES = Listing(
    name="certificates",
    title=_("Certificates"),
    filterset=CertificateFilter,
    visible=access.certificates,
    columns=_columns(
        Column("number", _("Certificate"), "number"),
        Column("status", _("Status"), "status", dict(Certificate.Status.choices)),
        Column("issued_at", _("Issued"), "issued_at"),
        Column("expires_on", _("Expires"), "expires_on"),
        Column("submission_id", _("Submission"), "submission_id"),
        Column("maker", _("Manufacturer"), "holder__name"),
        Column("product", _("Product"), "product__model_number"),
        Column("lab", _("Laboratory"), "submission__lab__name"),
        Column("claimed_class", _("Claimed class"), "submission__claimed_class", CLASSES),
        Column("determined_class", _("Determined class"), "evaluation__determined_class", CLASSES),
        Column("ruleset_code", _("Rule set"), "evaluation__ruleset__code"),
        Column("ruleset_version", _("Rule set version"), "evaluation__ruleset__version"),
        Column("status_reason", _("Status reason"), "status_reason"),
    ),
    ordering=("-issued_at", "-id"),
    link="submission_id",
)

LISTINGS = {
    listing.name: listing for listing in (SUBMISSIONS, EVALUATIONS, DECISIONS, CERTIFICATES)
}


def statistics_filtersets(user, data) -> dict[str, PortfolioFilter]:
    """The evaluations, decisions and certificates the statistics count, each filtered by the
    common filters of one query string (any other parameter is not theirs and is left out)."""
    common = QueryDict(mutable=True)
    for key in data:
        if key in PortfolioFilter.base_filters:
            common.setlist(key, data.getlist(key))
    return {
        listing.name: listing.filterset(common, queryset=listing.visible(user))
        for listing in (EVALUATIONS, DECISIONS, CERTIFICATES)
    }


# --- the history of one submission -------------------------------------------------------------


def _audit_events(submission: Submission) -> list[dict]:
    events = (
        AuditEvent.objects.filter(submission=submission)
        .select_related("actor", "actor_organisation")
        .order_by("at", "id")
    )
    return [
        {
            "source": "audit",
            "id": e.pk,
            "at": e.at,
            "action": e.action,
            "label": str(certification_selectors.audit_action_label(e.action)),
            "actor": e.actor.username if e.actor else None,
            "organisation": e.actor_organisation.name if e.actor_organisation else None,
            "detail": e.detail,
        }
        for e in events
    ]


def _certificate_events(certificate_id: int | None) -> list[dict]:
    if certificate_id is None:
        return []
    events = (
        CertificateEvent.objects.filter(certificate_id=certificate_id)
        .select_related("actor", "actor__organisation")
        .order_by("at", "id")
    )
    return [
        {
            "source": "certificate",
            "id": e.pk,
            "at": e.at,
            "action": f"certificate.status.{e.to_status}",
            "label": str(Certificate.Status(e.to_status).label),
            "actor": e.actor.username if e.actor else None,
            "organisation": e.actor.organisation.name
            if e.actor and e.actor.organisation_id
            else None,
            "detail": {
                "from_status": e.from_status or None,
                "to_status": e.to_status,
                "reason": e.reason,
            },
        }  # fmt: skip
        for e in events
    ]


def _one(listing: Listing, queryset: QuerySet) -> list[dict]:
    return list(listing.as_dicts(listing.rows(queryset)))


def history(user, submission_id: int) -> dict | None:
    """Everything recorded about one submission, for an auditor: the submission, its
    evaluations, decisions and certificate as the lists show them, and every audit event and
    certificate event, oldest first (two ordered lists merged by time). None: not visible."""
    submission = SUBMISSIONS.visible(user).filter(pk=submission_id).first()
    if submission is None:
        return None
    certificate = Certificate.objects.filter(submission_id=submission_id).first()
    events = heapq.merge(
        _audit_events(submission),
        _certificate_events(certificate.pk if certificate else None),
        key=lambda e: (e["at"], e["source"] == "certificate", e["id"]),
    )
    certificates = _one(
        CERTIFICATES, CERTIFICATES.visible(user).filter(submission_id=submission_id)
    )
    return {
        "submission": _one(SUBMISSIONS, SUBMISSIONS.visible(user).filter(pk=submission_id))[0],
        "evaluations": _one(
            EVALUATIONS, EVALUATIONS.visible(user).filter(submission_id=submission_id)
        ),
        "decisions": _one(DECISIONS, DECISIONS.visible(user).filter(submission_id=submission_id)),
        "certificate": certificates[0] if certificates else None,
        "events": list(events),
    }


def submission_of_certificate(user, number: str) -> int | None:
    return (
        CERTIFICATES.visible(user).filter(number=number).values_list("submission_id", flat=True)
    ).first()
