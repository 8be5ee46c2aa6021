"""The register in the API under /api/v1/register/: the filtered, sorted, paged list, one
certificate's public entry with its status history, and the list as a CSV or JSON download.

Public and read-only: no sign-in, GET only, rate-limited per client as verification is
(``throttle``). Every parameter is checked by ``params``: an unknown, repeated or bad one is a
400 that names it; a search PostgreSQL cannot answer within the time budget is a 503.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from certification.csvfile import CsvRenderer, ErrorsAsJson
from reports.register import exports, params, public, search, throttle
from reports.verification import lookup

ERRORS = {
    (400, "application/json"): OpenApiTypes.OBJECT,
    (429, "application/json"): OpenApiTypes.OBJECT,
    (503, "application/json"): OpenApiTypes.OBJECT,
}


def _parameter(name: str, description: str, kind=OpenApiTypes.STR, enum=None):
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description, enum=enum)


FILTER_PARAMETERS = [
    _parameter(
        "q",
        "Words of the holder, model number, product name or certificate number (each anywhere, "
        f"case ignored); at most {params.SEARCH_MAX_CHARS} characters and "
        f"{params.SEARCH_MAX_WORDS} words, one with at least three letters or digits in a row.",
    ),
    _parameter("class", "Determined class.", enum=list(params.CLASSES)),
    _parameter("label", "Whether it may be labelled solid-state.", enum=["true", "false"]),
    _parameter("family", "Electrolyte family.", enum=list(params.FAMILIES)),
    _parameter("status", "Status as verification states it today.", enum=list(params.STATUSES)),
    _parameter("issued_from", "First issue day, inclusive (portal time).", OpenApiTypes.DATE),
    _parameter("issued_to", "Last issue day, inclusive (portal time).", OpenApiTypes.DATE),
    _parameter(
        "sort",
        "Order; a leading minus sorts descending. Default -issued.",
        enum=[f"{sign}{key}" for key in params.SORTS for sign in ("", "-")],
    ),
]
PAGE_PARAMETERS = [
    _parameter(
        "page",
        f"Page, from 1; pages reach the first {params.DEPTH_MAX:,} rows of a list.",
        OpenApiTypes.INT,
    ),
    _parameter(
        "page_size",
        f"Rows a page, 1 to {params.PAGE_SIZE_MAX} (default {params.PAGE_SIZE}).",
        OpenApiTypes.INT,
    ),
]


def read_query(request: Request, *, paging: bool = True) -> params.RegisterQuery:
    return params.parse(dict(request.query_params.lists()), paging=paging)


class _RegisterView(APIView):
    # Public: no token or session lookup for the list and the entries; keyed by address.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [throttle.RegisterRateThrottle]
    throttle_scope = "register"
    renderer_classes = [JSONRenderer]

    def throttled(self, request, wait):
        raise throttle.RegisterThrottled(wait=wait)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Statuses are live: no browser or proxy may keep an old answer.
        response["Cache-Control"] = "no-store"
        return response


def _page_link(request: Request, page: search.Page, number: int) -> str:
    query = page.query.query_string(page=number, page_size=_size(page))
    return request.build_absolute_uri(f"{request.path}?{query}")


def _size(page: search.Page) -> int | None:
    return None if page.query.page_size == params.PAGE_SIZE else page.query.page_size


class RegisterListView(_RegisterView):
    """The register: certificates matching the filters, newest first unless `sort` says
    otherwise, `page_size` at a time. Only public facts; `status` is the live status
    (a certificate past its expiry date is `expired`). `count` counts matches up to 1,000;
    `count_capped` is true when there are more (then `pages` is null, and `next` is given while
    pages come full, as far as the first 10,000 rows)."""

    @extend_schema(
        operation_id="register_list",
        parameters=FILTER_PARAMETERS + PAGE_PARAMETERS,
        responses={(200, "application/json"): OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request):
        page = search.search(read_query(request))
        query = page.query
        return Response(
            {
                "count": page.count,
                "count_capped": page.capped,
                "page": query.page,
                "page_size": query.page_size,
                "pages": page.pages,
                "next": _page_link(request, page, query.page + 1) if page.has_next else None,
                "previous": _page_link(request, page, query.page - 1)
                if page.has_previous
                else None,
                "results": [public.public_row(row) for row in page.rows],
            }
        )


class RegisterEntryView(_RegisterView):
    """One certificate's public entry: what verification states (live status, holder, product,
    class, labels, rule set, lab, dates), its status history (day, statuses, public reason) and
    the links to its page, PDF (watermarked once not valid) and signed credential. 400 for a
    string that is no certificate number, 404 for one never issued."""

    @extend_schema(
        operation_id="register_entry",
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (404, "application/json"): OpenApiTypes.OBJECT,
            **ERRORS,
        },
    )
    def get(self, request, number: str):
        return Response(public.public_entry(lookup.verify_number(number)))


class RegisterExportView(ErrorsAsJson, _RegisterView):
    """The filtered, sorted list as one file, streamed: at most 10,000 rows when not signed in
    (100,000 signed in), the first rows in the list's order; the header
    `X-Register-Truncated` says whether the list was longer. Same filters as the list; no
    paging. CSV: UTF-8 with a byte-order mark, header in the request's language, cells a
    spreadsheet would run as a formula prefixed with an apostrophe. JSON: an array of the
    list's row objects."""

    # Signed-in users may download more: their session or token is read here.
    authentication_classes = APIView.authentication_classes
    throttle_scope = "register_export"
    file_format = "csv"

    def get(self, request):
        return exports.export_response(
            read_query(request, paging=False), self.file_format, user=request.user
        )


class RegisterCsvView(RegisterExportView):
    renderer_classes = [CsvRenderer, JSONRenderer]
    file_format = "csv"

    @extend_schema(
        operation_id="register_export_csv",
        parameters=FILTER_PARAMETERS,
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR), **ERRORS},
    )
    def get(self, request):
        return super().get(request)


class RegisterJsonView(RegisterExportView):
    file_format = "json"

    @extend_schema(
        operation_id="register_export_json",
        parameters=FILTER_PARAMETERS,
        responses={
            (200, "application/json"): {"type": "array", "items": {"type": "object"}},
            **ERRORS,
        },
    )
    def get(self, request):
        return super().get(request)
