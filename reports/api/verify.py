"""Verification API: thin adapters over ``reports.verification``.

Verification is public and rate-limited per client address; a bulk check of up to 1,000
numbers counts once against its own, lower limit. Checking a certificate file (its PDF or signed
credential) counts as one verification.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from certification.api.errors import api_exception_body, portal_error_body
from certification.api.parsers import StrictJSONParser
from certification.csvfile import CsvRenderer, ErrorsAsJson
from certification.exceptions import FieldError, InvalidInput, PortalError
from reports import livecache, ratelimit, uploads
from reports.verification import bulk, document_check, lookup

# Used when settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] does not name the scope.
DEFAULT_RATES = {"verify": "120/min", "verify_bulk": "30/min"}


class VerifyRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle (per user, or per client address for anonymous requests), counting
    in fixed windows shared by every process (``reports.ratelimit``), where DRF's sliding log
    rewrites the list of every request in the window. The rate is read on each request, so
    settings changes apply."""

    def get_rate(self):
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        return rates.get(self.scope, DEFAULT_RATES.get(self.scope))

    def get_cache_key(self, request, view):
        # The API answers without authentication (and, on its fast path, before the
        # authentication middleware): a request there has no user, and is keyed by address.
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        self.window_ends = (int(now // self.duration) + 1) * self.duration
        return ratelimit.limiter.allow(
            key, limit=self.num_requests, period_s=self.duration, now=now
        )

    def wait(self):
        return max(self.window_ends - self.timer(), 0)


def throttle_wait(request: HttpRequest, scope: str) -> int | None:
    """Whole seconds to wait when ``request`` is over the scope's rate, else None (counting
    the request when it is not)."""
    throttle = VerifyRateThrottle()
    if throttle.allow_request(request, SimpleNamespace(throttle_scope=scope)):
        return None
    return math.ceil(throttle.wait())


class VerifyThrottled(exceptions.Throttled):
    default_detail = gettext_lazy(
        "Too many verification requests from your address. To check many certificates at once, "
        "send them together: the bulk check answers up to 1,000 numbers in one request."
    )
    extra_detail_singular = gettext_lazy("Try again in {wait} second.")
    extra_detail_plural = gettext_lazy("Try again in {wait} seconds.")


class _PublicVerifyView(APIView):
    # No authentication: verification is public, and skipping token and session lookups keeps
    # the answer to one query. The throttle then keys on the client address.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [VerifyRateThrottle]

    def throttled(self, request, wait):
        raise VerifyThrottled(wait=wait)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # The status is live: no browser or proxy may keep an old answer.
        response["Cache-Control"] = "no-store"
        return response


def _json_bytes(body: dict) -> bytes:
    # DRF's own JSONRenderer, so both ways of serving write the same bytes.
    return JSONRenderer().render(body)


def _verify_number_body(number: str) -> tuple[int, bytes]:
    try:
        return 200, _json_bytes(lookup.verify_number(number))
    except PortalError as exc:
        status_code, body = portal_error_body(exc)
        return status_code, _json_bytes(body)


def verify_number_answer(request: HttpRequest, number: str) -> HttpResponse:
    """``GET /api/v1/verify/{number}/``: the certificate's public record and live status (200),
    or why there is none: not a certificate number (400), never issued (404), or too many
    requests from this client (429).

    The verification hot path: ``reports.middleware.VerifyFastPathMiddleware`` serves it ahead
    of the session, authentication and message middleware, and the DRF view below serves it
    for every other way in. The answer for a well-formed number is kept in the process's copy
    (``reports.livecache``) per language and day until a certificate next changes.
    """
    retry_after = throttle_wait(request, "verify")
    if retry_after is not None:
        body = _json_bytes(api_exception_body(VerifyThrottled(wait=retry_after)))
        status_code = 429
    else:
        normalised = lookup.normalise_number(number)
        if lookup.is_well_formed(normalised):
            key = ("answer", normalised, get_language(), lookup.today())
            status_code, body = livecache.certificates.get_or_compute(
                key, lambda: _verify_number_body(normalised)
            )
        else:
            status_code, body = _verify_number_body(number)
    response = HttpResponse(body, status=status_code, content_type="application/json")
    response["Content-Length"] = str(len(body))  # as CommonMiddleware would set it
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    # The status is live: no browser or proxy may keep an old answer.
    response["Cache-Control"] = "no-store"
    return response


class VerifyNumberView(_PublicVerifyView):
    """One certificate's public record and live status."""

    throttle_scope = "verify"
    throttle_classes: list = []  # verify_number_answer counts the request

    @extend_schema(
        responses={
            200: OpenApiTypes.OBJECT,
            400: OpenApiTypes.OBJECT,
            404: OpenApiTypes.OBJECT,
            429: OpenApiTypes.OBJECT,
        }
    )
    def get(self, request, number: str):
        return verify_number_answer(request, number)


def numbers_in(data: object) -> list:
    """The list under "numbers" of a JSON body, as the bulk check and the bulk watch take it."""
    numbers = data.get("numbers") if isinstance(data, dict) else None
    if not isinstance(numbers, list):
        raise InvalidInput(
            _('Send a JSON object with a list of certificate numbers: {"numbers": [...]}.')
        )
    if not numbers:
        raise InvalidInput(_("The list of numbers is empty."))
    return numbers


class VerifyCsvRenderer(CsvRenderer):
    """The bulk check's answer as a CSV file for the records (``bulk.results_csv``):
    UTF-8 with a byte-order mark, formula-like cells neutralised."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return bulk.results_csv(data)


class VerifyBulkView(ErrorsAsJson, _PublicVerifyView):
    """Up to 1,000 numbers in one request, each answered in order.

    Send `Accept: text/csv` (or add `?format=csv`) for the answer as a CSV file to keep: one
    row per number sent, with the columns line, input, certificate number, outcome, status,
    statement, holder, product model, class, expires on, checked at. The header and the
    statement are in the request's language (`Accept-Language`); outcome and status are the
    same codes as in the JSON. UTF-8 with a byte-order mark, so that Excel reads it as UTF-8;
    a cell starting with `=`, `+`, `-` or `@` is prefixed with an apostrophe so that no
    spreadsheet runs it. Errors are JSON in either case.
    """

    throttle_scope = "verify_bulk"
    parser_classes = [StrictJSONParser]
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, VerifyCsvRenderer]

    @extend_schema(
        request=inline_serializer("VerifyBulk", {"numbers": serializers.ListField()}),
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="The answer as a CSV file (Accept: text/csv)."
            ),
            (400, "application/json"): OpenApiTypes.OBJECT,
            (429, "application/json"): OpenApiTypes.OBJECT,
        },
    )
    def post(self, request):
        answer = bulk.verify_many(numbers_in(request.data))
        if request.accepted_renderer.format != "csv":
            return Response(answer)
        name = bulk.results_csv_name(answer)
        return Response(answer, headers={"Content-Disposition": f'attachment; filename="{name}"'})


class DocumentParser(uploads.FirstFileInMemoryParser):
    """The upload is held in memory, never written to a temporary file, and only as much of it
    as tells whether it is too large."""

    field_name = "file"
    max_bytes = document_check.DOCUMENT_MAX_BYTES


class DocumentCheckSerializer(serializers.Serializer):
    file = serializers.FileField(
        required=False,
        help_text="The certificate PDF, or the signed credential file (.jwt) as served by "
        "/api/v1/certificates/{number}/credential/. At most 20 MB.",
    )
    credential = serializers.CharField(
        required=False,
        help_text="Instead of a file: the credential's text (the compact JWS), as pasted.",
    )


class DocumentCheckAnswerSerializer(serializers.Serializer):
    outcome = serializers.CharField(help_text="`genuine`: any other outcome is a 400.")
    kind = serializers.CharField(help_text="What the file is: `pdf` or `credential`.")
    message = serializers.CharField()
    sha256 = serializers.CharField(
        allow_null=True,
        help_text="The PDF's SHA-256: of the file sent (pdf), or as the credential states it.",
    )
    pdf_sha256_matches = serializers.BooleanField(
        help_text="Whether that SHA-256 is the certificate's PDF as issued."
    )
    pdf_message = serializers.CharField(
        required=False, help_text="For a credential: whether that SHA-256 matches, in words."
    )
    certificate = serializers.DictField(
        help_text="The certificate's public record with its live status, as GET "
        "/api/v1/verify/{number}/ answers it. For a credential whose status list could not be "
        "read, `status` is `unchecked` and `is_valid` false."
    )
    status_list = serializers.DictField(
        required=False,
        allow_null=True,
        help_text="For a credential: what its W3C status lists say, `{checked: true, revocation, "
        "suspension}` or `{checked: false, reason}`; null for a credential that names none.",
    )


class VerifyDocumentView(_PublicVerifyView):
    """Check a certificate file someone sent: the certificate PDF (found by its SHA-256: the
    PDF exactly as issued) or the signed credential (its signature checked against the
    portal's current and retired keys). The answer gives the certificate with its live status.

    Anything else is a 400 whose `code` says what: `unknown_pdf` (a PDF the portal did not
    issue, or altered; a copy downloaded after a status change carries a watermark and differs),
    `invalid_credential`, `not_a_certificate_file`, `empty_file`, `file_too_large`. Nothing is
    stored. Counts against the same limit as GET /api/v1/verify/{number}/.
    """

    throttle_scope = "verify"
    parser_classes = [DocumentParser]

    @extend_schema(
        tags=["verify"],
        request={"multipart/form-data": DocumentCheckSerializer},
        responses={
            200: DocumentCheckAnswerSerializer,
            400: OpenApiTypes.OBJECT,
            415: OpenApiTypes.OBJECT,
            429: OpenApiTypes.OBJECT,
        },
    )
    def post(self, request):
        data = uploads.document_bytes(request.FILES.get("file"), request.data.get("credential"))
        if data is None:
            message = _(
                "Send the certificate PDF or the credential file as multipart form data in the "
                "field “file”, or the credential's text in the field “credential”."
            )
            raise InvalidInput(message, errors=[FieldError(message, column="file")])
        return Response(document_check.check_document(data))
