"""The portfolio's filters: one FilterSet per list, shared by the pages, the API and the exports,
so that all three accept and refuse the same query strings.

Every list is filtered by the same facts, each reached by its own path: the maker and the lab of
the submission, the claimed class, the evaluation's determined class, outcome and rule set (for a
submission: its current attempt's evaluation), a reviewer who decided, and a range of days of the
list's own date (submitted, queued, decided, issued). A bad value is a form error: a 400 in the API
(with ``StrictFilterSet``, a parameter sent empty is one too), a message on the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from certification.api.filtering import StrictFilterSet
from certification.filters import IdFilter
from certification.models import BatteryClass, Decision, Evaluation, Organisation, RuleSet, User
from certification.models import Submission as SubmissionModel
from reports.models import Certificate

Kind = Organisation.Kind

OUTCOMES = (
    ("certifiable", _("Certifiable")),
    ("not_certifiable", _("Not certifiable")),
    ("error", _("Evaluation error")),
    ("pending", _("Not evaluated yet")),
)


def outcome_q(outcome: str, prefix: str = "") -> Q:
    """An evaluation's outcome as a condition on its columns (``prefix`` leads to it)."""
    done = Evaluation.Status.DONE
    conditions = {
        "certifiable": {"status": done, "certifiable": True},
        "not_certifiable": {"status": done, "certifiable": False},
        "error": {"status": Evaluation.Status.ERROR},
        "pending": {"status__in": (Evaluation.Status.QUEUED, Evaluation.Status.RUNNING)},
    }[outcome]
    return Q(**{f"{prefix}{key}": value for key, value in conditions.items()})


def ruleset_value(code: str, version: int) -> str:
    return f"{code}@{version}"


def _ruleset_choices() -> list[tuple[str, str]]:
    return [
        (ruleset_value(code, version), f"{code} v{version}")
        for code, version in RuleSet.objects.order_by("code", "version").values_list(
            "code", "version"
        )
    ]


def start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the portal's TIME_ZONE."""
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone()
    )


@dataclass(frozen=True)
class Scope:
    """How one list reaches the facts it is filtered by."""

    submission: str  # path to the submission: "" or "submission__"
    evaluation: str  # path to the evaluation judged: "" or "evaluation__" or "current__"
    date_field: str  # the days "from" and "to" bound
    reviewer: str  # "submission", "evaluation", "self" or "evaluation_id": see filter_reviewer


class PortfolioForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end date is before the start date."))
        return cleaned


@extend_schema_field(OpenApiTypes.INT)
class IdChoiceFilter(django_filters.ModelChoiceFilter):
    """An organisation or a user by id (the schema says so; the form checks it exists)."""


@extend_schema_field(OpenApiTypes.STR)
class RuleSetFilter(django_filters.ChoiceFilter):
    """A rule set as code@version, among those loaded."""


