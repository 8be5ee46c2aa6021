"""Pages of rule-set proposals, their impact analysis and what-if re-runs (issue 8): thin
adapters over ``certification.services``, as ``certification/views.py`` is.

Regulators and the certification body read proposals, upload them and start impact analyses;
reviewers of the certification body approve. Anyone else gets 403 (a submission outside the
user's view: 404). A refused file is shown on the form with the path of the bad value (400).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certification import access, services
from certification.api.proposals import impact_csv_response, whatif_evaluation
from certification.exceptions import NotPermitted, PortalError
from certification.forms import add_portal_error, form_error_messages
from certification.models import Evaluation, RuleSet
from certification.services.impact import impact_json
from certification.services.proposals import (
    MAX_PROPOSAL_BYTES,
    proposal_record,
    proposals_visible_to,
)


class ProposalForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Rule-set file (TOML)"),
        help_text=gettext_lazy("UTF-8 text, at most 256 KiB, in the format of docs/RULESETS.md."),
    )


class ApprovalForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class WhatIfForm(forms.Form):
    ruleset = forms.ModelChoiceField(
        label=gettext_lazy("Rule set"), queryset=RuleSet.objects.order_by("code", "-version")
    )
    attempt = forms.TypedChoiceField(label=gettext_lazy("Attempt"), coerce=int)

    def __init__(self, *args, attempts: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attempt"].choices = [(n, str(n)) for n in attempts]
        self.fields["ruleset"].label_from_instance = lambda r: (
            f"{r.code} v{r.version} ({r.get_status_display()})"
        )


def _require_proposer(request: HttpRequest) -> None:
    if not access.can_propose_rulesets(request.user):
        raise PermissionDenied(
            _("Only regulators and the certification body read rule-set proposals.")
        )


def _proposal(request: HttpRequest, pk: int) -> RuleSet:
    _require_proposer(request)
    return get_object_or_404(proposals_visible_to(request.user), pk=pk)


def _error(request: HttpRequest, exc: PortalError) -> None:
    if isinstance(exc, NotPermitted):
        raise PermissionDenied(exc.message)
    messages.error(request, exc.message)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_list(request: HttpRequest) -> HttpResponse:
    """Every proposal, and the form to upload a new one."""
    _require_proposer(request)
    form = ProposalForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                ruleset = services.ruleset_propose(
                    user=request.user,
                    content=upload.read(MAX_PROPOSAL_BYTES + 1),
                    name=upload.name or "",
                )
            except PortalError as exc:
                if isinstance(exc, NotPermitted):
                    raise PermissionDenied(exc.message) from None
                add_portal_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Rule set %(code)s version %(version)s is proposed; it is not in force.")
                    % {"code": ruleset.code, "version": ruleset.version},
                )
                return redirect("proposal-detail", pk=ruleset.pk)
        status = 400
    proposals = [proposal_record(r) for r in proposals_visible_to(request.user)]
    return render(
        request,
        "certification/proposal_list.html",
        {"form": form, "proposals": proposals},
        status=status,
    )


@login_required
@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ruleset = _proposal(request, pk)
    analysis = ruleset.impact_analyses.order_by("-requested_at", "-id").first()
    approver_ids = frozenset(ruleset.approvals.values_list("approver_id", flat=True))
    conflict = access.ruleset_approval_conflict(request.user, ruleset, approver_ids=approver_ids)
    context = {
        "ruleset": ruleset,
        "record": proposal_record(ruleset, with_text=True),
        "analysis": analysis,
        "running": analysis is not None and analysis.status in ("queued", "running"),
        "approval_form": ApprovalForm(),
        "approval_conflict": conflict,
    }
    return render(request, "certification/proposal_detail.html", context)


@login_required
@require_POST
def proposal_impact(request: HttpRequest, pk: int) -> HttpResponse:
    ruleset = _proposal(request, pk)
    try:
        services.impact_request(user=request.user, ruleset=ruleset)
    except PortalError as exc:
        _error(request, exc)
    else:
        messages.success(
            request, _("The impact analysis is running; this page shows its progress.")
        )
    return redirect("proposal-detail", pk=ruleset.pk)


def _latest_analysis(request: HttpRequest, pk: int):
    ruleset = _proposal(request, pk)
    analysis = ruleset.impact_analyses.order_by("-requested_at", "-id").first()
    if analysis is None:
        raise Http404(_("No impact analysis of this rule set was run yet."))
    return analysis


@login_required
@require_GET
def proposal_impact_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The latest analysis's progress, numbers and rows (the JSON export)."""
    return JsonResponse(impact_json(_latest_analysis(request, pk)))


@login_required
@require_GET
def proposal_impact_csv(request: HttpRequest, pk: int) -> HttpResponse:
    return impact_csv_response(_latest_analysis(request, pk))


@login_required
@require_POST
def proposal_approve(request: HttpRequest, pk: int) -> HttpResponse:
    ruleset = _proposal(request, pk)
    form = ApprovalForm(request.POST)
    if not form.is_valid():
        if not access.is_reviewer(request.user):  # 403 before 400, as the service decides
            raise PermissionDenied(
                _("Only reviewers of the certification body can approve a rule set.")
            )
        for message in form_error_messages(form):
            messages.error(request, message)
        return redirect("proposal-detail", pk=ruleset.pk)
    try:
        ruleset = services.ruleset_approve(
            user=request.user, ruleset=ruleset, reason=form.cleaned_data["reason"]
        )
    except PortalError as exc:
        _error(request, exc)
    else:
        if ruleset.status == RuleSet.Status.ACTIVE:
            messages.success(request, _("Second approval recorded: the rule set is active."))
        else:
            messages.success(request, _("Approval recorded; one more reviewer must approve."))
    return redirect("proposal-detail", pk=ruleset.pk)


@login_required
@require_http_methods(["GET", "POST"])
def submission_whatif(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-run a finished evaluation under another rule set and compare criterion by criterion."""
    submission = get_object_or_404(access.submissions_visible_to(request.user), pk=pk)
    if not access.can_audit(request.user):
        raise PermissionDenied(_("Only regulators and the certification body re-run evaluations."))
    attempts = list(
        submission.evaluations.filter(status=Evaluation.Status.DONE).values_list(
            "attempt", flat=True
        )
    )
    form = WhatIfForm(request.POST or None, attempts=attempts)
    report, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                evaluation = whatif_evaluation(submission, form.cleaned_data["attempt"])
                report = services.evaluation_whatif(
                    user=request.user, evaluation=evaluation, ruleset=form.cleaned_data["ruleset"]
                )
            except PortalError as exc:
                if isinstance(exc, NotPermitted):
                    raise PermissionDenied(exc.message) from None
                add_portal_error(form, exc)
                status = 400
        else:
            status = 400
    return render(
        request,
        "certification/whatif.html",
        {"submission": submission, "form": form, "report": report, "attempts": attempts},
        status=status,
    )
