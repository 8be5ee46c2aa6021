"""The evaluation report PDF: everything an evaluation was judged on, for the maker, the lab,
the reviewers and the regulators (issue 11). The public certificate stays one page and shows no
evidence; this report shows the criteria, the flags, the test conditions, the pictures and the
input files with their SHA-256, in the reader's language.

The pictures are the very Vega-Lite specifications the submission page draws
(``certification.charts``), rendered here to SVG by vl-convert with the portal's own CJK font, so
the page and the PDF show the same picture. WeasyPrint draws them inline (``reports.pdf``).
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path
from typing import Any

import vl_convert
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from certification import access, selectors, uploads
from certification.evidence import evaluation_datasets
from certification.exceptions import NotFound
from certification.models import Evaluation
from certification.presentation import measured_view
from reports import pdf

TEMPLATE = "reports/evaluation_report.html"
STYLESHEET = "evaluation_report.css"
FONT = "Portal CJK"
_fonts_registered = threading.Lock()
_registered = False


def _register_fonts() -> None:
    """vl-convert measures and names text with our font, never a system one."""
    global _registered
    with _fonts_registered:
        if not _registered:
            vl_convert.register_font_directory(str(Path(settings.BASE_DIR) / "static" / "fonts"))
            _registered = True


def chart_svg(spec: dict[str, Any]) -> str:
    """A chart's specification as inline SVG, in the report's font and without interaction."""
    _register_fonts()
    spec = copy.deepcopy(spec)
    spec.setdefault("config", {})["font"] = FONT
    svg = vl_convert.vegalite_to_svg(spec)
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308 - vl-convert's own SVG, data escaped


def report_context(evaluation: Evaluation) -> dict[str, Any]:
    submission = evaluation.submission
    data = selectors.evaluation_as_dict(evaluation)
    for criterion in data["criteria"]:
        criterion["view"] = measured_view(criterion["measured"])
    datasets = evaluation_datasets(evaluation)
    raw = uploads.evidence_pictures(
        datasets,
        rated_capacity_ah=submission.product.rated_capacity_ah,
        ruleset=evaluation.ruleset,
    )
    per_sample = uploads.evaluation_pictures(evaluation, submission.claimed_class)
    return {
        "evaluation": data,
        "submission": submission,
        "product": submission.product,
        "lab": submission.lab,
        "inputs": datasets,
        "sample_charts": [chart_svg(p["spec"]) for p in per_sample],
        "raw_charts": [
            {"name": p["dataset"].original_name, "svg": chart_svg(p["spec"])} for p in raw
        ],
        "generated_at": timezone.now(),
    }


def render_evaluation_report(evaluation: Evaluation) -> bytes:
    """The report of one finished evaluation, in the active language."""
    return pdf.render_document_pdf(TEMPLATE, report_context(evaluation), STYLESHEET)


def finished_evaluation(user, submission_id: int) -> Evaluation:
    """The latest finished evaluation of a submission ``user`` sees; 404 otherwise (a submission
    outside their view, or one not evaluated yet)."""
    submission = get_object_or_404(access.submissions_visible_to(user), pk=submission_id)
    evaluation = (
        submission.evaluations.filter(status=Evaluation.Status.DONE)
        .select_related("ruleset", "submission__product__manufacturer", "submission__lab")
        .order_by("-attempt")
        .first()
    )
    if evaluation is None:
        raise NotFound(_("This submission has no finished evaluation yet."))
    return evaluation


def report_response(evaluation: Evaluation) -> HttpResponse:
    response = HttpResponse(render_evaluation_report(evaluation), content_type="application/pdf")
    name = f"evaluation-{evaluation.submission_id}-{evaluation.attempt}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
