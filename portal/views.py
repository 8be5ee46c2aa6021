"""Pages that belong to no single app: the dashboard, which gathers each role's work from
certification (submissions, review queue) and reports (certificates)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from certification import access, selectors
from certification.models import Organisation
from reports import access as certificate_access

Kind = Organisation.Kind


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    kind = user.org_kind
    context: dict = {"org_kind": kind}
    if kind == Kind.AUTOMAKER and not user.is_superuser:
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
