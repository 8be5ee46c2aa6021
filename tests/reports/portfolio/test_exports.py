"""Exports of a filtered list: CSV (UTF-8 with a byte-order mark, formula-like cells defused) and
JSON, streamed from a server-side cursor, the same rows as the API's list."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from certification.models import AuditEvent, Submission
from reports.portfolio import selectors
from tests.reports.portfolio.conftest import FORMULA_REASON

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    assert response.status_code == 200, response.content
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def test_a_csv_export_starts_with_the_bom_and_defuses_formulas(api, cast, world):
    response = api(cast["regulator"]).get(reverse("api-portfolio-decisions-csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="portfolio-decisions')
    data = body(response)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Decision", "Submission", "Evaluation", "Decided"]
    assert len(rows) == 4
    reasons = [row[rows[0].index("Reason")] for row in rows[1:]]
    assert f"'{FORMULA_REASON}" in reasons
    assert FORMULA_REASON not in reasons


def test_the_export_has_the_rows_of_the_filtered_list(api, cast, orgs, world):
    regulator = api(cast["regulator"])
    query = f"?maker={orgs['maker'].pk}&ordering=submitted"
    listed = regulator.get(reverse("api-portfolio-submissions") + query).json()["results"]
    exported = json.loads(body(regulator.get(reverse("api-portfolio-submissions-json") + query)))
    assert [r["id"] for r in exported] == [r["id"] for r in listed] == [
        world.certified.pk, world.failed.pk,
    ]  # fmt: skip
    assert exported[0].keys() == listed[0].keys()
    assert exported[0]["certificate"] == world.certificate.number
    text = body(regulator.get(reverse("api-portfolio-submissions-csv") + query)).decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(text))][1:] == [
        str(world.certified.pk), str(world.failed.pk),
    ]  # fmt: skip


def test_the_header_is_in_the_reader_language(api, cast, world):
    response = api(cast["regulator"]).get(
        reverse("api-portfolio-certificates-csv"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    header = body(response).decode("utf-8-sig").splitlines()[0]
    assert header.split(",")[0]  # a label, whatever the catalogue holds today


def test_thousands_of_rows_leave_in_chunks(api, cast, world):
    template = Submission.objects.get(pk=world.failed.pk)
    count = 2 * selectors.EXPORT_CHUNK + 7
    Submission.objects.bulk_create(
        Submission(
            product_id=template.product_id, claimed_class="liquid", lab_id=template.lab_id,
            created_by_id=template.created_by_id, status="awaiting_review", attempt=1,
            submitted_at=template.submitted_at,
        )
        for _ in range(count)
    )  # fmt: skip
    response = api(cast["regulator"]).get(reverse("api-portfolio-submissions-json"))
    chunks = list(response.streaming_content)
    assert len(chunks) > 3  # "[", the rows in pieces, "]"
    rows = json.loads(b"".join(chunks))
    assert len(rows) == count + 3
    assert len({r["id"] for r in rows}) == count + 3


def test_an_export_writes_nothing(api, cast, world):
    before = AuditEvent.objects.count()
    for name in selectors.LISTINGS:
        for fmt in ("csv", "json"):
            body(api(cast["reviewer"]).get(reverse(f"api-portfolio-{name}-{fmt}")))
    assert AuditEvent.objects.count() == before
