"""The portfolio's pages: the four lists with their filters, the history of a submission and
the statistics with their pictures. Thin: ``selectors``, ``statistics`` and ``charts`` do the work.

Only those who audit see them (``access.can_see_portfolio``); anyone else signed in gets a 404,
as for a record outside their view, and anonymous visitors are sent to sign in. GET only.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from reports.portfolio import access, charts, selectors, statistics

PAGE_SIZE = 50


def _require_auditor(request: HttpRequest) -> None:
    if not access.can_see_portfolio(request.user):
        raise Http404


def _filter_data(request: HttpRequest) -> QueryDict:
    """The query string as filters: a form sends every field, the unused ones empty; those and
    the page number are not filters here (the API, asked directly, refuses an empty one)."""
    data = QueryDict(mutable=True)
    for key in request.GET:
        values = [v for v in request.GET.getlist(key) if v != ""]
        if key != "page" and values:
            data.setlist(key, values)
    return data


def _cells(listing: selectors.Listing, row: dict) -> list[dict]:
    cells = []
    for column in listing.columns:
        value = row[column.key]
        if column.choices is not None and value:
            value = column.choices.get(value, value)
        link = None
        if column.key == listing.link and row[column.key] is not None:
            link = reverse("portfolio-history", args=[row[column.key]])
        cells.append({"key": column.key, "value": value, "link": link})
    return cells


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    return redirect("portfolio-list", listing="submissions")


@login_required
@require_GET
def listing_page(request: HttpRequest, listing: str) -> HttpResponse:
    _require_auditor(request)
    chosen = selectors.LISTINGS.get(listing)
    if chosen is None:
        raise Http404
    data = _filter_data(request)
    filterset = chosen.filterset(data, queryset=chosen.visible(request.user))
    context = {
        "listing": chosen,
        "listings": selectors.LISTINGS.values(),
        "filter": filterset,
        "query": data.urlencode(),
        "columns": chosen.columns,
        "rows": [],
        "page": None,
    }
    if filterset.is_valid():
        paginator = Paginator(chosen.paged(filterset.qs), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        context["page"] = page
        context["rows"] = [_cells(chosen, row) for row in chosen.as_dicts(page.object_list)]
    return render(request, "reports/portfolio.html", context)


@login_required
@require_GET
def history_page(request: HttpRequest, pk: int) -> HttpResponse:
    _require_auditor(request)
    found = selectors.history(request.user, pk)
    if found is None:
        raise Http404
    context = {
        "history": found,
        "submission": [
            {"label": column.label, "value": cell["value"]}
            for column, cell in zip(
                selectors.SUBMISSIONS.columns,
                _cells(selectors.SUBMISSIONS, found["submission"]),
                strict=True,
            )
        ],
        "evaluations": [_cells(selectors.EVALUATIONS, row) for row in found["evaluations"]],
        "evaluation_columns": selectors.EVALUATIONS.columns,
        "decisions": [_cells(selectors.DECISIONS, row) for row in found["decisions"]],
        "decision_columns": selectors.DECISIONS.columns,
        "certificate": found["certificate"],
    }
    return render(request, "reports/portfolio_history.html", context)


@login_required
@require_GET
def certificate_history_page(request: HttpRequest, number: str) -> HttpResponse:
    """A certificate's history is its submission's: the same page."""
    _require_auditor(request)
    submission_id = selectors.submission_of_certificate(request.user, number)
    if submission_id is None:
        raise Http404
    return redirect("portfolio-history", pk=submission_id)


@login_required
@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    data = _filter_data(request)
    filtersets = selectors.statistics_filtersets(request.user, data)
    form_filter = filtersets["evaluations"]
    context = {"filter": form_filter, "query": data.urlencode(), "figures": None, "pictures": []}
    if all(filterset.is_valid() for filterset in filtersets.values()):
        figures = statistics.figures_for(filtersets)
        context["figures"] = figures
        context["pictures"] = charts.statistics_charts(figures)
        context["over_limit"] = [
            {"label": selectors.CLASSES.get(code, code), "count": count}
            for code, count in figures["weight_loss"]["over_limit_by_claimed_class"].items()
        ]
    return render(request, "reports/portfolio_statistics.html", context)
