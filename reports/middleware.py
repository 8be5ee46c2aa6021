"""The verification hot path, served ahead of most of the portal's middleware."""

from __future__ import annotations

import re

from csp.constants import HEADER as CSP_HEADER
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation

from reports.api.verify import verify_number_answer

PLACEHOLDER = "NUMBER"


class VerifyFastPathMiddleware:
    """Answers ``GET /api/v1/verify/<number>/``, the public endpoint automakers call for every
    part they receive, without the session, locale, common, CSRF, authentication and message
    middleware and the URL resolver behind it: on a small machine those cost as much again as
    the answer itself (bench/verify_load.py).

    What they would do for this request is done here, or does not apply to a public, anonymous
    GET that reads no session and sets no cookie: the host is checked against ALLOWED_HOSTS (as
    CommonMiddleware does), the language is chosen from the request as LocaleMiddleware chooses
    it and said in Content-Language, and X-Frame-Options and the Content-Security-Policy (as
    django-csp would write it) are set. It sits right after
    SecurityMiddleware, whose headers the answer keeps. Every other request, including HEAD and
    OPTIONS on the same address, goes the usual way; the DRF view there gives the same answers
    through the same function (``reports.api.verify.verify_number_answer``).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._path: re.Pattern[str] | None = None
        self._policy = build_policy()

    def _pattern(self) -> re.Pattern[str]:
        if self._path is None:
            # From the URLconf, so the API's address is written down once.
            url = reverse("api-verify", kwargs={"number": PLACEHOLDER})
            before, after = url.split(PLACEHOLDER)
            self._path = re.compile(f"{re.escape(before)}(?P<number>[^/]+){re.escape(after)}")
        return self._path

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET":
            match = self._pattern().fullmatch(request.path_info)
            if match is not None:
                return self._answer(request, match["number"])
        return self.get_response(request)

    def _answer(self, request: HttpRequest, number: str) -> HttpResponse:
        request.get_host()  # DisallowedHost (a 400) for a host not in ALLOWED_HOSTS
        # As LocaleMiddleware does: the language stays active until the next request sets its own.
        language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = verify_number_answer(request, number)
        response["Content-Language"] = language
        response["Vary"] = "Accept-Language, Cookie"  # the language comes from either
        response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        response.setdefault(CSP_HEADER, self._policy)
        return response
