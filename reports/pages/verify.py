"""The public verification pages: a number, a CSV of numbers, or a certificate file (PDF or
signed credential); thin adapters over ``reports.verification``.

They are rate-limited with the API's throttle and scopes, so a browser and a script share one
budget per client.
"""

from __future__ import annotations

import base64
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from certification.exceptions import InvalidInput, NotFound, PortalError
from reports import uploads, watchlist
from reports.api.verify import VerifyThrottled, throttle_wait
from reports.forms import DocumentForm, NumberForm, NumbersFileForm
from reports.verification import bulk, document_check, lookup

# Badge colours of the portal's stylesheet, per certificate status.
TONES = {
    "valid": "badge-pass",
    "suspended": "badge-warning",
    "revoked": "badge-fail",
    "withdrawn": "badge-withdrawn",
    "expired": "badge-withdrawn",
    "superseded": "badge-withdrawn",
    "never_issued": "badge-fail",
    "malformed": "badge-error",
    # A certificate file that is not the portal's as issued (verification.document_check);
    # a file that is no certificate file at all takes the error tone.
    "unknown_pdf": "badge-fail",
    "invalid_credential": "badge-fail",
    # A genuine credential whose status list could not be read (reports.status_list).
    "unchecked": "badge-warning",
}


def render_live(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)  # the status is live
    return response


def _forms() -> dict[str, forms.Form]:
    """The verification page's three forms, empty."""
    return {
        "number_form": NumberForm(),
        "file_form": NumbersFileForm(),
        "document_form": DocumentForm(),
    }


def _throttled(request: HttpRequest, wait: int) -> HttpResponse:
    context = {
        **_forms(),
        "error": f"{VerifyThrottled.default_detail} "
        + _("Try again in %(seconds)s seconds.") % {"seconds": wait},
    }
    response = render_live(request, "reports/verify.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


def with_tone(result: dict[str, Any]) -> dict[str, Any]:
    return {**result, "tone": TONES.get(result["status"] or result["outcome"], "badge-none")}


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The verification page: a number form (GET) and a CSV upload answered line by line; the
    certificate file form posts to ``verify_document``."""
    context: dict[str, Any] = _forms()
    if request.method == "GET" and "number" in request.GET:
        number = lookup.normalise_number(request.GET["number"])
        if number and "/" not in number:
            return redirect("verify-certificate", number=number)
        context["error"] = lookup.malformed_message(request.GET["number"])
        return render_live(request, "reports/verify.html", context, status=400)
    if request.method == "POST":
        if (wait := throttle_wait(request, "verify_bulk")) is not None:
            return _throttled(request, wait)
        file_form = NumbersFileForm(request.POST, request.FILES)
        context["file_form"] = file_form
        if not file_form.is_valid():
            return render_live(request, "reports/verify.html", context, status=400)
        upload = file_form.cleaned_data["file"]
        try:
            numbers, lines = uploads.numbers_in_csv_upload(upload)
            answer = bulk.verify_many(numbers, lines=lines)
        except InvalidInput as exc:
            context["error"] = exc.message
            return render_live(request, "reports/verify.html", context, status=400)
        context["answer"] = {**answer, "results": [with_tone(r) for r in answer["results"]]}
        context["file_name"] = upload.name
        context["download"] = _download(answer)
    return render_live(request, "reports/verify.html", context)


def _download(answer: dict[str, Any]) -> dict[str, str]:
    """The results as the CSV file the API gives (``Accept: text/csv``), in the page itself as a
    data: link. The file is then exactly the answer on the screen (same statuses, same time of
    check), nothing is kept on the server for a later download, and no second request re-checks
    the numbers or counts against the limit. A 1,000-line answer is at most ~0.6 MB of base64
    (the file read is at most 256 kB), well within what browsers take in a link."""
    data = base64.b64encode(bulk.results_csv(answer)).decode("ascii")
    return {
        "href": f"data:text/csv;charset=utf-8;base64,{data}",
        "name": bulk.results_csv_name(answer),
    }


# The CSRF check reads the form, and with it the upload: it runs in _check_document, once the
# upload is set to be held in memory (Django's documented way to change upload handlers).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def verify_document(request: HttpRequest) -> HttpResponse:
    """Check a certificate file (the PDF or the signed credential) someone sent: whether it is
    the portal's as issued, with the certificate's live status. Nothing is stored, in the
    database or on disk; it counts as one verification."""
    if request.method == "GET":
        return redirect(f"{reverse('verify')}#document")
    if (wait := throttle_wait(request, "verify")) is not None:
        return _throttled(request, wait)
    uploads.keep_in_memory(
        request, field_name="document", max_bytes=document_check.DOCUMENT_MAX_BYTES
    )
    return _check_document(request)


@csrf_protect
def _check_document(request: HttpRequest) -> HttpResponse:
    form = DocumentForm(request.POST, request.FILES)
    context: dict[str, Any] = {**_forms(), "document_form": form}
    if not form.is_valid():
        return render_live(request, "reports/verify.html", context, status=400)
    upload = form.cleaned_data["document"]
    data = uploads.document_bytes(upload, form.cleaned_data["credential"])
    context["file_name"] = upload.name if upload is not None else None
    try:
        check = document_check.check_document(data)
    except document_check.DocumentRejected as exc:
        context["check"] = {
            "outcome": exc.code,
            "message": exc.message,
            "detail": exc.detail,
            "tone": TONES.get(exc.code, "badge-error"),
        }
        return render_live(request, "reports/verify.html", context, status=400)
    context["check"] = {**check, "tone": TONES[check["certificate"]["status"]]}
    return render_live(request, "reports/verify.html", context)


@require_http_methods(["GET"])
def verify_certificate(request: HttpRequest, number: str) -> HttpResponse:
    """One certificate's public record: never "not found" for one that existed."""
    if (wait := throttle_wait(request, "verify")) is not None:
        return _throttled(request, wait)
    context: dict[str, Any] = {"number_form": NumberForm(initial={"number": number})}
    try:
        certificate = lookup.verify_number(number)
    except PortalError as exc:
        outcome = "never_issued" if isinstance(exc, NotFound) else "malformed"
        context.update(given=number, outcome=outcome, message=exc.message, tone=TONES[outcome])
        status = 404 if outcome == "never_issued" else 400
        return render_live(request, "reports/verify_certificate.html", context, status=status)
    context["certificate"] = certificate
    context["tone"] = TONES[certificate["status"]]
    if watchlist.can_keep_watchlist(request.user):
        context["can_watch"] = True
        context["watched"] = (
            watchlist.watchlist_of(request.user)
            .filter(certificate__number=certificate["number"])
            .exists()
        )
    return render_live(request, "reports/verify_certificate.html", context)
