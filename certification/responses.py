"""File responses shared by the pages and the API: stored evidence and blank result sheets."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext

from certification.models import Dataset, User
from certification.parsers.sheets.templates import sheet_template
from certification.presentation import chinese_headers, rules_in_force
from certification.storage import verified_download

TEMPLATE_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def evidence_response(dataset: Dataset, *, user: User) -> FileResponse:
    """Stream a stored evidence file as an attachment under its original name, once its bytes
    matched the SHA-256 recorded at upload (``storage.verified_download`` raises
    ``EvidenceUnavailable`` and records the failed check otherwise).

    Always ``application/octet-stream`` with ``nosniff``: an uploaded file is evidence to keep,
    never content for the browser to render (an HTML or SVG "sheet" must not run in our origin).
    """
    stream, size = verified_download(dataset, actor=user)
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=dataset.original_name,
        content_type="application/octet-stream",
    )
    response["Content-Length"] = str(size)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def template_response(kind: str, file_format: str) -> HttpResponse:
    """A blank result sheet of ``kind`` with one example row, as a download."""
    # The rule set in force states its test conditions in the template, in the reader's language.
    data = sheet_template(
        kind,
        file_format,
        rules=rules_in_force(),
        translate=gettext,
        chinese_headers=chinese_headers(),
    )
    response = HttpResponse(data, content_type=TEMPLATE_FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{file_format}"'
    return response
