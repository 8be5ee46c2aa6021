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
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from certification import access, selectors, services, uploads
from certification.exceptions import NotPermitted, PortalError
from certification.filters import AuditEventFilter
from certification.forms import (
    DecisionForm,
    ProductForm,
    SubmissionForm,
    UploadForm,
    add_portal_error,
    form_error_messages,
)
from certification.models import Dataset, Evaluation, Organisation, Submission
from certification.parsers.sheets.columns import COLUMNS
from certification.presentation import rules_in_force, test_conditions_view
from certification.responses import TEMPLATE_FORMATS, evidence_response, template_response
from certification.services.submissions import evidence_checklist
from certification.timestamps import PortalJSONEncoder
from certification.vocabulary import SHEET_KINDS

Kind = Organisation.Kind
S = Submission.Status
# While an evaluation is in one of these states the page polls its JSON view.
EVALUATION_ACTIVE = (Evaluation.Status.QUEUED, Evaluation.Status.RUNNING)


def _message_portal_error(request: HttpRequest, exc: PortalError) -> None:
    if isinstance(exc, NotPermitted):
        raise PermissionDenied(exc.message)
    messages.error(request, exc.message)
    for error in exc.errors:
        if error.message != exc.message:
            messages.error(request, error.message)


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
            dataset.withdrawn_at is None
            and services.withdrawal_refusal(
                user=user, dataset=dataset, submission_status=submission.status
            )
            is None
        )
    upload_source = access.upload_source_for(user, submission)
    # What the rule set in force asks of a submission still being prepared (submit checks it).
    rules = rules_in_force() if editable else None
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
        "checklist": evidence_checklist(submission, rules) if rules else [],
        "sheet_kinds": [
            {"kind": kind, "label": kind_labels[kind], "columns": COLUMNS[kind]}
            for kind in SHEET_KINDS
        ],
        "template_formats": list(TEMPLATE_FORMATS),
        "test_conditions": test_conditions_view(rules),
        "evaluation": selectors.evaluation_as_dict(evaluation) if evaluation else None,
        "evaluation_active": evaluation is not None and evaluation.status in EVALUATION_ACTIVE,
        **_review_context(user, submission, evaluation),
        "can_audit": access.can_audit(user),
    }
    context["certificate"] = selectors.certificate_of(submission)
    context.update(_evidence_context(submission, datasets, evaluation))
    return render(request, "certification/submission_detail.html", context, status=status)


def _evidence_context(submission: Submission, datasets: list, evaluation) -> dict:
    """What the portal made of each raw file, and the pictures of the evidence."""
    ruleset = evaluation.ruleset if evaluation is not None else services.ruleset_in_force()
    feedback = uploads.file_feedback(datasets, ruleset)
    pictures = uploads.evidence_pictures(
        datasets, rated_capacity_ah=submission.product.rated_capacity_ah, ruleset=ruleset
    )
    by_file = {picture["dataset"].pk: picture for picture in pictures}
    for dataset in datasets:
        dataset.feedback = feedback.get(dataset.pk)
        dataset.picture = [by_file[dataset.pk]] if dataset.pk in by_file else []
    return {
        "files_reading": uploads.still_reading(feedback),
        "evidence_pictures": pictures,
        "evaluation_pictures": uploads.evaluation_pictures(
            evaluation if evaluation is not None and evaluation.status == "done" else None,
            submission.claimed_class,
        ),
    }


