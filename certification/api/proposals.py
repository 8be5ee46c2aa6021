"""REST API of rule-set proposals, their impact analysis and what-if re-runs (issue 8): thin
adapters over ``certification.services`` (proposals, impact, whatif).

Every route answers 403 to whoever may not propose (only regulators and the certification body
read and analyse proposals; only the certification body's reviewers approve them).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from certification import access, services
from certification.api.parsers import StrictJSONParser
from certification.csvfile import CsvRenderer, ErrorsAsJson, csv_lines
from certification.exceptions import FieldError, InvalidInput, NotFound, NotPermitted
from certification.models import Evaluation, RuleSet
from certification.services.impact import impact_csv_header, impact_csv_rows, impact_json
from certification.services.proposals import (
    MAX_PROPOSAL_BYTES,
    proposal_record,
    proposals_visible_to,
)


def require_proposer(user) -> None:
    if not access.can_propose_rulesets(user):
        raise NotPermitted(_("Only regulators and the certification body read rule-set proposals."))


def proposal_or_404(user, pk: int) -> RuleSet:
    require_proposer(user)
    return get_object_or_404(proposals_visible_to(user), pk=pk)


class ProposalUpload(serializers.Serializer):
    file = serializers.FileField(help_text="The rule-set TOML file (UTF-8, at most 256 KiB).")


class ApprovalForm(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class WhatIfForm(serializers.Serializer):
    ruleset = serializers.IntegerField(help_text="The id of a rule set (active or proposed).")
    attempt = serializers.IntegerField(
        required=False, help_text="Which finished attempt; the latest when left out."
    )


RECORD = OpenApiTypes.OBJECT


class RuleSetListView(APIView):
    """Every stored rule set (shipped and proposed) a what-if may name; regulators and the
    certification body."""

    @extend_schema(responses={200: RECORD})
    def get(self, request):
        require_proposer(request.user)
        rows = RuleSet.objects.order_by("code", "-version").values(
            "id", "code", "version", "title", "status", "effective_from", "effective_until"
        )
        return Response({"rulesets": list(rows)})


class ProposalListView(APIView):
    """Rule-set proposals: list them, or upload a new rule-set TOML file as a proposal.

    The file is checked as strictly as a shipped one; a malformed file, a wrong type, an unknown
    source, overlapping content bands, a code and version that exist, or a file over 256 KiB is
    refused with 400 and the path of the bad value (`errors[0].column`), and nothing is stored.
    """

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(operation_id="rulesets_proposals_list", responses={200: RECORD})
    def get(self, request):
        require_proposer(request.user)
        return Response(
            {"proposals": [proposal_record(r) for r in proposals_visible_to(request.user)]}
        )

    @extend_schema(request={"multipart/form-data": ProposalUpload}, responses={201: RECORD})
    def post(self, request):
        require_proposer(request.user)  # 403 before the body is looked at
        upload = request.data.get("file") if hasattr(request.data, "get") else None
        if upload is None or isinstance(upload, str):
            raise InvalidInput(
                _("Send the rule-set file in the field 'file'."),
                errors=[FieldError(_("This field is required."), column="file")],
            )
        content = upload.read(MAX_PROPOSAL_BYTES + 1)
        ruleset = services.ruleset_propose(
            user=request.user, content=content, name=getattr(upload, "name", "") or ""
        )
        return Response(proposal_record(ruleset, with_text=True), status=status.HTTP_201_CREATED)


class ProposalDetailView(APIView):
    """One proposal with its text, approvals and latest impact analysis."""

    @extend_schema(responses={200: RECORD})
    def get(self, request, pk: int):
        return Response(proposal_record(proposal_or_404(request.user, pk), with_text=True))


class ProposalApproveView(APIView):
    """A reviewer of the certification body approves the proposal, with a reason; the second
    approval by another reviewer (neither the proposer) activates it. Needs a finished impact
    analysis. Regulators may not approve (403)."""

    parser_classes = [StrictJSONParser, FormParser]

    @extend_schema(request=ApprovalForm, responses={200: RECORD})
    def post(self, request, pk: int):
        ruleset = proposal_or_404(request.user, pk)
        form = ApprovalForm(data=request.data)
        form.is_valid(raise_exception=True)
        ruleset = services.ruleset_approve(
            user=request.user, ruleset=ruleset, reason=form.validated_data["reason"]
        )
        return Response(proposal_record(ruleset))


class ProposalImpactView(ErrorsAsJson, APIView):
    """The impact analysis of a proposal: POST starts one (202; a running one is returned),
    GET reads the latest: status, progress, the numbers (`counts`: examined, changed, class,
    certifiable, label, unreadable) and each certificate that would change beside today's
    result. `Accept: text/csv` (or `?format=csv`) gives the list as a CSV file."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CsvRenderer]

    @extend_schema(
        responses={
            (200, "application/json"): RECORD,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
        }
    )
    def get(self, request, pk: int):
        ruleset = proposal_or_404(request.user, pk)
        analysis = ruleset.impact_analyses.order_by("-requested_at", "-id").first()
        if analysis is None:
            raise NotFound(_("No impact analysis of this rule set was run yet."))
        if request.accepted_renderer.format == CsvRenderer.format:
            return impact_csv_response(analysis)
        return Response(impact_json(analysis))

    @extend_schema(request=None, responses={202: RECORD})
    def post(self, request, pk: int):
        ruleset = proposal_or_404(request.user, pk)
        analysis = services.impact_request(user=request.user, ruleset=ruleset)
        return Response(impact_json(analysis), status=status.HTTP_202_ACCEPTED)


