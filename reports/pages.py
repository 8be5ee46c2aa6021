"""HTML pages for verification (public) and the automakers' watchlist and webhooks: thin adapters
over ``reports.verification`` (reads) and ``reports.notifications`` (writes and access).

The verification page checks a number, a CSV of numbers, or a certificate file (PDF or signed
credential).

The public pages are rate-limited with the API's throttle and scopes, so a browser and a script
share one budget per client.
"""

from __future__ import annotations

import base64
from collections import Counter
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from certification.exceptions import InvalidInput, NotFound, NotPermitted, PortalError
from reports import notifications, uploads, verification
from reports.api import VerifyThrottled, throttle_wait

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
    # A certificate file that is not the portal's as issued (reports.verification.check_document);
    # a file that is no certificate file at all takes the error tone.
    "unknown_pdf": "badge-fail",
    "invalid_credential": "badge-fail",
}


class NumberForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Certificate number"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class NumbersFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file of certificate numbers"),
        help_text=gettext_lazy(
            "One number a line, in the first column; a header line is optional. At most 1,000."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )


class DocumentForm(forms.Form):
    document = forms.FileField(
        label=gettext_lazy("Certificate PDF or signed credential"),
        help_text=gettext_lazy(
            "The certificate's PDF, or its signed credential (.jwt), as you received it. At "
            "most 20 MB."
        ),
        required=False,
        allow_empty_file=True,  # said by check_document, with what to upload instead
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jwt,.txt,application/pdf,application/vc+jwt,text/plain"}
        ),
    )
    credential = forms.CharField(
        label=gettext_lazy("Or paste the credential"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("document") is None and not (data.get("credential") or "").strip():
            raise forms.ValidationError(
                _("Choose the certificate PDF or credential file, or paste the credential.")
            )
        return data


class WatchForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Certificate number"), max_length=64)
    note = forms.CharField(
        label=gettext_lazy("Note (supplier, part)"), max_length=200, required=False
    )


class WatchFileForm(NumbersFileForm):
    """The bulk verification's file, read the same way, with a note for every entry added."""

    note = forms.CharField(
        label=gettext_lazy("Note for every certificate added (supplier, part)"),
        max_length=200,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext_lazy(
            "One number a line, in the first column; a header line is optional. At most 1,000. "
            "If any line is not the number of an issued certificate, nothing is added."
        )


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("Address (URL)"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://", "spellcheck": "false"}),
    )


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
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
    response = _render(request, "reports/verify.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


def _with_tones(result: dict[str, Any]) -> dict[str, Any]:
    return {**result, "tone": TONES.get(result["status"] or result["outcome"], "badge-none")}


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The verification page: a number form (GET) and a CSV upload answered line by line; the
    certificate file form posts to ``verify_document``."""
    context: dict[str, Any] = _forms()
    if request.method == "GET" and "number" in request.GET:
        number = verification.normalise_number(request.GET["number"])
        if number and "/" not in number:
            return redirect("verify-certificate", number=number)
        context["error"] = verification.malformed_message(request.GET["number"])
        return _render(request, "reports/verify.html", context, status=400)
    if request.method == "POST":
        if (wait := throttle_wait(request, "verify_bulk")) is not None:
            return _throttled(request, wait)
        file_form = NumbersFileForm(request.POST, request.FILES)
        context["file_form"] = file_form
        if not file_form.is_valid():
            return _render(request, "reports/verify.html", context, status=400)
        upload = file_form.cleaned_data["file"]
        try:
            numbers, lines = uploads.numbers_in_csv_upload(upload)
            answer = verification.verify_many(numbers, lines=lines)
        except InvalidInput as exc:
            context["error"] = exc.message
            return _render(request, "reports/verify.html", context, status=400)
        context["answer"] = {**answer, "results": [_with_tones(r) for r in answer["results"]]}
        context["file_name"] = upload.name
        context["download"] = _download(answer)
    return _render(request, "reports/verify.html", context)


def _download(answer: dict[str, Any]) -> dict[str, str]:
    """The results as the CSV file the API gives (``Accept: text/csv``), in the page itself as a
    data: link. The file is then exactly the answer on the screen (same statuses, same time of
    check), nothing is kept on the server for a later download, and no second request re-checks
    the numbers or counts against the limit. A 1,000-line answer is at most ~0.6 MB of base64
    (the file read is at most 256 kB), well within what browsers take in a link."""
    data = base64.b64encode(verification.results_csv(answer)).decode("ascii")
    return {
        "href": f"data:text/csv;charset=utf-8;base64,{data}",
        "name": verification.results_csv_name(answer),
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
        request, field_name="document", max_bytes=verification.DOCUMENT_MAX_BYTES
    )
    return _check_document(request)


@csrf_protect
def _check_document(request: HttpRequest) -> HttpResponse:
    form = DocumentForm(request.POST, request.FILES)
    context: dict[str, Any] = {**_forms(), "document_form": form}
    if not form.is_valid():
        return _render(request, "reports/verify.html", context, status=400)
    upload = form.cleaned_data["document"]
    data = uploads.document_bytes(upload, form.cleaned_data["credential"])
    context["file_name"] = upload.name if upload is not None else None
    try:
        check = verification.check_document(data)
    except verification.DocumentRejected as exc:
        context["check"] = {
            "outcome": exc.code,
            "message": exc.message,
            "detail": exc.detail,
            "tone": TONES.get(exc.code, "badge-error"),
        }
        return _render(request, "reports/verify.html", context, status=400)
    context["check"] = {**check, "tone": TONES[check["certificate"]["status"]]}
    return _render(request, "reports/verify.html", context)


@require_http_methods(["GET"])
def verify_certificate(request: HttpRequest, number: str) -> HttpResponse:
    """One certificate's public record: never "not found" for one that existed."""
    if (wait := throttle_wait(request, "verify")) is not None:
        return _throttled(request, wait)
    context: dict[str, Any] = {"number_form": NumberForm(initial={"number": number})}
    try:
        certificate = verification.verify_number(number)
    except PortalError as exc:
        outcome = "never_issued" if isinstance(exc, NotFound) else "malformed"
        context.update(given=number, outcome=outcome, message=exc.message, tone=TONES[outcome])
        status = 404 if outcome == "never_issued" else 400
        return _render(request, "reports/verify_certificate.html", context, status=status)
    context["certificate"] = certificate
    context["tone"] = TONES[certificate["status"]]
    if notifications.can_keep_watchlist(request.user):
        context["can_watch"] = True
        context["watched"] = (
            notifications.watchlist_of(request.user)
            .filter(certificate__number=certificate["number"])
            .exists()
        )
    return _render(request, "reports/verify_certificate.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def watchlist(request: HttpRequest) -> HttpResponse:
    """An automaker's watched certificates with their live status; add by number, or many at
    once from a CSV file (``watchlist_bulk``)."""
    _require_automaker(request)
    if request.method == "GET":
        return _watchlist_page(request)
    form = WatchForm(request.POST)
    if form.is_valid():
        try:
            entry, created = notifications.watch_add(user=request.user, **form.cleaned_data)
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from None
        except PortalError as exc:
            form.add_error("number", exc.message)
        else:
            values = {"number": entry.certificate.number}
            if created:
                messages.success(request, _("%(number)s is on your watchlist.") % values)
            else:
                messages.info(request, _("%(number)s was already on your watchlist.") % values)
            return redirect("watchlist")
    return _watchlist_page(request, form=form, status=400)


@login_required
@require_POST
def watchlist_bulk(request: HttpRequest) -> HttpResponse:
    """Watch every certificate of a CSV file (as the bulk verification reads it), all or
    nothing: a file with any bad line adds nothing, and the page lists every such line."""
    _require_automaker(request)
    form = WatchFileForm(request.POST, request.FILES, prefix="bulk")
    rejected: tuple = ()
    if form.is_valid():
        try:
            numbers, lines = uploads.numbers_in_csv_upload(form.cleaned_data["file"])
            answer = notifications.watch_add_many(
                user=request.user, numbers=numbers, lines=lines, note=form.cleaned_data["note"]
            )
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from None
        except PortalError as exc:
            form.add_error("file", exc.message)
            rejected = exc.errors
        else:
            _say_added(request, answer)
            return redirect("watchlist")
    return _watchlist_page(request, bulk_form=form, rejected=rejected, status=400)


def _say_added(request: HttpRequest, answer: dict[str, Any]) -> None:
    added, already = answer["added"], answer["already_watched"]
    if added:
        messages.success(
            request,
            ngettext(
                "%(count)s certificate added to your watchlist.",
                "%(count)s certificates added to your watchlist.",
                added,
            )
            % {"count": added},
        )
    if already:
        messages.info(
            request,
            ngettext(
                "%(count)s certificate was already on your watchlist.",
                "%(count)s certificates were already on your watchlist.",
                already,
            )
            % {"count": already},
        )
    not_valid = Counter(
        e["certificate"]["status_display"]
        for e in answer["entries"]
        if e["certificate"]["status"] != "valid"
    )
    if not_valid:
        count = sum(not_valid.values())
        statuses = pgettext("list separator", ", ").join(
            _("%(status)s: %(count)s") % {"status": label, "count": n}
            for label, n in not_valid.items()
        )
        messages.warning(
            request,
            ngettext(
                "%(count)s of them is not valid now (%(statuses)s). It is watched all the "
                "same: the list below gives its status.",
                "%(count)s of them are not valid now (%(statuses)s). They are watched all the "
                "same: the list below gives each one's status.",
                count,
            )
            % {"count": count, "statuses": statuses},
        )


def _watchlist_page(
    request: HttpRequest,
    *,
    form: forms.Form | None = None,
    bulk_form: forms.Form | None = None,
    rejected: tuple = (),
    status: int = 200,
) -> HttpResponse:
    entries = notifications.watchlist_entries(
        notifications.watchlist_of(request.user)
        .select_related("certificate")
        .order_by("-added_at", "-id")
    )
    for entry in entries:
        cert = entry["certificate"]
        entry["tone"] = TONES.get(cert["status"], "badge-none") if cert else "badge-none"
    context = {
        "form": form or WatchForm(),
        "bulk_form": bulk_form or WatchFileForm(prefix="bulk"),
        "rejected": rejected,
        "entries": entries,
    }
    return _render(request, "reports/watchlist.html", context, status=status)


@login_required
@require_POST
def watchlist_remove(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notifications.watch_remove(user=request.user, entry_id=pk)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Removed from your watchlist."))
    return redirect("watchlist")


def _require_automaker(request: HttpRequest) -> None:
    if not notifications.can_keep_watchlist(request.user):
        raise PermissionDenied(_("Only automakers keep a watchlist of certificates."))


@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    """An automaker's webhook endpoints; add one by address.

    The secret is shown once, in the answer to the creation, and is not kept in the session or
    a message for a redirect to show it: that would store it somewhere else.
    """
    _require_automaker(request)
    form = WebhookForm()
    status = 200
    created = None
    if request.method == "POST":
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                endpoint, secret = notifications.webhook_create(
                    user=request.user, url=form.cleaned_data["url"]
                )
            except NotPermitted as exc:
                raise PermissionDenied(exc.message) from None
            except PortalError as exc:
                form.add_error("url", exc.message)
                status = 400
            else:
                created = {"endpoint": endpoint, "secret": secret}
                form = WebhookForm()
                status = 201
        else:
            status = 400
    endpoints = notifications.webhooks_of(request.user).order_by("-created_at", "-id")
    context = {"form": form, "endpoints": endpoints, "created": created}
    return _render(request, "reports/webhooks.html", context, status=status)


def _own_endpoint(request: HttpRequest, pk: int):
    _require_automaker(request)
    endpoint = notifications.webhooks_of(request.user).filter(pk=pk).first()
    if endpoint is None:
        raise Http404
    return endpoint


@login_required
@require_POST
def webhook_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch an endpoint off (``active=0``) or back on (``active=1``)."""
    endpoint = _own_endpoint(request, pk)
    active = request.POST.get("active") == "1"
    try:
        notifications.webhook_update(user=request.user, endpoint=endpoint, active=active)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    values = {"url": endpoint.url}
    if active:
        messages.success(request, _("%(url)s is active again.") % values)
    else:
        messages.success(request, _("%(url)s is deactivated: it is no longer called.") % values)
    return redirect("webhooks")


@login_required
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _own_endpoint(request, pk)
    try:
        notifications.webhook_delete(user=request.user, endpoint=endpoint)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    messages.success(request, _("%(url)s is deleted.") % {"url": endpoint.url})
    return redirect("webhooks")
