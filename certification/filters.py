"""Filters of the portal-wide audit log: one FilterSet for the API (``DjangoFilterBackend``) and
the page, so that both accept and refuse the same query strings."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from certification import selectors
from certification.models import AuditEvent, Organisation, Submission


def _action_choices() -> list[tuple[str, str]]:
    return [
        ("", _("All actions")),
        (_("Groups"), list(selectors.AUDIT_ACTION_GROUPS.items())),
        (_("Actions"), list(selectors.AUDIT_ACTIONS.items())),
    ]


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the portal's TIME_ZONE (not the user's)."""
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone()
    )


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A record's id: a whole number (``NumberFilter`` alone would take 1.5)."""

    field_class = forms.IntegerField


class AuditLogForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end date is before the start date."))
        return cleaned


# "from" is a Python keyword, so the date range is declared by name rather than as attributes.
_DateRange = type(
    "_DateRange",
    (django_filters.FilterSet,),
    {
        "__module__": __name__,
        "from": django_filters.DateFilter(
            label=_("From"),
            method="filter_from",
            help_text=_("First day, inclusive (YYYY-MM-DD, portal time)."),
            widget=forms.DateInput(attrs={"type": "date"}),
        ),
        "to": django_filters.DateFilter(
            label=_("To"),
            method="filter_to",
            help_text=_("Last day, inclusive (YYYY-MM-DD, portal time)."),
            widget=forms.DateInput(attrs={"type": "date"}),
        ),
    },
)


class AuditEventFilter(_DateRange):
    action = django_filters.CharFilter(
        label=_("Action"),
        method="filter_action",
        help_text=_(
            "An action (certificate.revoked), or a prefix ending in a dot (certificate.) for a "
            "group."
        ),
        widget=forms.Select(choices=_action_choices),
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        field_name="actor_organisation",
        queryset=Organisation.objects.order_by("name").only("id", "name"),
        empty_label=_("All organisations"),
        help_text=_("Id of the organisation of the user who acted."),
    )
    manufacturer = django_filters.ModelChoiceFilter(
        label=_("Manufacturer"),
        field_name="product__manufacturer",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.MANUFACTURER)
        .order_by("name")
        .only("id", "name"),
        empty_label=_("All manufacturers"),
        help_text=_("Id of the manufacturer of the product concerned."),
    )
    submission = IdFilter(
        label=_("Submission"),
        field_name="submission_id",
        min_value=1,
        help_text=_("Submission id."),
    )
    certificate = django_filters.CharFilter(
        label=_("Certificate number"),
        method="filter_certificate",
        max_length=32,
        help_text=_("Events naming this certificate, and every event of its submission."),
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []
        form = AuditLogForm

    def filter_action(self, queryset, name, value):
        value = value.strip()
        if value.endswith("."):
            return queryset.filter(action__startswith=value)
        return queryset.filter(action=value)

    def filter_certificate(self, queryset, name, value):
        number = value.strip()
        # The submission is looked up first, so that both halves of the OR are indexed columns
        # of the event (its detail's certificate, its submission) and PostgreSQL can combine them.
        # The certificate is reports' model, reached through the relation it adds to Submission.
        certified = list(
            Submission.objects.filter(certificate__number=number).values_list("pk", flat=True)
        )
        return queryset.filter(Q(detail__certificate=number) | Q(submission_id__in=certified))

    # The first and last days a date can name bound nothing, and their midnights would overflow.
    def filter_from(self, queryset, name, value):
        if value == dt.date.min:
            return queryset
        return queryset.filter(at__gte=_start_of(value))

    def filter_to(self, queryset, name, value):
        if value == dt.date.max:
            return queryset
        return queryset.filter(at__lt=_start_of(value + dt.timedelta(days=1)))
