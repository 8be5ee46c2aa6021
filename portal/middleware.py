"""Request bodies are capped per route before anything reads them.

Without this, a large anonymous POST to any page (``/login/``, ``/verify/``) is parsed — and a
file part written to a temporary file — before CSRF refuses it. Here the declared length is
checked first: evidence uploads may be large only for a signed-in user (a session, or an API
token, which DRF checks before it reads the body); the certificate file check takes the size of a
certificate; everything else takes ``REQUEST_BODY_MAX_BYTES``. A body of unknown length
(chunked) is accepted only on the upload routes, where Django's upload handlers stream it to
disk and the services check its size. The reverse proxy in ``docker/`` applies the same limits.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from reports.verification.document_check import DOCUMENT_MAX_BYTES

# Multipart framing around a file of the largest allowed size.
OVERHEAD = 1024 * 1024

UPLOAD_ROUTES = re.compile(r"^/(?:api/v1/submissions/\d+/datasets|submissions/\d+/upload)/$")
DOCUMENT_ROUTES = re.compile(r"^/(?:api/v1/documents/verify|verify/document)/$")


def body_limit(request) -> int:
    path = request.path_info
    if UPLOAD_ROUTES.match(path) and _signed_in(request):
        return (
            max(settings.RAW_DATA_MAX_BYTES, settings.SHEET_MAX_BYTES, settings.REPORT_MAX_BYTES)
            + OVERHEAD
        )
    if DOCUMENT_ROUTES.match(path):
        # Room above the check's own limit, so a file somewhat too large gets its message.
        return 2 * DOCUMENT_MAX_BYTES
    return settings.REQUEST_BODY_MAX_BYTES


def _signed_in(request) -> bool:
    if request.META.get("HTTP_AUTHORIZATION", "").startswith("Token "):
        return True  # DRF refuses a wrong token before it reads the body
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class RequestBodyLimitMiddleware:
    """After authentication (to know who is signed in), before any view or CSRF check reads
    the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if declared or chunked:
            limit = body_limit(request)
            try:
                length = int(declared) if declared else None
            except ValueError:
                return self._refuse(request, 400, _("The Content-Length header is not a number."))
            if length is None and limit == settings.REQUEST_BODY_MAX_BYTES:
                return self._refuse(
                    request, 411, _("This address needs the length of the request body.")
                )
            if length is not None and length > limit:
                return self._refuse(
                    request,
                    413,
                    _(
                        "The request body is %(size).1f MB; this address accepts at most "
                        "%(limit).1f MB."
                    )
                    % {"size": length / 1_048_576, "limit": limit / 1_048_576},
                )
        return self.get_response(request)

    @staticmethod
    def _refuse(request, status: int, message: str) -> HttpResponse:
        # The unread body stays on the connection; the WSGI server discards it or closes.
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"detail": message, "code": "request_too_large", "errors": []}, status=status
            )
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
