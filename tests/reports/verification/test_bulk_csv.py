"""The bulk verification's answer as a CSV file: POST /api/v1/verify/ with Accept: text/csv, and
"Download these results (CSV)" on the results of the CSV upload on /verify/.

Public like the verification itself, for every role. UTF-8 with a byte-order mark (Excel in a
Chinese locale reads a CSV without one as GB18030); a cell a spreadsheet would run as a formula is
neutralised; errors stay JSON in the API's one shape.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from certification.models import Organisation, Product
from reports.models import Certificate
from tests.conftest import PRODUCT_FIELDS, make_org

pytestmark = pytest.mark.django_db

C = Certificate.Status
URL = "/api/v1/verify/"
ROLES = [
    "maker", "other_maker", "lab", "other_lab", "reviewer", "reviewer2", "automaker",
    "regulator", None,
]  # fmt: skip
BOM = b"\xef\xbb\xbf"
HEADER = ["Line", "Input", "Certificate number", "Outcome", "Status", "Statement", "Holder",
          "Product model", "Class", "Expires on", "Checked at"]  # fmt: skip
DOWNLOAD = re.compile(
    r'href="data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)" '
    r'download="(verification-\d{8}T\d{6}\.csv)"'
)


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"verify": "1000/min", "verify_bulk": "1000/min", **rates},
    }


def _rows(content: bytes) -> list[list[str]]:
    assert content.startswith(BOM)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _expected(answer: dict, *, chinese: bool = False) -> list[list[str]]:
    """The rows the file must hold, worked out from the JSON answer."""
    rows = []
    for r in answer["results"]:
        c = r["certificate"] or {}
        rows.append(
            [
                str(r["line"]), r["input"], r["number"] or "", r["outcome"], r["status"] or "",
                r["message"], (c.get("holder") or {}).get("name", ""),
                (c.get("product") or {}).get("model_number", ""),
                (c.get("determined_class") or {}).get("name_zh" if chinese else "name_en", ""),
                c.get("expires_on") or "", answer["checked_at"],
            ]
        )  # fmt: skip
    return rows


def _csv(client, numbers, **extra):
    return client.post(URL, {"numbers": numbers}, format="json", HTTP_ACCEPT="text/csv", **extra)


# --- API --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_anyone_downloads_the_bulk_answer_as_csv(api, cast, certificate, role):
    response = _csv(api(cast.get(role)), [certificate.number])
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="verification-\d{8}T\d{6}\.csv"', response["Content-Disposition"]
    )
    assert response["Cache-Control"] == "no-store"
    header, row = _rows(response.content)
    assert header == HEADER
    day = timezone.localdate().isoformat()
    assert row[:10] == [
        "1", certificate.number, certificate.number, "found", "valid",
        f"Valid: issued on {day}, valid until {certificate.expires_on.isoformat()}.",
        "Qingdao Solid Cells", "QS-21700-SSB", "All-solid-state battery",  # the class's label
        certificate.expires_on.isoformat(),
    ]  # fmt: skip
    checked_at = dt.datetime.fromisoformat(row[10])
    assert checked_at.tzinfo is not None
    assert abs((timezone.now() - checked_at).total_seconds()) < 60


def test_the_csv_holds_the_same_rows_as_the_json(api, certificate, new_certificate):
    revoked = new_certificate(
        status=C.REVOKED, status_reason="unsafe", status_changed_at=timezone.now()
    )
    numbers = [certificate.number, revoked.number.lower(), "SSB-2026-888888", "", 12345, None,
               "banana, with a comma and \"quotes\"", "多行\n输入", certificate.number]  # fmt: skip
    client = api(None)
    answer = client.post(URL, {"numbers": numbers}, format="json").json()
    response = _csv(client, numbers)
    assert response.status_code == 200
    header, *rows = _rows(response.content)
    assert len(rows) == len(numbers) == answer["count"]
    # Each row as the JSON says it; only the time of the check differs between the two calls.
    assert [r[:10] for r in rows] == [r[:10] for r in _expected(answer)]
    assert [r[1] for r in rows][6:8] == ['banana, with a comma and "quotes"', "多行\n输入"]
    assert [(r[3], r[4]) for r in rows][:3] == [
        ("found", "valid"), ("found", "revoked"), ("never_issued", ""),
    ]  # fmt: skip
    assert "revoked on" in rows[1][5]


def test_format_csv_in_the_address_does_the_same(api, certificate):
    response = api(None).post(f"{URL}?format=csv", {"numbers": [certificate.number]}, format="json")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert _rows(response.content)[1][2] == certificate.number


def test_json_stays_the_default(api, certificate):
    response = api(None).post(URL, {"numbers": [certificate.number]}, format="json")
    assert response["Content-Type"] == "application/json"
    assert response.json()["checked_at"]
    response = api(None).post(
        URL, {"numbers": [certificate.number]}, format="json", HTTP_ACCEPT="application/xml"
    )
    assert response.status_code == 406


def test_formula_cells_are_neutralised(api, cast, orgs):
    # A holder name typed by a maker is echoed too, not only what the client sent.
    holder = make_org('=HYPERLINK("http://evil.example","Cells")', Organisation.Kind.MANUFACTURER)
    product = Product.objects.create(
        manufacturer=holder, created_by=cast["maker"], **{**PRODUCT_FIELDS, "model_number": "@M1"}
    )
    from tests.reports.conftest import make_certificate

    certificate = make_certificate(product, orgs["lab"], cast["maker"])
    inputs = ["=1+2", "+86 10 1234", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"]
    response = _csv(api(None), [*inputs, certificate.number])
    assert response.status_code == 200
    header, *rows = _rows(response.content)
    assert [r[1] for r in rows[:-1]] == [f"'{text}" for text in inputs]
    assert rows[-1][6] == '\'=HYPERLINK("http://evil.example","Cells")'
    assert rows[-1][7] == "'@M1"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"numbers": "SSB-2026-000001"}, "list of certificate numbers"),
        (["SSB-2026-000001"], "list of certificate numbers"),
        ({"numbers": []}, "empty"),
        ({"numbers": ["SSB-2026-000001"] * 1001}, "at most 1,000 numbers"),
    ],
    ids=["string", "bare-list", "empty", "1001"],
)
def test_bad_requests_answer_json_even_when_csv_is_asked(api, payload, message):
    response = api(None).post(URL, payload, format="json", HTTP_ACCEPT="text/csv")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert message in response.json()["detail"]
    assert "Content-Disposition" not in response


def test_the_csv_counts_against_the_bulk_limit(api, settings, certificate):
    _rates(settings, verify_bulk="1/min")
    client = api(None)
    assert _csv(client, [certificate.number]).status_code == 200
    response = _csv(client, [certificate.number])
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "Too many verification requests" in response.json()["detail"]


def test_the_csv_speaks_chinese(api, certificate):
    response = _csv(
        api(None), [certificate.number, "SSB-2026-888888"], HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    header, found, never = _rows(response.content)
    assert header[:6] == ["行", "输入", "证书编号", "结果", "状态", "说明"]
    assert header[6:] == ["持证人", "产品型号", "类别", "有效期至", "核验时间"]
    assert found[3:5] == ["found", "valid"]  # codes, the same in every language
    assert found[5].startswith("有效：签发于") and found[8] == "全固态电池"
    assert never[5].startswith("从未签发过编号为 SSB-2026-888888 的证书")


# --- page -------------------------------------------------------------------------------------


def _page_client(cast, role) -> Client:
    client = Client()
    if role is not None:
        client.force_login(cast[role])
    return client


def _upload(client, content: bytes, **extra):
    file = SimpleUploadedFile("suppliers.csv", content, "text/csv")
    return client.post("/verify/", {"file": file}, **extra)


def _download(response) -> tuple[bytes, str]:
    match = DOWNLOAD.search(response.content.decode())
    assert match, "no download link"
    return base64.b64decode(match[1]), match[2]


@pytest.mark.parametrize("role", ROLES)
def test_the_results_page_offers_the_same_file(api, cast, certificate, role):
    text = f"number\n{certificate.number}\n\nSSB-2026-555555\n=1+2\n"
    response = _upload(_page_client(cast, role), text.encode())
    assert response.status_code == 200
    assert "Download these results (CSV)" in response.content.decode()
    content, name = _download(response)
    header, *rows = _rows(content)
    answer = response.context["answer"]
    assert name == f"verification-{re.sub(r'[^0-9T]', '', answer['checked_at'][:19])}.csv"
    # Line numbers are the file's; every cell as the API's CSV for the same lines says it.
    api_rows = _rows(_csv(api(None), [certificate.number, "SSB-2026-555555", "=1+2"]).content)
    assert header == api_rows[0] == HEADER
    assert [r[0] for r in rows] == ["2", "4", "5"]
    assert [r[1:10] for r in rows] == [r[1:10] for r in api_rows[1:]]
    assert rows[2][1] == "'=1+2"
    assert {r[10] for r in rows} == {answer["checked_at"]}


def test_the_page_download_is_no_second_request(settings, certificate):
    # The file is in the page: nothing to fetch, nothing more counted against the limit.
    _rates(settings, verify_bulk="1/min")
    client = Client()
    response = _upload(client, certificate.number.encode())
    assert response.status_code == 200
    assert _download(response)[0].startswith(BOM)
    assert _upload(client, certificate.number.encode()).status_code == 429


def test_no_download_without_results(client):
    response = _upload(client, b"number\n\n")
    assert response.status_code == 400
    assert "Download these results" not in response.content.decode()
    assert "Download these results" not in client.get("/verify/").content.decode()


def test_the_chinese_page_gives_a_chinese_file(client, certificate):
    response = _upload(client, f"证书编号\r\n{certificate.number}\r\n".encode("gb18030"),
                       HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html and "下载核验结果（CSV）" in html
    header, row = _rows(_download(response)[0])
    assert header[0] == "行" and row[5].startswith("有效：") and row[8] == "全固态电池"
