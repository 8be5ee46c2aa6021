"""The portfolio in the API under /api/v1/portfolio/: the four lists (filtered, sorted, paged),
their exports, the history of a submission or certificate, and the statistics' numbers.

Read-only: every view answers GET (and HEAD, OPTIONS) only; another method is a 405. Anyone
signed in who may not audit gets 403, as from the audit log's API; anonymous gets 401.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from certification.exceptions import NotFound, NotPermitted
from reports.portfolio import access, selectors, statistics
from reports.portfolio.exports import export_response
from reports.portfolio.filters import PortfolioFilter


def require_auditor(user) -> None:
    if not access.can_see_portfolio(user):
        raise NotPermitted(_("Only regulators and the certification body read the portfolio."))


def row_serializer(listing: selectors.Listing) -> type[serializers.Serializer]:
    """The shape of one row of ``listing`` for the schema: its keys, each value as the list
    gives it (a number, text, a boolean, a time or null)."""
    fields = {
        column.key: serializers.JSONField(read_only=True, label=column.label)
        for column in listing.columns
    }
    name = f"Portfolio{listing.name.title().rstrip('s')}Row"
    return type(name, (serializers.Serializer,), {**fields, "__module__": __name__})


class _PortfolioView(generics.ListAPIView):
    """A list view, so that the schema documents its filters (and, for a page, its paging)."""

    listing: selectors.Listing

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the filters
            return self.listing.visible(None)
        require_auditor(self.request.user)
        return self.listing.visible(self.request.user)


class PortfolioListView(_PortfolioView):
    """One portfolio list (see the filters), newest first unless `ordering` says otherwise;
    `page` and `page_size` (at most 500). A bad filter value is a 400 naming it."""

    def list(self, request, *args, **kwargs):
        rows = self.listing.paged(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(list(self.listing.as_dicts(page)))


class PortfolioExportView(_PortfolioView):
    """The whole filtered list as one file, streamed: CSV (UTF-8 with a byte-order mark, cells a
    spreadsheet would run as a formula defused) or JSON (an array of the list's objects)."""

    pagination_class = None
    file_format = "csv"

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        return export_response(self.listing, queryset, self.file_format)


def list_view(listing: selectors.Listing) -> type[PortfolioListView]:
    return type(
        f"Portfolio{listing.name.title()}ListView",
        (PortfolioListView,),
        {
            "listing": listing,
            "filterset_class": listing.filterset,
            "serializer_class": row_serializer(listing),
            "__module__": __name__,
        },
    )


EXPORT_RESPONSES = {
    "csv": {(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV file.")},
    "json": {
        (200, "application/json"): OpenApiResponse(
            {"type": "array", "items": {"type": "object"}},
            description="The rows as an array of objects, keys as in the list.",
        )
    },
}


def export_view(listing: selectors.Listing, file_format: str) -> type[PortfolioExportView]:
    @extend_schema(responses=EXPORT_RESPONSES[file_format])
    def get(self, request, *args, **kwargs):
        return PortfolioExportView.get(self, request, *args, **kwargs)

    return type(
        f"Portfolio{listing.name.title()}Export{file_format.title()}View",
        (PortfolioExportView,),
        {
            "listing": listing,
            "filterset_class": listing.filterset,
            "file_format": file_format,
            "serializer_class": row_serializer(listing),
            "get": get,
            "__module__": __name__,
        },
    )


class HistoryView(generics.GenericAPIView):
    """Everything recorded about one submission: the submission, its evaluations, decisions and
    certificate, and every audit event and certificate status change, oldest first."""

    pagination_class = None
    filter_backends: list = []

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        require_auditor(request.user)
        found = selectors.history(request.user, pk)
        if found is None:
            raise NotFound(_("No such submission in the portfolio."))
        return Response(found)


class CertificateHistoryView(generics.GenericAPIView):
    """The history of the submission a certificate was issued for (as the submission's)."""

    pagination_class = None
    filter_backends: list = []

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, number: str):
        require_auditor(request.user)
        submission_id = selectors.submission_of_certificate(request.user, number)
        found = None if submission_id is None else selectors.history(request.user, submission_id)
        if found is None:
            raise NotFound(_("No such certificate in the portfolio."))
        return Response(found)


class StatisticsView(generics.GenericAPIView):
    """The numbers behind each plot of the statistics page, over the rows the common filters
    select (manufacturer, lab, claimed and determined class, outcome, reviewer, rule set, days).
    Computed at most once a minute for each set of filters: `computed_at` says when."""

    pagination_class = None
    filter_backends: list = []
    filterset_class = selectors.EVALUATIONS.filterset

    @extend_schema(
        parameters=[
            OpenApiParameter(
                name,
                OpenApiTypes.DATE
                if name in ("from", "to")
                else OpenApiTypes.INT
                if name in ("maker", "lab", "reviewer")
                else OpenApiTypes.STR,
                description=str(f.extra.get("help_text") or f.label),
            )
            for name, f in PortfolioFilter.base_filters.items()
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        require_auditor(request.user)
        filtersets = selectors.statistics_filtersets(request.user, request.query_params)
        for filterset in filtersets.values():
            if not filterset.is_valid():
                raise ValidationError(filterset.errors)
        return Response(statistics.figures_for(filtersets))
