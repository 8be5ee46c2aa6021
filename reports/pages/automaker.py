"""The automakers' watchlist and webhook pages: thin adapters over ``reports.watchlist`` and
``reports.webhooks`` (writes and access)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certification.exceptions import NotFound, NotPermitted, PortalError
from reports import delivery, uploads
from reports import watchlist as watchlists  # the views below are named watchlist and webhooks
from reports import webhooks as webhook_endpoints
from reports.forms import WatchFileForm, WatchForm, WebhookForm
from reports.models import Notification
from reports.pages.verify import TONES, render_live


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
            entry, created = watchlists.watch_add(user=request.user, **form.cleaned_data)
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
            answer = watchlists.watch_add_many(
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
    entries = watchlists.watchlist_entries(
        watchlists.watchlist_of(request.user)
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
    return render_live(request, "reports/watchlist.html", context, status=status)


@login_required
@require_POST
def watchlist_remove(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        watchlists.watch_remove(user=request.user, entry_id=pk)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Removed from your watchlist."))
    return redirect("watchlist")


def _require_automaker(request: HttpRequest) -> None:
    if not watchlists.can_keep_watchlist(request.user):
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
                endpoint, secret = webhook_endpoints.webhook_create(
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
    endpoints = webhook_endpoints.webhooks_of(request.user).order_by("-created_at", "-id")
    context = {"form": form, "endpoints": endpoints, "created": created}
    return render_live(request, "reports/webhooks.html", context, status=status)


def _own_endpoint(request: HttpRequest, pk: int):
    _require_automaker(request)
    endpoint = webhook_endpoints.webhooks_of(request.user).filter(pk=pk).first()
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
        webhook_endpoints.webhook_update(user=request.user, endpoint=endpoint, active=active)
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
        webhook_endpoints.webhook_delete(user=request.user, endpoint=endpoint)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    messages.success(request, _("%(url)s is deleted.") % {"url": endpoint.url})
    return redirect("webhooks")


# --- the dashboard's status changes, a webhook's log and test event ----------------------------

CHANGES_PER_PAGE = 20
DELIVERIES_PER_PAGE = 25


def watched_changes_page(request: HttpRequest):
    """A page of status changes of the certificates the organisation watches, newest first
    (``?page=``), each a ``watchlist.change_row`` with its status tones."""
    page = Paginator(watchlists.watched_changes(request.user), CHANGES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = []
    for event in page.object_list:
        row = watchlists.change_row(event)
        row["from_tone"] = TONES.get(row["from_status"] or "", "badge-none")
        row["to_tone"] = TONES.get(row["to_status"], "badge-none")
        rows.append(row)
    page.object_list = rows
    return page


@login_required
@require_GET
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One endpoint: its delivery log (newest first, paged) and the test-event button."""
    endpoint = _own_endpoint(request, pk)
    return _webhook_page(request, endpoint)


def _webhook_page(request: HttpRequest, endpoint, *, status: int = 200) -> HttpResponse:
    page = Paginator(delivery.deliveries_of(endpoint), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    page.object_list = [delivery.delivery_row(note) for note in page.object_list]
    context = {"endpoint": endpoint, "page": page}
    return render_live(request, "reports/webhook_detail.html", context, status=status)


@login_required
@require_POST
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a test event now; the answer is the endpoint's page with the delivery on top."""
    endpoint = _own_endpoint(request, pk)
    try:
        note = delivery.webhook_test(user=request.user, endpoint=endpoint)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    except PortalError as exc:
        messages.error(request, exc.message)
        return _webhook_page(request, endpoint, status=exc.http_status)
    row = delivery.delivery_row(note)
    if note.status == Notification.Status.SENT:
        messages.success(
            request,
            _("The test event was delivered: your receiver answered HTTP %(code)s.")
            % {"code": row["http_status"]},
        )
    else:
        messages.error(
            request,
            _("The test event was not delivered: %(error)s") % {"error": row["error"]},
        )
    return redirect("webhook-detail", pk=endpoint.pk)
