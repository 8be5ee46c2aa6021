"""The operations page of the certification body: the workers' backlog and re-queueing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certification.exceptions import NotPermitted, PortalError
from certification.models import Evaluation
from reports import operations


@login_required
@require_GET
def backlog(request: HttpRequest) -> HttpResponse:
    try:
        context = operations.backlog(user=request.user)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    return render(request, "reports/operations.html", context)


@login_required
@require_POST
def requeue(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        sent = operations.requeue_evaluation(user=request.user, evaluation_id=pk)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    except Evaluation.DoesNotExist:
        raise Http404 from None
    except PortalError as exc:
        messages.error(request, exc.message)
        return redirect("operations")
    if sent:
        messages.success(
            request, _("Evaluation %(id)s was sent to the workers again.") % {"id": pk}
        )
    else:
        messages.warning(
            request,
            _(
                "The workers are unreachable; evaluation %(id)s stays queued and is sent "
                "when they are back."
            )
            % {"id": pk},
        )
    return redirect("operations")


@login_required
@require_POST
def sweep(request: HttpRequest) -> HttpResponse:
    try:
        sent = operations.sweep_now(user=request.user)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    messages.success(
        request, _("Sent again: %(count)s piece(s) of owed work.") % {"count": sum(sent.values())}
    )
    return redirect("operations")
