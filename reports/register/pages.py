"""The register's pages: the search with its filters and one certificate's public entry. Thin:
``params`` reads the query, ``search`` runs it, ``public`` says what may be shown.

Public: no sign-in, GET only, rate-limited with the API's scope (``throttle``), so a browser and a
script share one budget per client. A bad query string is a 400 page that says what is wrong,
with the form to correct it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from certification.exceptions import NotFound, PortalError
from certification.models import BatteryClass, ElectrolyteFamily
from reports.models import Certificate
from reports.pages.verify import TONES
from reports.register import exports, params, public, search, throttle
from reports.verification import lookup


def _sorts() -> list[tuple[str, str]]:
    return [
        ("-issued", _("Newest first")),
        ("issued", _("Oldest first")),
        ("holder", _("Holder, A to Z")),
        ("-holder", _("Holder, Z to A")),
        ("model", _("Model number, A to Z")),
        ("-model", _("Model number, Z to A")),
        ("number", _("Certificate number")),
        ("-number", _("Certificate number, descending")),
        ("expires", _("Expiring first")),
        ("-expires", _("Expiring last")),
    ]


def _choices() -> dict[str, Any]:
    return {
        "classes": BatteryClass.choices,
        "families": ElectrolyteFamily.choices,
        "statuses": Certificate.Status.choices,
        "labels": [("true", _("Yes")), ("false", _("No"))],
        "sorts": _sorts(),
        "limits": {
            "search_max": params.SEARCH_MAX_CHARS,
            "depth": params.DEPTH_MAX,
            "download": exports.ANONYMOUS_ROWS,
        },
    }


def _render(request: HttpRequest, template: str, context: dict, status: int = 200):
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)  # statuses are live
    return response


def _throttled(request: HttpRequest, wait: int, template: str, context: dict) -> HttpResponse:
    message = f"{throttle.RegisterThrottled.default_detail} " + _(
        "Try again in %(seconds)s seconds."
    ) % {"seconds": wait}
    response = _render(request, template, {**context, "error": message}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _given(request: HttpRequest) -> dict[str, str]:
    """The form's values as sent, to show them back (the first of each)."""
    return {key: request.GET.get(key, "")[: params.RAW_MAX_CHARS] for key in params.FILTERS}


@require_safe
def register(request: HttpRequest) -> HttpResponse:
    """The register: search, filters, one page of results, and the links to download them."""
    context: dict[str, Any] = {**_choices(), "given": _given(request), "page": None}
    if (wait := throttle.wait_seconds(request, "register")) is not None:
        return _throttled(request, wait, "reports/register.html", context)
    try:
        query = params.parse(dict(request.GET.lists()))
        page = search.search(query)
    except PortalError as exc:
        context.update(error=exc.message, errors=exc.errors)
        return _render(request, "reports/register.html", context, status=exc.http_status)
    filters = query.query_string()
    size = None if query.page_size == params.PAGE_SIZE else query.page_size
    context.update(
        page=page,
        rows=[
            {**public.public_row(row), "tone": TONES.get(row["status"], "badge-none")}
            for row in page.rows
        ],
        filters=filters,
        previous=query.query_string(page=query.page - 1, page_size=size)
        if page.has_previous
        else None,
        next=query.query_string(page=query.page + 1, page_size=size) if page.has_next else None,
        searched=bool(query.filters()),
    )
    return _render(request, "reports/register.html", context)


@require_safe
def register_entry(request: HttpRequest, number: str) -> HttpResponse:
    """One certificate's public entry: facts, status history, the current PDF."""
    context: dict[str, Any] = {"given": number}
    if (wait := throttle.wait_seconds(request, "register")) is not None:
        return _throttled(request, wait, "reports/register_entry.html", context)
    try:
        entry = public.public_entry(lookup.verify_number(number))
    except PortalError as exc:
        status = 404 if isinstance(exc, NotFound) else exc.http_status
        context["error"] = exc.message
        return _render(request, "reports/register_entry.html", context, status=status)
    context.update(
        entry=entry,
        tone=TONES.get(entry["status"], "badge-none"),
        history=[
            {**change, "tone": TONES.get(change["to_status"], "badge-none")}
            for change in reversed(entry["history"])
        ],
    )
    return _render(request, "reports/register_entry.html", context)
