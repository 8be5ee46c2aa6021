"""Certificate pages: the list and page of a certificate for those involved, and its status
actions. Thin adapters over ``reports.access`` and ``reports.services``.

A certificate outside ``access.certificates_visible_to`` is a 404 here; anyone may still check
it by number on the public verification page. The PDF and the signed credential are served by
the API (``reports.api.certificates``); these pages link to them.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from certification import access as submission_access
from certification import selectors
from certification.exceptions import NotPermitted, PortalError
from certification.forms import form_error_messages
from reports import access, links
from reports import services as certificate_services
from reports.forms import CertificateStatusForm
from reports.models import Certificate
from reports.transitions import CERTIFICATE_TRANSITIONS

C = Certificate.Status

# What each status action is called and says, in the order the page offers them. The holder's
# withdrawal is the same transition as the certification body's, worded for the holder.
ACTIONS = {
    C.VALID: {
        "label": gettext_lazy("Reinstate"),
        "help": gettext_lazy("The certificate is valid again from now."),
        "tone": "primary",
    },
    C.SUSPENDED: {
        "label": gettext_lazy("Suspend"),
        "help": gettext_lazy("Not valid until reinstated; watchers are told at once."),
        "tone": "danger",
    },
    C.WITHDRAWN: {
        "label": gettext_lazy("Withdraw"),
        "help": gettext_lazy("Final: the certificate ends and cannot be reinstated."),
        "tone": "danger",
    },
    C.REVOKED: {
        "label": gettext_lazy("Revoke"),
        "help": gettext_lazy("Final: the certificate is cancelled for cause."),
        "tone": "danger",
    },
}
HOLDER_WITHDRAWAL = {
    "label": gettext_lazy("Withdraw our certificate"),
    "help": gettext_lazy(
        "As the holder you may give up this certificate at any time. This is final; the "
        "verification page will say it was withdrawn, when and why."
    ),
    "tone": "danger",
}
OFFLINE_DOC = Path(settings.BASE_DIR) / "docs" / "VERIFY_OFFLINE.md"
OFFLINE_SCRIPT = Path(settings.BASE_DIR) / "scripts" / "verify_certificate_offline.sh"


def _visible_certificate(request: HttpRequest, number: str) -> Certificate:
    return get_object_or_404(
        access.certificates_visible_to(request.user).select_related(
            "product", "holder", "submission__lab", "evaluation", "superseded_by"
        ),
        number=number,
    )


def _status_actions(user, certificate: Certificate) -> list[dict]:
    """The status changes ``user`` may make to ``certificate`` as it is now."""
    settable = access.certificate_statuses_settable_by(user, certificate)
    possible = CERTIFICATE_TRANSITIONS.get(certificate.status, frozenset())
    holder_only = not submission_access.is_reviewer(user)
    return [
        {"status": status, **(HOLDER_WITHDRAWAL if holder_only else action)}
        for status, action in ACTIONS.items()
        if status in settable and status in possible
    ]


@login_required
@require_GET
def certificate_list(request: HttpRequest) -> HttpResponse:
    certificates = access.certificates_visible_to(request.user).select_related(
        "product", "holder", "submission__lab"
    )
    status = request.GET.get("status", "")
    if status in C.values:
        certificates = certificates.filter(status=status)
    return render(
        request,
        "reports/certificate_list.html",
        {
            "certificates": certificates[:500],
            "status_filter": status if status in C.values else "",
            "statuses": C.choices,
        },
    )


def _content_in_active_language(certificate: Certificate) -> dict:
    """The certificate's frozen content, each criterion's sentence in the active language.

    The content keeps the English sentence only; its message id and parameters are in the
    evaluation the certificate was issued on. The stored English stays the fallback.
    """
    content = dict(certificate.content or {})
    result = certificate.evaluation.result or {}
    by_code = {c.get("code"): c for c in result.get("criteria", []) if isinstance(c, dict)}
    criteria = []
    for row in content.get("criteria") or []:
        source = by_code.get(row.get("code"), {})
        message = selectors.translated(
            source.get("message_id"), source.get("params"), row.get("message", "")
        )
        criteria.append({**row, "message": message})
    content["criteria"] = criteria
    return content


@login_required
@require_GET
def certificate_page(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _visible_certificate(request, number)
    context = {
        "certificate": certificate,
        "content": _content_in_active_language(certificate),
        "events": certificate.events.select_related("actor", "actor__organisation"),
        "actions": _status_actions(request.user, certificate),
        "links": links.certificate_links(certificate.number),
        "submission_visible": submission_access.submissions_visible_to(request.user)
        .filter(pk=certificate.submission_id)
        .exists(),
    }
    return render(request, "reports/certificate_page.html", context)


@login_required
@require_POST
def certificate_status_change(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _visible_certificate(request, number)
    if not access.certificate_statuses_settable_by(request.user, certificate):
        raise PermissionDenied(_("Your organisation cannot change this certificate's status."))
    # A refusal goes to the top of the page, where messages are shown; a change to the history.
    page = reverse("certificate-page", args=[certificate.number])
    form = CertificateStatusForm(request.POST)
    if not form.is_valid():
        for message in form_error_messages(form):
            messages.error(request, message)
        return redirect(page)
    try:
        event = certificate_services.certificate_change_status(
            user=request.user,
            certificate=certificate,
            new_status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    except PortalError as exc:
        messages.error(request, exc.message)
        return redirect(page)
    messages.success(
        request,
        _("Certificate %(number)s is now %(status)s.")
        % {"number": certificate.number, "status": C(event.to_status).label},
    )
    return redirect(page + "#status")


@require_GET
def verify_offline_doc(request: HttpRequest) -> HttpResponse:
    """How to check a signed credential with openssl alone (docs/VERIFY_OFFLINE.md), as text."""
    try:
        text = OFFLINE_DOC.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Http404(_("The offline verification guide is not installed.")) from None
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@require_GET
def verify_offline_script(request: HttpRequest) -> FileResponse:
    if not OFFLINE_SCRIPT.is_file():
        raise Http404(_("The offline verification script is not installed."))
    return FileResponse(
        OFFLINE_SCRIPT.open("rb"),
        as_attachment=True,
        filename=OFFLINE_SCRIPT.name,
        content_type="text/x-shellscript",
    )
