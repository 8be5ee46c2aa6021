"""The portal-wide audit log (/audit/, GET /api/v1/audit/): who reads it, each filter, refused
filters, the CSV export, its cost in queries, and the page in Chinese.

The history is made with the real services (uploads, submission, evaluation, two approvals, a
certificate status change, a product registration); volume and dates are AuditEvent rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import parse_qs, urlparse

import pytest

from certification import services
from certification.models import AuditEvent
from reports import services as certificate_services
from tests.certification.audit_events import add_event, add_events, empty_log
from tests.conftest import PRODUCT_FIELDS, make_user
from tests.web.reviewing import (
    ANON,
    LOGIN,
    USERS,
    approve_twice,
    as_user,
    assert_status,
    evaluate,
    make_certificate,
)

pytestmark = pytest.mark.django_db

PAGE = "/audit/"
API = "/api/v1/audit/"
AUDITORS = ("reviewer", "reviewer2", "regulator")
NUMBER = "SSB-2026-000042"
FORMULA_REASON = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def history(cast, submission):
    """A certified submission whose certificate was suspended with a formula-like reason, and
    another maker's product registered: each step through its service."""
    cast["reviewer"].first_name, cast["reviewer"].last_name = "Li", "Wei"
    cast["reviewer"].save(update_fields=["first_name", "last_name"])
    evaluate(submission, cast)
    approve_twice(submission, cast)
    certificate = make_certificate(submission, NUMBER)
    certificate_services.certificate_change_status(
        user=cast["reviewer"], certificate=certificate, new_status="suspended",
        reason=FORMULA_REASON,
    )  # fmt: skip
    other = services.product_create(
        user=cast["other_maker"], **{**PRODUCT_FIELDS, "model_number": "OC-4680-SSB"}
    )
    return {"submission": submission, "certificate": certificate, "other_product": other}


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content[:1000]
    return response.json()["results"]


def actions(response) -> list[str]:
    return [e["action"] for e in results(response)]


def page_html(response) -> str:
    assert response.status_code == 200, response.content[:1000]
    return response.content.decode()


def log_rows(html: str) -> int:
    return html.split('id="audit-log"', 1)[1].count('<tr id="event-')


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


# --- who -----------------------------------------------------------------------------------------

PAGE_EXPECTED = {**dict.fromkeys(USERS, 403), **dict.fromkeys(AUDITORS, 200), ANON: LOGIN}
API_EXPECTED = {**dict.fromkeys(USERS, 403), **dict.fromkeys(AUDITORS, 200), ANON: 401}


@pytest.mark.parametrize("user", [*USERS, ANON])
def test_only_auditors_read_the_page(client, cast, history, user):
    assert_status(as_user(client, cast, user).get(PAGE), PAGE_EXPECTED[user])


@pytest.mark.parametrize("user", [*USERS, ANON])
def test_only_auditors_read_the_api(api, cast, history, user):
    response = api(cast.get(user)).get(API)
    assert response.status_code == API_EXPECTED[user], response.content
    if response.status_code == 200:
        assert response.json()["count"] == AuditEvent.objects.count()
    else:
        assert "events" not in response.json() and "results" not in response.json()


@pytest.mark.parametrize("user", [*USERS, ANON])
def test_only_auditors_download_the_csv(api, cast, history, user):
    response = api(cast.get(user)).get(API, {"format": "csv"})
    assert response.status_code == API_EXPECTED[user]
    if response.status_code != 200:
        assert response["Content-Type"].startswith("application/json")