def _date_filter(label, help_text, method):
    return django_filters.DateFilter(
        label=label,
        method=method,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


# "from" is a Python keyword, so the common filters are declared by name.
_Common = type(
    "_Common",
    (StrictFilterSet,),
    {
        "__module__": __name__,
        "maker": IdChoiceFilter(
            label=_("Manufacturer"),
            method="filter_maker",
            queryset=Organisation.objects.filter(kind=Kind.MANUFACTURER)
            .order_by("name")
            .only("id", "name"),
            empty_label=_("All manufacturers"),
            help_text=_("Id of the manufacturer of the product."),
        ),
        "lab": IdChoiceFilter(
            label=_("Laboratory"),
            method="filter_lab",
            queryset=Organisation.objects.filter(kind__in=(Kind.TEST_LAB, Kind.CERTIFICATION_BODY))
            .order_by("name")
            .only("id", "name"),
            empty_label=_("All laboratories"),
            help_text=_("Id of the test laboratory assigned to the submission."),
        ),
        "claimed_class": django_filters.ChoiceFilter(
            label=_("Claimed class"),
            method="filter_claimed_class",
            choices=BatteryClass.choices,
            empty_label=_("Any claimed class"),
        ),
        "determined_class": django_filters.ChoiceFilter(
            label=_("Determined class"),
            method="filter_determined_class",
            choices=BatteryClass.choices,
            empty_label=_("Any determined class"),
            help_text=_("The class the evaluation determined (a submission: its current one)."),
        ),
        "outcome": django_filters.ChoiceFilter(
            label=_("Outcome"),
            method="filter_outcome",
            choices=OUTCOMES,
            empty_label=_("Any outcome"),
        ),
        "reviewer": IdChoiceFilter(
            label=_("Reviewer"),
            method="filter_reviewer",
            queryset=User.objects.filter(
                organisation__kind=Kind.CERTIFICATION_BODY,
                role__in=(User.Role.REVIEWER, User.Role.ADMIN),
            )
            .order_by("username")
            .only("id", "username"),
            empty_label=_("Any reviewer"),
            help_text=_("Id of a reviewer who decided it."),
        ),
        "ruleset": RuleSetFilter(
            label=_("Rule set"),
            method="filter_ruleset",
            choices=_ruleset_choices,
            empty_label=_("Any rule set"),
            help_text=_("The rule set the evaluation applied, as code@version."),
        ),
        "from": _date_filter(
            _("From"), _("First day, inclusive (YYYY-MM-DD, portal time)."), "filter_from"
        ),
        "to": _date_filter(
            _("To"), _("Last day, inclusive (YYYY-MM-DD, portal time)."), "filter_to"
        ),
    },
)


class PortfolioFilter(_Common):
    """The common filters; each list's subclass gives its ``scope`` and its ``ordering``."""

    scope: Scope

    class Meta:
        form = PortfolioForm
        fields: list[str] = []

    def _path(self, name: str) -> str:
        return f"{self.scope.submission}{name}"

    def filter_maker(self, queryset, name, value):
        return queryset.filter(**{self._path("product__manufacturer"): value})

    def filter_lab(self, queryset, name, value):
        return queryset.filter(**{self._path("lab"): value})

    def filter_claimed_class(self, queryset, name, value):
        return queryset.filter(**{self._path("claimed_class"): value})

    def filter_determined_class(self, queryset, name, value):
        return queryset.filter(**{f"{self.scope.evaluation}determined_class": value})

    def filter_outcome(self, queryset, name, value):
        return queryset.filter(outcome_q(value, self.scope.evaluation))

    def filter_ruleset(self, queryset, name, value):
        code, _sep, version = value.rpartition("@")
        prefix = self.scope.evaluation
        return queryset.filter(
            **{f"{prefix}ruleset__code": code, f"{prefix}ruleset__version": int(version)}
        )

    def filter_reviewer(self, queryset, name, value):
        how = self.scope.reviewer
        if how == "self":
            return queryset.filter(reviewer=value)
        decided = Decision.objects.filter(reviewer=value)
        outer = {"submission": "pk", "evaluation": "pk", "evaluation_id": "evaluation_id"}[how]
        field = "submission" if how == "submission" else "evaluation"
        return queryset.filter(Exists(decided.filter(**{field: OuterRef(outer)})))

    # The first and last days a date can name bound nothing, and their midnights would overflow.
    def filter_from(self, queryset, name, value):
        if value == dt.date.min:
            return queryset
        return queryset.filter(**{f"{self.scope.date_field}__gte": start_of(value)})

    def filter_to(self, queryset, name, value):
        if value == dt.date.max:
            return queryset
        end = start_of(value + dt.timedelta(days=1))
        return queryset.filter(**{f"{self.scope.date_field}__lt": end})


def _ordering(*fields: tuple[str, str]) -> django_filters.OrderingFilter:
    return django_filters.OrderingFilter(
        fields=fields,
        label=_("Sort by"),
        help_text=_("A column to sort by; a leading minus sorts it in descending order."),
    )


class SubmissionFilter(PortfolioFilter):
    scope = Scope(submission="", evaluation="current__", date_field="submitted_at",
                  reviewer="submission")  # fmt: skip
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=SubmissionModel.Status.choices, empty_label=_("Any status")
    )
    ordering = _ordering(
        ("submitted_at", "submitted"),
        ("id", "id"),
        ("product__manufacturer__name", "maker"),
        ("lab__name", "lab"),
        ("status", "status"),
        ("claimed_class", "claimed_class"),
    )

    class Meta(PortfolioFilter.Meta):
        model = SubmissionModel


class EvaluationFilter(PortfolioFilter):
    scope = Scope(submission="submission__", evaluation="", date_field="queued_at",
                  reviewer="evaluation")  # fmt: skip
    submission = IdFilter(label=_("Submission"), field_name="submission_id", min_value=1)
    ordering = _ordering(
        ("queued_at", "queued"),
        ("finished_at", "finished"),
        ("id", "id"),
        ("submission__product__manufacturer__name", "maker"),
        ("submission__lab__name", "lab"),
        ("determined_class", "determined_class"),
    )

    class Meta(PortfolioFilter.Meta):
        model = Evaluation


class DecisionFilter(PortfolioFilter):
    scope = Scope(submission="submission__", evaluation="evaluation__", date_field="decided_at",
                  reviewer="self")  # fmt: skip
    decision = django_filters.ChoiceFilter(
        label=_("Decision"), choices=Decision.Kind.choices, empty_label=_("Any decision")
    )
    submission = IdFilter(label=_("Submission"), field_name="submission_id", min_value=1)
    ordering = _ordering(
        ("decided_at", "decided"),
        ("id", "id"),
        ("reviewer__username", "reviewer"),
        ("decision", "decision"),
        ("submission__product__manufacturer__name", "maker"),
        ("submission__lab__name", "lab"),
    )

    class Meta(PortfolioFilter.Meta):
        model = Decision


class CertificateFilter(PortfolioFilter):
    scope = Scope(submission="submission__", evaluation="evaluation__", date_field="issued_at",
                  reviewer="evaluation_id")  # fmt: skip
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Certificate.Status.choices, empty_label=_("Any status")
    )
    ordering = _ordering(
        ("issued_at", "issued"),
        ("number", "number"),
        ("expires_on", "expires"),
        ("holder__name", "maker"),
        ("submission__lab__name", "lab"),
        ("status", "status"),
    )

    class Meta(PortfolioFilter.Meta):
        model = Certificate
