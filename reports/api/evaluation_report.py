"""The evaluation report PDF in the API (the page route is ``reports.pages.evaluation_report``)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from reports.evaluation_report import finished_evaluation, report_response


class EvaluationReportView(APIView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        """The latest finished evaluation of a submission as a PDF report (criteria, flags,
        pictures, inputs with SHA-256), in the request's language; 404 when there is none."""
        return report_response(finished_evaluation(request.user, pk))