def test_a_superuser_of_the_certification_body_reads_it(client, orgs, history):
    admin = make_user("admin", orgs["cb"], is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get(PAGE).status_code == 200


def test_a_member_of_the_certification_body_who_is_not_a_reviewer_reads_it(client, orgs, history):
    client.force_login(make_user("clerk", orgs["cb"]))
    assert client.get(PAGE).status_code == 200


@pytest.mark.parametrize("user", ["regulator", "reviewer"])
def test_the_dashboard_links_to_the_log_for_auditors(client, cast, user):
    html = page_html(as_user(client, cast, user).get("/"))
    assert f'href="{PAGE}"' in html


@pytest.mark.parametrize("user", ["maker", "lab", "automaker"])
def test_the_dashboard_does_not_link_to_the_log_for_others(client, cast, user):
    html = page_html(as_user(client, cast, user).get("/"))
    assert f'href="{PAGE}"' not in html


# --- what ----------------------------------------------------------------------------------------


def test_every_event_newest_first(api, cast, history):
    body = results(api(cast["regulator"]).get(API))
    expected = list(AuditEvent.objects.order_by("-at", "-id").values_list("pk", flat=True))
    assert [e["id"] for e in body] == expected
    assert body[0]["action"] == "product.registered"
    assert body[0]["submission"] is None
    assert body[0]["product"]["model_number"] == "OC-4680-SSB"
    assert body[0]["product"]["manufacturer"]["name"] == "Other Cells Co"
    suspended = body[1]
    assert suspended["action"] == "certificate.suspended"
    assert suspended["action_label"] == "Certificate suspended"
    assert suspended["actor"] == "reviewer"
    assert suspended["actor_name"] == "Li Wei"
    assert suspended["organisation"]["name"] == "China Battery Certification Centre"
    assert suspended["certificate"] == NUMBER
    assert suspended["facts"]["reason"] == FORMULA_REASON
    approval = next(e for e in body if e["action"] == "submission.approve")
    assert approval["facts"]["decision"] == "Approve"
    upload = next(e for e in body if e["action"] == "dataset.uploaded")
    assert len(upload["facts"]["sha256"]) == 64
    finished = next(e for e in body if e["action"] == "evaluation.finished")
    assert finished["actor"] is None and finished["organisation"] is None


def test_each_row_of_the_page(client, cast, history):
    submission = history["submission"]
    html = page_html(as_user(client, cast, "regulator").get(PAGE))
    assert log_rows(html) == AuditEvent.objects.count()
    assert "Li Wei" in html and "China Battery Certification Centre" in html
    assert "Certificate suspended" in html and "Approved by a reviewer" in html
    assert "Data uploaded" in html and "Product registered" in html
    assert f'href="/submissions/{submission.pk}/"' in html
    assert f'href="/products/{submission.product_id}/"' in html
    assert f'href="/certificates/{NUMBER}/"' in html
    # A product never submitted is outside the regulator's pages: named, not linked.
    assert "OC-4680-SSB" in html
    assert f'href="/products/{history["other_product"].pk}/"' not in html
    sha = AuditEvent.objects.filter(action="dataset.uploaded").first().detail["sha256"]
    assert f'title="{sha}">{sha[:12]}</code>' in html
    assert "HYPERLINK(&quot;http://evil.example" in html  # escaped, never markup


def test_an_unknown_action_is_shown_as_its_code(api, client, cast, submission):
    add_event(action="lab.recalibrated", submission=submission, product_id=submission.product_id)  # fmt: skip
    body = results(api(cast["regulator"]).get(API))
    assert body[0]["action_label"] == "lab.recalibrated"
    html = page_html(as_user(client, cast, "regulator").get(PAGE))
    assert "lab.recalibrated" in html


# --- filters -------------------------------------------------------------------------------------


def test_filter_by_exact_action(api, cast, history):
    response = api(cast["regulator"]).get(API, {"action": "submission.approve"})
    assert actions(response) == ["submission.approve", "submission.approve"]


def test_filter_by_action_prefix(api, client, cast, history):
    response = api(cast["regulator"]).get(API, {"action": "submission."})
    assert set(actions(response)) == {"submission.submitted", "submission.approve"}
    response = api(cast["regulator"]).get(API, {"action": "certificate."})
    assert actions(response) == ["certificate.suspended"]
    html = page_html(as_user(client, cast, "regulator").get(PAGE, {"action": "certificate."}))
    assert log_rows(html) == 1


def test_a_prefix_needs_its_dot(api, cast, history):
    assert actions(api(cast["regulator"]).get(API, {"action": "certificate"})) == []


def test_filter_by_actor_organisation(api, cast, orgs, history):
    response = api(cast["regulator"]).get(API, {"organisation": orgs["lab"].pk})
    assert actions(response) == ["dataset.uploaded"] * 4
    response = api(cast["regulator"]).get(API, {"organisation": orgs["cb"].pk})
    assert set(actions(response)) == {"submission.approve", "certificate.suspended"}


def test_filter_by_manufacturer(api, client, cast, orgs, history):
    response = api(cast["regulator"]).get(API, {"manufacturer": orgs["other_maker"].pk})
    assert actions(response) == ["product.registered"]
    response = api(cast["regulator"]).get(API, {"manufacturer": orgs["maker"].pk})
    assert len(results(response)) == AuditEvent.objects.count() - 1
    html = page_html(
        as_user(client, cast, "regulator").get(PAGE, {"manufacturer": orgs["other_maker"].pk})
    )
    assert log_rows(html) == 1


def test_filter_by_submission(api, cast, history, submission):
    add_event(action="submission.opened")
    response = api(cast["regulator"]).get(API, {"submission": submission.pk})
    assert len(results(response)) == AuditEvent.objects.filter(submission=submission).count()
    assert {e["submission"] for e in results(response)} == {submission.pk}
    assert results(api(cast["regulator"]).get(API, {"submission": 987654})) == []


def test_filter_by_certificate_number(api, cast, history, submission, orgs):
    """The events naming the certificate, and those of the submission it certifies."""
    stray = add_event(action="certificate.valid", detail={"certificate": NUMBER})
    add_event(action="certificate.valid", detail={"certificate": "SSB-2026-9"})
    body = results(api(cast["regulator"]).get(API, {"certificate": NUMBER}))
    expected = AuditEvent.objects.filter(submission=submission).count() + 1
    assert len(body) == expected
    assert stray.pk in {e["id"] for e in body}
    assert results(api(cast["regulator"]).get(API, {"certificate": "SSB-2026-000000"})) == []


def test_filter_by_days_in_the_portal_time_zone(api, client, cast, submission, settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    utc = dt.UTC
    at = {
        "late_on_the_1st": dt.datetime(2026, 3, 1, 15, 59, tzinfo=utc),  # 23:59 in Shanghai
        "early_on_the_2nd": dt.datetime(2026, 3, 1, 16, 30, tzinfo=utc),  # 00:30 on the 2nd
        "end_of_the_3rd": dt.datetime(2026, 3, 3, 15, 59, 59, tzinfo=utc),
        "on_the_4th": dt.datetime(2026, 3, 3, 16, 0, tzinfo=utc),
    }
    for name, when in at.items():
        add_event(action=f"test.{name}", at=when)
    regulator = api(cast["regulator"])
    assert actions(regulator.get(API, {"from": "2026-03-02", "to": "2026-03-03"})) == [
        "test.end_of_the_3rd",
        "test.early_on_the_2nd",
    ]
    assert actions(regulator.get(API, {"to": "2026-03-01"})) == ["test.late_on_the_1st"]
    assert actions(regulator.get(API, {"from": "2026-03-04"})) == ["test.on_the_4th"]
    assert len(actions(regulator.get(API, {"from": "2026-03-01", "to": "2026-03-01"}))) == 1
    html = page_html(as_user(client, cast, "regulator").get(PAGE, {"from": "2026-03-02", "to": "2026-03-03"}))  # fmt: skip
    assert log_rows(html) == 2


def test_filters_combine(api, cast, orgs, history):
    response = api(cast["regulator"]).get(
        API, {"action": "submission.", "organisation": orgs["cb"].pk, "certificate": NUMBER}
    )
    assert actions(response) == ["submission.approve", "submission.approve"]


# --- refused filters -----------------------------------------------------------------------------

BAD = [
    pytest.param({"from": "2026-13-01"}, "from", id="malformed date"),
    pytest.param({"to": "yesterday"}, "to", id="word for a date"),
    pytest.param({"organisation": "987654"}, "organisation", id="unknown organisation"),
    pytest.param({"organisation": "abc"}, "organisation", id="organisation not an id"),
    pytest.param({"manufacturer": "lab"}, "manufacturer", id="manufacturer not an id"),
    pytest.param({"from": "2026-03-05", "to": "2026-03-01"}, "to", id="from after to"),
    pytest.param({"submission": "abc"}, "submission", id="submission not a number"),
    pytest.param({"certificate": "X" * 40}, "certificate", id="certificate too long"),
]


@pytest.mark.parametrize(("params", "column"), BAD)
def test_a_bad_filter_is_a_clear_400_on_the_api(api, cast, history, params, column):
    response = api(cast["regulator"]).get(API, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert [e["column"] for e in body["errors"]] == [column]
    assert body["detail"]


@pytest.mark.parametrize(("params", "column"), BAD)
def test_a_bad_filter_is_a_clear_400_in_csv_too(api, cast, history, params, column):
    response = api(cast["regulator"]).get(API, {**params, "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"][0]["column"] == column


@pytest.mark.parametrize(
    "params",
    [
        {"from": "0001-01-01", "to": "9999-12-31"},
        {"from": "0001-01-02", "to": "9999-12-30"},
        {"submission": "9" * 25},
        {"organisation": "9" * 25},
        {"manufacturer": "-1"},
        {"action": "x" * 500},
        {"certificate": "SSB\x00"},
    ],
    ids=str,
)
def test_extreme_filters_never_fail(api, client, cast, history, params):
    assert api(cast["regulator"]).get(API, params).status_code in (200, 400)
    assert as_user(client, cast, "regulator").get(PAGE, params).status_code == 200


def test_a_manufacturer_filter_names_a_manufacturer(api, cast, orgs, history):
    response = api(cast["regulator"]).get(API, {"manufacturer": orgs["lab"].pk})
    assert response.status_code == 400


@pytest.mark.parametrize(("params", "column"), BAD)
def test_a_bad_filter_is_a_form_error_on_the_page(client, cast, history, params, column):
    html = page_html(as_user(client, cast, "regulator").get(PAGE, params))
    assert 'class="field-error"' in html
    assert log_rows(html) == 0
    assert "Correct the filters above" in html
    assert 'id="audit-csv"' not in html


def test_the_page_names_a_reversed_range(client, cast):
    html = page_html(
        as_user(client, cast, "regulator").get(PAGE, {"from": "2026-03-05", "to": "2026-03-01"})
    )
    assert "The end date is before the start date." in html


# --- pages of 50 ---------------------------------------------------------------------------------


def bulk_events(submission, cast, count: int, action: str = "dataset.uploaded") -> None:
    add_events(
        AuditEvent(
            action=action, actor=cast["lab"], actor_organisation=cast["lab"].organisation,
            submission=submission, product_id=submission.product_id,
            detail={"sha256": f"{i:064x}", "kind": "weight_loss", "reason": f"row {i}"},
        )
        for i in range(count)
    )  # fmt: skip


def test_the_page_shows_50_a_page_and_its_links_keep_the_filters(client, cast, orgs, submission):
    bulk_events(submission, cast, 60)
    bulk_events(submission, cast, 5, action="certificate.valid")
    as_user(client, cast, "regulator")
    params = {"action": "dataset.", "organisation": orgs["lab"].pk}
    first = page_html(client.get(PAGE, params))
    assert log_rows(first) == 50
    assert "60 events" in first
    next_link = first.split('id="audit-next" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    query = parse_qs(urlparse(next_link).query)
    assert query == {
        "action": ["dataset."],
        "organisation": [str(orgs["lab"].pk)],
        "page": ["2"],
    }
    second = page_html(client.get(PAGE + next_link))
    assert log_rows(second) == 10
    assert 'id="audit-next"' not in second
    previous = second.split('id="audit-previous" href="', 1)[1].split('"', 1)[0]
    assert "action=dataset." in previous and "page=1" in previous
    csv_link = first.split('id="audit-csv" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert csv_link.startswith(API)
    assert parse_qs(urlparse(csv_link).query) == {
        "action": ["dataset."],
        "organisation": [str(orgs["lab"].pk)],
        "format": ["csv"],
    }
    rows = read_csv(client.get(csv_link))
    assert len(rows) == 1 + 60


def test_the_api_pages_with_the_project_pagination(api, cast, submission):
    bulk_events(submission, cast, 60)
    body = api(cast["regulator"]).get(API).json()
    assert body["count"] == 60 and len(body["results"]) == 50 and body["next"]
    assert len(api(cast["regulator"]).get(API, {"page": 2}).json()["results"]) == 10


# --- CSV -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["format", "accept"])
def test_the_csv_export(api, cast, history, how):
    client = api(cast["regulator"])
    if how == "format":
        response = client.get(API, {"format": "csv"})
    else:
        response = client.get(API, HTTP_ACCEPT="text/csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = read_csv(response)
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Event", "When", "Action", "Action code"]
    assert len(body) == AuditEvent.objects.count()
    assert all(len(row) == len(header) for row in body)
    by_action = {row[3]: dict(zip(header, row, strict=True)) for row in body}
    suspended = by_action["certificate.suspended"]
    assert suspended["Reason"] == "'" + FORMULA_REASON  # neutralised
    assert suspended["Certificate number"] == NUMBER
    assert suspended["User"] == "reviewer" and suspended["Name"] == "Li Wei"
    assert suspended["When"].endswith("+08:00")
    assert by_action["submission.approve"]["Decision"] == "Approve"
    assert len(by_action["dataset.uploaded"]["SHA-256"]) == 64
    assert by_action["product.registered"]["Manufacturer"] == "Other Cells Co"


def test_the_csv_neutralises_every_formula_start(api, cast, submission):
    starts = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "plain"]
    for reason in starts:
        add_event(action="submission.reject", submission=submission, product_id=submission.product_id, detail={"reason": reason})  # fmt: skip
    rows = read_csv(api(cast["regulator"]).get(API, {"format": "csv"}))
    reasons = [row[rows[0].index("Reason")] for row in rows[1:]]
    assert sorted(reasons) == sorted(["'" + r for r in starts[:-1]] + ["plain"])


def test_the_csv_streams_a_long_log_in_chunks(api, cast, submission, monkeypatch):
    from certification import selectors

    monkeypatch.setattr(selectors, "AUDIT_EXPORT_CHUNK", 100)
    bulk_events(submission, cast, 450)
    response = api(cast["regulator"]).get(API, {"format": "csv"})
    assert response.streaming
    chunks = iter(response.streaming_content)
    first = next(chunks)
    assert first.startswith(b"\xef\xbb\xbf") and first.count(b"\r\n") == 1  # the header alone
    rest = list(chunks)
    assert len(rest) == 450  # a line at a time, never the whole file at once
    assert len(list(csv.reader(io.StringIO(b"".join(rest).decode(), newline="")))) == 450


def test_the_csv_in_chinese(api, cast, history):
    response = api(cast["regulator"]).get(API, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    rows = read_csv(response)
    assert rows[0][:3] == ["事件", "时间", "操作"]
    assert "证书已暂停" in {row[2] for row in rows[1:]}


# --- cost ----------------------------------------------------------------------------------------

# token (with user and organisation), count, the page of events with who, what and where
API_QUERIES = 3
# session, user, the certificate's submission (the certificate filter), count, the page of
# events, linked submissions, linked products, the two organisation lists of the filter form
PAGE_QUERIES = 9


@pytest.mark.parametrize("count", [3, 60])
def test_the_api_costs_the_same_for_3_as_for_60_events(
    api, cast, history, django_assert_num_queries, count
):
    empty_log()
    bulk_events(history["submission"], cast, count)
    client = api(cast["regulator"])
    with django_assert_num_queries(API_QUERIES):
        response = client.get(API, {"page_size": 100})
    assert len(results(response)) == count


@pytest.mark.parametrize("count", [3, 60])
def test_the_page_costs_the_same_for_3_as_for_60_events(
    client, cast, history, django_assert_num_queries, count
):
    empty_log()
    bulk_events(history["submission"], cast, count)
    as_user(client, cast, "regulator").get(PAGE)
    with django_assert_num_queries(PAGE_QUERIES):
        html = page_html(client.get(PAGE, {"certificate": NUMBER}))
    assert log_rows(html) == min(count, 50)


def test_the_csv_costs_the_same_for_3_as_for_60_events(api, cast, history):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(cast["regulator"])
    counts = []
    for count in (3, 60):
        empty_log()
        bulk_events(history["submission"], cast, count)
        with CaptureQueriesContext(connection) as queries:
            rows = read_csv(client.get(API, {"format": "csv"}))
        assert len(rows) == 1 + count
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- Chinese -------------------------------------------------------------------------------------


def test_the_page_in_chinese(client, cast, history):
    html = page_html(as_user(client, cast, "regulator").get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert '<html lang="zh-hans">' in html
    for chinese in ("审计日志", "证书已暂停", "审核员批准", "下载 CSV", "筛选", "系统", "全部操作"):
        assert chinese in html, chinese
    for english in ("Audit log", "Certificate suspended", "Download as CSV", "All actions"):
        assert english not in html, english


def test_a_form_error_in_chinese(client, cast):
    html = page_html(
        as_user(client, cast, "regulator").get(
            PAGE, {"from": "2026-03-05", "to": "2026-03-01"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    )
    assert "结束日期早于开始日期。" in html


def test_the_log_is_read_only(api, cast):
    assert api(cast["regulator"]).post(API, {}).status_code == 405
    assert api(cast["regulator"]).delete(API).status_code == 405
