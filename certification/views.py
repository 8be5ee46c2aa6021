"""HTML pages: thin adapters over ``certification.access`` (what a user sees) and
``certification.services`` (what a user changes).

Every object is looked up through an access function, so a record outside the user's view is a
404, never a 403 that would confirm it exists. A user who sees a record but may not act on it gets
403. Service errors are shown on the page: on the form for uploads and registrations, as messages
for one-button actions.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certification import access, selectors, services
from certification.api.views import TEMPLATE_FORMATS, template_response
from certification.exceptions import NotPermitted, PortalError
from certification.forms import ProductForm, SubmissionForm, UploadForm, add_portal_error
from certification.models import Dataset, Evaluation, Organisation, Submission
from certification.parsers.sheets import COLUMNS, SHEET_KINDS

Kind = Organisation.Kind
# While an evaluation is in one of these states the page polls its JSON view.
EVALUATION_ACTIVE = (Evaluation.Status.QUEUED, Evaluation.Status.RUNNING)


def evidence_response(dataset: Dataset) -> FileResponse:
    """Stream a stored evidence file as an attachment under its original name.

    Always ``application/octet-stream`` with ``nosniff``: an uploaded file is evidence to keep,
    never content for the browser to render (an HTML or SVG "sheet" must not run in our origin).
    """
    response = FileResponse(
        dataset.file.open("rb"),
        as_attachment=True,
        filename=dataset.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _message_portal_error(request: HttpRequest, exc: PortalError) -> None:
    if isinstance(exc, NotPermitted):
        raise PermissionDenied(exc.message)
    messages.error(request, exc.message)
    for error in exc.errors:
        if error.message != exc.message:
            messages.error(request, error.message)


# --- dashboard --------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    kind = user.org_kind
    context: dict = {"org_kind": kind}
    if kind == Kind.AUTOMAKER and not user.is_superuser:
        return render(request, "certification/dashboard_automaker.html", context)
    submissions = selectors.submissions_for_listing(access.submissions_visible_to(user))
    context["submissions"] = submissions[:200]
    if kind == Kind.MANUFACTURER:
        context["products"] = access.products_visible_to(user)
        context["can_register"] = access.can_register_products(user)
    return render(request, "certification/dashboard.html", context)


# --- products ---------------------------------------------------------------------------------


@login_required
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    products = access.products_visible_to(request.user).select_related("manufacturer")
    return render(
        request,
        "certification/product_list.html",
        {"products": products, "can_register": access.can_register_products(request.user)},
    )


@login_required
def product_create(request: HttpRequest) -> HttpResponse:
    if not access.can_register_products(request.user):
        raise PermissionDenied(_("Only a manufacturer can register products."))
    form = ProductForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(user=request.user, **form.cleaned_data)
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from None
        except PortalError as exc:
            add_portal_error(form, exc)
        else:
            messages.success(
                request, _("Product %(model)s registered.") % {"model": product.model_number}
            )
            return redirect("product-detail", pk=product.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "certification/product_form.html", {"form": form}, status=status)


@login_required
@require_GET
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(
        access.products_visible_to(request.user).select_related("manufacturer"), pk=pk
    )
    submissions = selectors.submissions_for_listing(
        access.submissions_visible_to(request.user).filter(product=product)
    )
    can_open = access.can_register_products(request.user) and (
        product.manufacturer_id == request.user.organisation_id
    )
    return render(
        request,
        "certification/product_detail.html",
        {"product": product, "submissions": submissions, "can_open_submission": can_open},
    )


# --- submissions ------------------------------------------------------------------------------


@login_required
def submission_create(request: HttpRequest) -> HttpResponse:
    if not access.can_register_products(request.user):
        raise PermissionDenied(_("Only a manufacturer can open submissions."))
    initial = {}
    if request.GET.get("product", "").isdigit():
        initial["product"] = int(request.GET["product"])
    form = SubmissionForm(
        request.POST if request.method == "POST" else None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.submission_create(user=request.user, **form.cleaned_data)
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from None
        except PortalError as exc:
            add_portal_error(form, exc)
        else:
            messages.success(
                request, _("Submission opened. The laboratory can now upload results.")
            )
            return redirect("submission-detail", pk=submission.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "certification/submission_form.html", {"form": form}, status=status)


def _visible_submission(request: HttpRequest, pk: int) -> Submission:
    return get_object_or_404(
        access.submissions_visible_to(request.user).select_related(
            "product__manufacturer", "lab", "created_by"
        ),
        pk=pk,
    )


def _render_submission(
    request: HttpRequest,
    submission: Submission,
    *,
    upload_form: UploadForm | None = None,
    status=200,
) -> HttpResponse:
    user = request.user
    editable = submission.status in services.EDITABLE_STATUSES
    datasets = list(submission.datasets.select_related("uploaded_by", "organisation"))
    for dataset in datasets:
        dataset.submission = submission  # already loaded; spares a query per row
        dataset.can_withdraw = (
            editable and dataset.withdrawn_at is None and access.can_withdraw_dataset(user, dataset)
        )
    upload_source = access.upload_source_for(user, submission)
    lab_kinds = {d.kind for d in datasets if d.withdrawn_at is None and d.source == "lab"}
    evaluation = selectors.latest_evaluation(submission)
    kind_labels = dict(Dataset.Kind.choices)
    context = {
        "submission": submission,
        "product": submission.product,
        "editable": editable,
        "datasets": datasets,
        "upload_source": upload_source,
        "can_upload": upload_source is not None and editable,
        "upload_form": upload_form or UploadForm(),
        "can_submit": editable and access.can_manage_submission(user, submission),
        "checklist": [
            {"kind": kind, "label": kind_labels[kind], "present": kind in lab_kinds}
            for kind in SHEET_KINDS
        ],
        "sheet_kinds": [
            {"kind": kind, "label": kind_labels[kind], "columns": COLUMNS[kind]}
            for kind in SHEET_KINDS
        ],
        "template_formats": list(TEMPLATE_FORMATS),
        "evaluation": selectors.evaluation_as_dict(evaluation) if evaluation else None,
        "evaluation_active": evaluation is not None and evaluation.status in EVALUATION_ACTIVE,
    }
    return render(request, "certification/submission_detail.html", context, status=status)


@login_required
@require_GET
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_submission(request, _visible_submission(request, pk))


@login_required
@require_POST
def submission_upload(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _visible_submission(request, pk)
    if access.upload_source_for(request.user, submission) is None:
        raise PermissionDenied(
            _("Only the assigned laboratory or the manufacturer can upload here.")
        )
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            dataset = services.dataset_upload(
                user=request.user,
                submission=submission,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from None
        except PortalError as exc:
            add_portal_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s was accepted as %(kind)s (%(rows)s rows).")
                % {
                    "name": dataset.original_name,
                    "kind": dataset.get_kind_display(),
                    "rows": dataset.row_count,
                },
            )
            return redirect(reverse("submission-detail", args=[submission.pk]) + "#evidence")
    return _render_submission(request, submission, upload_form=form, status=400)


@login_required
@require_POST
def submission_submit(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _visible_submission(request, pk)
    try:
        services.submission_submit(user=request.user, submission=submission)
    except PortalError as exc:
        _message_portal_error(request, exc)
    else:
        messages.success(request, _("Submitted. The evaluation has been queued."))
    return redirect(reverse("submission-detail", args=[submission.pk]) + "#evaluation")


@login_required
@require_GET
def submission_evaluation_json(request: HttpRequest, pk: int) -> JsonResponse:
    submission = _visible_submission(request, pk)
    evaluation = selectors.latest_evaluation(submission)
    if evaluation is None:
        return JsonResponse({"id": None, "status": None, "submission_status": submission.status})
    data = selectors.evaluation_as_dict(evaluation)
    data["submission_status"] = submission.status
    return JsonResponse(data)


# --- evidence ---------------------------------------------------------------------------------


@login_required
@require_GET
def dataset_download(request: HttpRequest, pk: int) -> FileResponse:
    dataset = get_object_or_404(access.datasets_visible_to(request.user), pk=pk)
    return evidence_response(dataset)


@login_required
@require_POST
def dataset_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_object_or_404(
        access.datasets_visible_to(request.user).select_related("submission__product"), pk=pk
    )
    try:
        services.dataset_withdraw(user=request.user, dataset=dataset)
    except PortalError as exc:
        _message_portal_error(request, exc)
    else:
        messages.success(request, _("%(name)s was withdrawn.") % {"name": dataset.original_name})
    return redirect(reverse("submission-detail", args=[dataset.submission_id]) + "#evidence")


@login_required
@require_GET
def sheet_template(request: HttpRequest, kind: str, file_format: str) -> HttpResponse:
    if kind not in SHEET_KINDS or file_format not in TEMPLATE_FORMATS:
        raise Http404(_("There is no such result sheet template."))
    return template_response(kind, file_format)