def impact_csv_response(analysis) -> HttpResponse:
    """The certificates that would change, as a CSV file (UTF-8 with BOM, formulas defused)."""
    stamp = timezone.localtime().strftime("%Y%m%dT%H%M%S")
    body = b"".join(csv_lines(impact_csv_header(), impact_csv_rows(analysis)))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = f"impact-{analysis.ruleset.code}-v{analysis.ruleset.version}-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class WhatIfView(APIView):
    """Re-run a finished evaluation of the submission under another rule set (active or
    proposed) and compare it criterion by criterion (outcome, measured, limit) with the
    original. Nothing is stored except the audit event. Regulators and the certification body."""

    parser_classes = [StrictJSONParser, FormParser]

    @extend_schema(
        request=WhatIfForm,
        responses={200: inline_serializer("WhatIf", {"criteria": serializers.ListField()})},
    )
    def post(self, request, pk: int):
        submission = get_object_or_404(access.submissions_visible_to(request.user), pk=pk)
        if not access.can_audit(request.user):
            raise NotPermitted(_("Only regulators and the certification body re-run evaluations."))
        form = WhatIfForm(data=request.data)
        form.is_valid(raise_exception=True)
        evaluation = whatif_evaluation(submission, form.validated_data.get("attempt"))
        ruleset = RuleSet.objects.filter(pk=form.validated_data["ruleset"]).first()
        if ruleset is None:
            raise InvalidInput(
                _("No rule set has this id."),
                errors=[FieldError(_("No rule set has this id."), column="ruleset")],
            )
        return Response(
            services.evaluation_whatif(user=request.user, evaluation=evaluation, ruleset=ruleset)
        )


def whatif_evaluation(submission, attempt: int | None) -> Evaluation:
    """The finished evaluation of ``attempt`` (the latest finished one when None)."""
    finished = submission.evaluations.filter(status=Evaluation.Status.DONE).select_related(
        "ruleset"
    )
    evaluation = (
        finished.filter(attempt=attempt).first() if attempt is not None else finished.first()
    )
    if evaluation is None:
        raise InvalidInput(
            _("This submission has no finished evaluation of that attempt."),
            errors=[FieldError(_("No finished evaluation."), column="attempt")],
        )
    return evaluation
