"""Pages that belong to no single app: the dashboard, which gathers each role's work from
certification (submissions, review queue) and reports (certificates), and the 404/500 answers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found
from django.views.defaults import server_error as default_server_error

from certification import access, selectors
from certification.models import Organisation
from reports import access as certificate_access
from reports.pages.automaker import watched_changes_page

Kind = Organisation.Kind


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    kind = user.org_kind
    context: dict = {"org_kind": kind}
    if kind == Kind.AUTOMAKER and not user.is_superuser:
        context["changes"] = watched_changes_page(request)
        return render(request, "portal/dashboard_automaker.html", context)
    submissions = selectors.submissions_for_listing(access.submissions_visible_to(user))
    context["submissions"] = submissions[:200]
    context["can_audit"] = access.can_audit(user)
    if kind == Kind.MANUFACTURER:
        context["products"] = access.products_visible_to(user)
        context["can_register"] = access.can_register_products(user)
        context["certificates"] = certificate_access.certificates_visible_to(user).select_related(
            "product"
        )[:200]
    context["is_reviewer"] = access.is_reviewer(user)
    if context["is_reviewer"]:
        context["review_count"] = selectors.review_queue(
            access.submissions_visible_to(user)
        ).count()
    return render(request, "portal/dashboard.html", context)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """404: under /api/ in the API's one error shape (an address no route matches included),
    elsewhere the portal's page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {"detail": _("There is nothing at this address."), "code": "not_found", "errors": []},
            status=404,
        )
    return page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: under /api/ in the API's one error shape, elsewhere the portal's page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {
                "detail": _("The portal failed to answer; the error was logged."),
                "code": "error",
                "errors": [],
            },
            status=500,
        )
    return default_server_error(request)