def _review_context(user, submission: Submission, evaluation: Evaluation | None) -> dict:
    """The review card: decisions so far for everyone who sees the submission; for a reviewer,
    the decision form and, when four eyes forbid it, why they may not decide."""
    decisions = selectors.decisions_of(submission)
    awaiting = submission.status == S.AWAITING_REVIEW
    approvers, required = selectors.approvals_of(submission) if awaiting else (frozenset(), None)
    context = {
        "decisions": decisions,
        "review_open": awaiting,
        "approvals": len(approvers),
        "approvals_required": required,
        "can_review": False,
    }
    if awaiting and access.is_reviewer(user):
        current = evaluation is not None and evaluation.attempt == submission.attempt
        context.update(
            can_review=True,
            review_conflict=access.review_conflict(user, submission),
            approved_by_me=user.pk in approvers,
            certifiable=bool(current and evaluation.certifiable),
            decision_form=DecisionForm(),
        )
    return context


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
            if dataset.parse_status != Dataset.ParseStatus.PARSED:
                messages.success(
                    request,
                    _(
                        "%(name)s was stored (%(kind)s). The portal is reading it now; what it "
                        "made of the file appears beside it in a moment."
                    )
                    % {"name": dataset.original_name, "kind": dataset.get_kind_display()},
                )
                return redirect(reverse("submission-detail", args=[submission.pk]) + "#evidence")
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
        evaluation = services.submission_submit(user=request.user, submission=submission)
    except PortalError as exc:
        _message_portal_error(request, exc)
    else:
        if evaluation.stage == Evaluation.Stage.WAITING_FOR_WORKERS:
            messages.warning(
                request,
                _(
                    "Submitted. The workers are unreachable just now; your submission is safe "
                    "and will be evaluated as soon as they are back."
                ),
            )
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
    return JsonResponse(data, encoder=PortalJSONEncoder)  # times as the API writes them


@login_required
@require_GET
def submission_files_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The raw files' parse progress, polled by the submission page while a worker reads them."""
    submission = _visible_submission(request, pk)
    datasets = list(submission.datasets.defer("preview"))
    return JsonResponse(uploads.file_status_json(datasets, services.ruleset_in_force()))


# --- evidence ---------------------------------------------------------------------------------


