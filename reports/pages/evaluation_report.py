"""The evaluation report PDF, for those who see the submission (page route; the API has the
same at ``/api/v1/submissions/<id>/evaluation-report/``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from certification.exceptions import NotFound
from reports.evaluation_report import finished_evaluation, report_response


@login_required
@require_GET
def evaluation_report(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        evaluation = finished_evaluation(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return report_response(evaluation)
