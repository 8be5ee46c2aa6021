"""The audit log's signed checkpoints: public to read, published on demand by those who audit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe

from certification import access
from certification.exceptions import NotPermitted
from reports import audit_checkpoints
from reports.models import AuditCheckpoint

PAGE_SIZE = 50


def _public_json(data: dict) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"  # anyone may keep one, from anywhere
    return response


@require_safe
def checkpoints(request: HttpRequest) -> HttpResponse:
    page = Paginator(audit_checkpoints.checkpoints(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/audit_checkpoints.html",
        {"page": page, "can_publish": access.can_audit(request.user)},
    )


@require_safe
@cache_control(no_cache=True)
def latest_json(request: HttpRequest) -> JsonResponse:
    checkpoint = audit_checkpoints.latest()
    if checkpoint is None:
        raise Http404(_("No checkpoint has been published yet."))
    return _public_json(audit_checkpoints.document(checkpoint))


@require_safe
@cache_control(public=True, max_age=24 * 3600)  # a checkpoint never changes
def checkpoint_json(request: HttpRequest, pk: int) -> JsonResponse:
    checkpoint = AuditCheckpoint.objects.filter(pk=pk).first()
    if checkpoint is None:
        raise Http404(_("No such checkpoint."))
    return _public_json(audit_checkpoints.document(checkpoint))


@login_required
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    try:
        checkpoint = audit_checkpoints.checkpoint_publish(user=request.user)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    messages.success(
        request,
        _("Checkpoint %(id)s published: %(count)s events.")
        % {"id": checkpoint.pk, "count": checkpoint.event_count},
    )
    return redirect("audit-checkpoints")