@login_required
@require_GET
def dataset_download(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_object_or_404(access.datasets_visible_to(request.user), pk=pk)
    try:
        return evidence_response(dataset, user=request.user)
    except PortalError as exc:  # the stored file failed its SHA-256 check: nothing is served
        _message_portal_error(request, exc)
        return redirect(reverse("submission-detail", args=[dataset.submission_id]) + "#evidence")


@login_required
@require_POST
def dataset_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_object_or_404(
        access.datasets_visible_to(request.user).select_related("submission__product"), pk=pk
    )
    try:
        services.dataset_withdraw(
            user=request.user, dataset=dataset, reason=request.POST.get("reason", "")
        )
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


# --- review -----------------------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.is_reviewer(user):
        raise PermissionDenied(_("Only reviewers of the certification body have a review queue."))
    queue = list(selectors.review_queue(access.submissions_visible_to(user))[:500])
    uploaded = access.submissions_uploaded_to_by(user, (s.pk for s in queue))
    rows = []
    for submission in queue:
        approvers, required = selectors.approvals_of(submission)
        rows.append(
            {
                "submission": submission,
                "evaluation": selectors.latest_evaluation(submission),
                "approvals": len(approvers),
                "approvals_required": required,
                "approved_by_me": user.pk in approvers,
                "conflict": access.review_conflict(
                    user, submission, uploaded_submission_ids=uploaded
                ),
            }
        )
    return render(request, "certification/review_queue.html", {"rows": rows})


@login_required
@require_POST
def submission_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve, reject or return. Four-eyes refusals come back as messages on the page."""
    submission = _visible_submission(request, pk)
    if not access.is_reviewer(request.user):
        raise PermissionDenied(access.review_conflict(request.user, submission))
    # A refusal goes to the top of the page, where messages are shown; a recorded decision to
    # the review card, where it now stands in the list.
    page = reverse("submission-detail", args=[submission.pk])
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for message in form_error_messages(form):
            messages.error(request, message)
        return redirect(page)
    try:
        services.submission_decide(user=request.user, submission=submission, **form.cleaned_data)
    except PortalError as exc:
        # A refusal (own organisation, uploaded data, already approved, not certifiable, not
        # awaiting review) is the reviewer's to read on the page, not an error page.
        messages.error(request, exc.message)
        return redirect(page)
    submission.refresh_from_db(fields=["status"])
    if submission.status == S.APPROVED:
        messages.success(request, _("Approved. The certificate is being issued."))
    elif submission.status == S.REJECTED:
        messages.success(request, _("Rejected. The decision is final."))
    elif submission.status == S.RETURNED:
        messages.success(request, _("Returned to the manufacturer for more data."))
    else:
        approvers, required = selectors.approvals_of(submission)
        messages.success(
            request,
            _("Your approval is recorded (%(approvals)s of %(required)s).")
            % {"approvals": len(approvers), "required": required or "—"},
        )
    return redirect(page + "#review")


# --- audit ------------------------------------------------------------------------------------


def _require_auditor(request: HttpRequest) -> None:
    if not access.can_audit(request.user):
        raise PermissionDenied(
            _("Only regulators and the certification body read the audit trail.")
        )


def _auditable_submission(request: HttpRequest, pk: int) -> Submission:
    submission = _visible_submission(request, pk)
    _require_auditor(request)
    return submission


def _render_audit(
    request: HttpRequest, submission: Submission, *, reproduction: dict | None = None
) -> HttpResponse:
    context = {
        "submission": submission,
        "product": submission.product,
        "trail": selectors.audit_trail(submission),
        "evaluations": [
            selectors.evaluation_as_dict(e) for e in selectors.evaluations_of(submission)
        ],
        # No decisions here: each is in the trail already (a ``submission.<decision>`` event with
        # its reviewer, organisation and reason, written in the same transaction).
        "certificate": selectors.certificate_of(submission),
        "reproduction": reproduction,
    }
    return render(request, "certification/submission_audit.html", context)


@login_required
@require_GET
def submission_audit(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_audit(request, _auditable_submission(request, pk))


@login_required
@require_POST
def submission_reproduce(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-run the latest finished evaluation and show, on the audit page, what came out."""
    submission = _auditable_submission(request, pk)
    try:
        report = services.evaluation_reproduce(user=request.user, submission=submission)
    except PortalError as exc:
        _message_portal_error(request, exc)
        return redirect("submission-audit", pk=submission.pk)
    if report["identical"]:
        messages.success(request, _("Re-run finished: the outcome is identical."))
    else:
        messages.warning(request, _("Re-run finished: the outcome differs from the stored one."))
    return _render_audit(request, submission, reproduction=report)


AUDIT_LOG_PAGE_SIZE = 50
AUDIT_FACT_LABELS = {
    "decision": gettext_lazy("Decision"),
    "reason": gettext_lazy("Reason"),
    "attempt": gettext_lazy("Attempt"),
    "kind": gettext_lazy("Data"),
    "determined_class": gettext_lazy("Determined class"),
    "sha256": "SHA-256",
    "pdf_sha256": "PDF SHA-256",
    "identical": gettext_lazy("Identical outcome"),
}


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every recorded event of the portal, newest first, 50 a page, filtered as the API is."""
    _require_auditor(request)
    user = request.user
    filterset = AuditEventFilter(request.GET, queryset=access.audit_events_visible_to(user))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "query": query.urlencode(), "rows": [], "page": None}
    if filterset.is_valid():
        paginator = Paginator(selectors.audit_log(filterset.qs), AUDIT_LOG_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        events = list(page.object_list)
        # Drafts and never-submitted products are outside an auditor's pages: their ids are
        # shown, not linked. Two queries for the whole page.
        submission_ids = {e.submission_id for e in events if e.submission_id}
        product_ids = {e.product_id for e in events if e.product_id}
        linked_submissions = set(
            access.submissions_visible_to(user)
            .filter(pk__in=submission_ids)
            .values_list("pk", flat=True)
        )
        linked_products = set(
            access.products_visible_to(user).filter(pk__in=product_ids).values_list("pk", flat=True)
        )
        context["page"] = page
        context["rows"] = [
            {
                "event": e,
                "action_label": selectors.audit_action_label(e.action),
                "actor_name": selectors.audit_actor_name(e),
                "certificate": selectors.audit_certificate_number(e),
                "submission_linked": e.submission_id in linked_submissions,
                "product_linked": e.product_id in linked_products,
                "facts": [
                    {
                        "label": AUDIT_FACT_LABELS[key],
                        "value": (_("Yes") if value else _("No"))
                        if isinstance(value, bool)
                        else value,
                        "is_hash": key in ("sha256", "pdf_sha256"),
                    }
                    for key, value in selectors.audit_facts(e).items()
                ],
            }
            for e in events
        ]
    return render(request, "certification/audit_log.html", context)
