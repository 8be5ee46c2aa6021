"""The register's downloads: the filtered list as CSV (UTF-8 with a byte-order mark, formulas
defused, header in the reader's language) or JSON, streamed, capped at 10,000 rows without
signing in, and saying when the list was longer."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.http import StreamingHttpResponse

from reports.register import exports
from tests.reports.register.conftest import FORMULA_HOLDER

pytestmark = pytest.mark.django_db
API = "/api/v1/register/"


def _csv(response) -> list[list[str]]:
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_csv_is_the_filtered_list_in_its_order(client, register):
    response = client.get(f"{API}export.csv?q=qingdao&sort=model")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="register-')
    assert response["X-Register-Truncated"] == "false"
    rows = _csv(response)
    assert rows[0][:5] == ["Certificate", "Status", "Status (in words)", "Holder", "Model number"]
    assert [row[0] for row in rows[1:]] == [register.qingdao.number, register.lapsed.number]
    assert rows[2][1] == "expired"


def test_the_csv_defuses_formulas_a_holder_typed(client, register):
    rows = _csv(client.get(f"{API}export.csv?q=evil.example"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Holder"] == "'" + FORMULA_HOLDER
    assert row["Model number"] == "'=1+2"
    assert row["Name"] == "'@SUM(A1:A9)"


def test_the_csv_header_is_in_the_readers_language(client, register):
    client.cookies["django_language"] = "zh-hans"
    rows = _csv(client.get(f"{API}export.csv?q=宁德固态"))
    assert rows[1][3] == "宁德固态电池有限公司"
    assert "全固态电池" in rows[1]  # the class in words, translated


def test_the_json_is_an_array_of_the_lists_rows(client, register):
    response = client.get(f"{API}export.json?status=valid&sort=number")
    assert response["Content-Type"] == "application/json"
    rows = json.loads(b"".join(response.streaming_content))
    listed = client.get(f"{API}?status=valid&sort=number").json()["results"]
    assert rows == listed


def test_a_list_longer_than_the_cap_is_cut_and_says_so(client, register, monkeypatch, cast):
    monkeypatch.setattr(exports, "ANONYMOUS_ROWS", 4)
    response = client.get(f"{API}export.csv")
    assert response["X-Register-Truncated"] == "true"
    assert response["X-Register-Row-Limit"] == "4"
    assert len(_csv(response)) == 1 + 4
    # Signed in, the cap is higher.
    client.force_login(cast["automaker"])
    response = client.get(f"{API}export.json")
    assert response["X-Register-Truncated"] == "false"
    assert len(json.loads(b"".join(response.streaming_content))) == 6


def test_the_export_is_read_in_chunks(client, register, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 2)
    response = client.get(f"{API}export.json")
    pieces = list(response.streaming_content)
    assert len(pieces) >= 4  # "[", three chunks of two rows, "]"
    assert len(json.loads(b"".join(pieces))) == 6
