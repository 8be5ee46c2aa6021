"""Watching many certificates at once: POST /api/v1/watchlist/bulk/ and the CSV upload on
/watchlist/, from every role.

All or nothing: a list with any malformed or never-issued line adds nothing and names every such
line with the bulk verification's own message. Only automakers may add; another automaker's
watchlist is never touched or shown.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certification.models import Organisation
from reports import watchlist
from reports.models import Certificate, WatchedCertificate
from reports.verification import bulk, lookup
from tests.conftest import make_org, make_user
from tests.reports.conftest import make_many_certificates

pytestmark = pytest.mark.django_db

C = Certificate.Status
URL = "/api/v1/watchlist/bulk/"
OTHERS = ["maker", "other_maker", "lab", "other_lab", "reviewer", "reviewer2", "regulator"]


@pytest.fixture
def rival(orgs):
    """A user of another automaker."""
    return make_user("rival", make_org("Other Motors", Organisation.Kind.AUTOMAKER))


@pytest.fixture
def suppliers(new_certificate):
    """Certificates in every status a supplier's certificate may have when it is added."""
    today = timezone.localdate()
    changed = {"status_changed_at": timezone.now()}
    return {
        "valid": new_certificate(),
        "valid2": new_certificate(),
        "revoked": new_certificate(status=C.REVOKED, status_reason="unsafe", **changed),
        "withdrawn": new_certificate(status=C.WITHDRAWN, status_reason="discontinued", **changed),
        "expired": new_certificate(
            issued_on=today - dt.timedelta(days=400), expires_on=today - dt.timedelta(days=1)
        ),
    }


def _post(client, payload, **extra):
    return client.post(URL, payload, format="json", **extra)


# --- API --------------------------------------------------------------------------------------


def test_an_automaker_watches_many_certificates_at_once(api, cast, suppliers):
    numbers = [c.number for c in suppliers.values()]
    response = _post(api(cast["automaker"]), {"numbers": numbers, "note": " pack supplier "})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["added"] == 5 and body["already_watched"] == 0
    assert [e["number"] for e in body["entries"]] == numbers
    assert [e["line"] for e in body["entries"]] == [1, 2, 3, 4, 5]
    assert {e["outcome"] for e in body["entries"]} == {"added"}
    # A certificate that existed may be watched whatever its status, and the answer says it.
    statuses = [e["certificate"]["status"] for e in body["entries"]]
    assert statuses == ["valid", "valid", "revoked", "withdrawn", "expired"]
    assert "revoked on" in body["entries"][2]["certificate"]["statement"]
    rows = WatchedCertificate.objects.filter(organisation=cast["automaker"].organisation)
    assert rows.count() == 5
    assert set(rows.values_list("note", flat=True)) == {"pack supplier"}
    assert set(rows.values_list("added_by", flat=True)) == {cast["automaker"].pk}
    listing = api(cast["automaker"]).get("/api/v1/watchlist/").json()
    assert listing["count"] == 5


def test_already_watched_and_repeated_numbers_count_once(api, cast, suppliers):
    client = api(cast["automaker"])
    first, _ = watchlist.watch_add(
        user=cast["automaker"], number=suppliers["valid"].number, note="first note"
    )
    numbers = [
        suppliers["valid"].number,
        suppliers["valid2"].number,
        f"  {suppliers['valid2'].number.lower()} ",  # the same certificate, typed differently
        suppliers["valid2"].number,
    ]
    response = _post(client, {"numbers": numbers, "note": "second note"})
    assert response.status_code == 201
    body = response.json()
    assert (body["added"], body["already_watched"]) == (1, 1)
    assert [(e["line"], e["outcome"]) for e in body["entries"]] == [
        (1, "already_watched"),
        (2, "added"),
    ]
    assert body["entries"][0]["id"] == first.pk and body["entries"][0]["note"] == "first note"
    assert WatchedCertificate.objects.count() == 2
    first.refresh_from_db()
    assert first.note == "first note"  # an entry already there is left as it is
    again = _post(client, {"numbers": numbers})
    assert again.status_code == 200
    assert (again.json()["added"], again.json()["already_watched"]) == (0, 2)
    assert WatchedCertificate.objects.count() == 2


def test_one_bad_line_adds_nothing_and_every_bad_line_is_named(api, cast, suppliers):
    watchlist.watch_add(user=cast["automaker"], number=suppliers["valid"].number)
    before = WatchedCertificate.objects.count()
    numbers = [
        suppliers["valid2"].number,
        "banana",
        "SSB-2026-999999",
        suppliers["revoked"].number,
        "",
        12345,
        "=HYPERLINK(1)",
    ]
    response = _post(api(cast["automaker"]), {"numbers": numbers})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "numbers_rejected"
    assert body["detail"].startswith("Nothing was added: 5 lines are not numbers of certificates")
    # The same words as the bulk verification, line by line.
    said = {r["line"]: r["message"] for r in bulk.verify_many(numbers)["results"]}
    assert [(e["row"], e["column"]) for e in body["errors"]] == [
        (2, "number"),
        (3, "number"),
        (5, "number"),
        (6, "number"),
        (7, "number"),
    ]
    assert all(e["message"] == said[e["row"]] for e in body["errors"])
    assert "“banana” is not a certificate number" in body["errors"][0]["message"]
    assert "SSB-2026-999999 has ever been issued" in body["errors"][1]["message"]
    assert WatchedCertificate.objects.count() == before


def test_a_single_bad_line_is_said_in_the_singular(api, cast, suppliers):
    response = _post(api(cast["automaker"]), {"numbers": [suppliers["valid"].number, "x"]})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Nothing was added: 1 line is not the number")
    assert not WatchedCertificate.objects.exists()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"numbers": "SSB-2026-000001"}, "list of certificate numbers"),
        ({"number": ["SSB-2026-000001"]}, "list of certificate numbers"),
        (["SSB-2026-000001"], "list of certificate numbers"),
        ({"numbers": []}, "The list of numbers is empty."),
        ({"numbers": ["SSB-2026-000001"] * 1001}, "at most 1,000 numbers"),
        ({"numbers": ["SSB-2026-000001"], "note": "x" * 201}, "at most 200 characters"),
        ({"numbers": ["SSB-2026-000001"], "note": ["x"]}, "at most 200 characters"),
    ],
    ids=["string", "wrong-key", "bare-list", "empty", "1001", "long-note", "note-not-text"],
)
def test_bad_requests_are_400_with_a_message_and_add_nothing(
    api, cast, certificate, payload, message
):
    watchlist.watch_add(user=cast["automaker"], number=certificate.number)
    response = _post(api(cast["automaker"]), payload)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert WatchedCertificate.objects.count() == 1


def test_1000_numbers_are_taken_and_a_body_that_is_not_json_is_refused(api, cast, product, orgs):
    numbers = make_many_certificates(product, orgs["lab"], cast["maker"], 1000)
    client = api(cast["automaker"])
    response = _post(client, {"numbers": numbers})
    assert response.status_code == 201 and response.json()["added"] == 1000
    assert client.post(URL, {"numbers": numbers[0]}).status_code == 415  # multipart
    bad_json = client.post(URL, "{not json", content_type="application/json")
    assert bad_json.status_code == 400
    assert WatchedCertificate.objects.count() == 1000


def test_it_takes_as_many_queries_for_300_numbers_as_for_3(api, cast, product, orgs):
    numbers = make_many_certificates(product, orgs["lab"], cast["maker"], 303)
    client = api(cast["automaker"])
    # Half of the 300 already watched, so that both the insert and the "already" path run.
    watchlist.watch_add_many(user=cast["automaker"], numbers=numbers[3:153])
    counts = []
    for batch in (numbers[:3], numbers[3:]):
        with CaptureQueriesContext(connection) as queries:
            response = _post(client, {"numbers": batch})
        assert response.status_code == 201, response.content[:300]
        counts.append(len(queries))
    # The token with its user; the public records; then, in a transaction (savepoint and
    # release here), the certificates with whether each is watched, the insert, the audit
    # event (the chain's lock, its head, the insert), the entries.
    assert counts == [10, 10]
    assert WatchedCertificate.objects.count() == 303


@pytest.mark.parametrize("role", OTHERS)
def test_only_automakers_add_many(api, cast, certificate, role):
    response = _post(api(cast[role]), {"numbers": [certificate.number]})
    assert response.status_code == 403
    assert "Only automakers" in response.json()["detail"]
    assert not WatchedCertificate.objects.exists()


def test_anonymous_visitors_must_log_in_to_add_many(api, certificate):
    response = _post(api(None), {"numbers": [certificate.number]})
    assert response.status_code == 401
    assert not WatchedCertificate.objects.exists()


def test_another_automakers_watchlist_is_untouched_and_invisible(api, cast, rival, suppliers):
    mine, _ = watchlist.watch_add(
        user=cast["automaker"], number=suppliers["valid"].number, note="secret supplier"
    )
    numbers = [suppliers["valid"].number, suppliers["valid2"].number]
    response = _post(api(rival), {"numbers": numbers, "note": "rival"})
    assert response.status_code == 201
    body = response.json()
    # The rival's own entries: the automaker watching one of them is not said, nor its note.
    assert (body["added"], body["already_watched"]) == (2, 0)
    assert mine.pk not in {e["id"] for e in body["entries"]}
    assert "secret supplier" not in response.content.decode()
    mine.refresh_from_db()
    assert mine.note == "secret supplier" and mine.added_by == cast["automaker"]
    mine_listing = api(cast["automaker"]).get("/api/v1/watchlist/").json()
    assert [e["id"] for e in mine_listing["results"]] == [mine.pk]
    assert api(rival).get("/api/v1/watchlist/").json()["count"] == 2
    # A rejected list by the rival leaves both lists as they were.
    assert _post(api(rival), {"numbers": [suppliers["revoked"].number, "bad"]}).status_code == 400
    assert WatchedCertificate.objects.count() == 3


def test_the_rejection_is_said_in_chinese(api, cast, suppliers):
    response = _post(
        api(cast["automaker"]),
        {"numbers": [suppliers["valid"].number, "SSB-2026-999999"]},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("未添加任何证书")
    assert "从未签发过编号为 SSB-2026-999999 的证书" in body["errors"][0]["message"]
    assert not WatchedCertificate.objects.exists()


# --- page -------------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _upload(client, content: bytes, note: str = "", **extra):
    file = SimpleUploadedFile("suppliers.csv", content, "text/csv")
    return client.post("/watchlist/bulk/", {"bulk-file": file, "bulk-note": note}, **extra)


def test_the_watchlist_page_offers_the_upload(cast):
    html = _client(cast["automaker"]).get("/watchlist/").content.decode()
    assert 'action="/watchlist/bulk/"' in html and 'name="bulk-file"' in html
    assert 'enctype="multipart/form-data"' in html


def test_an_automaker_uploads_a_csv_of_certificates(cast, suppliers):
    client = _client(cast["automaker"])
    watchlist.watch_add(user=cast["automaker"], number=suppliers["valid2"].number)
    text = "证书编号,供应商\r\n" + "".join(f"{c.number},某供应商\r\n" for c in suppliers.values())
    response = _upload(client, text.encode("gb18030"), note="电芯")  # Excel in a Chinese locale
    assert response.status_code == 302 and response["Location"] == "/watchlist/"
    html = client.get("/watchlist/").content.decode()
    assert "4 certificates added to your watchlist." in html
    assert "1 certificate was already on your watchlist." in html
    assert "3 of them are not valid now (Revoked: 1, Withdrawn: 1, Expired: 1)" in html
    for certificate in suppliers.values():
        assert certificate.number in html
    assert WatchedCertificate.objects.count() == 5
    assert WatchedCertificate.objects.filter(note="电芯").count() == 4
    again = client.post(
        "/watchlist/bulk/",
        {"bulk-file": SimpleUploadedFile("s.csv", text.encode("gb18030"), "text/csv")},
        follow=True,
    ).content.decode()
    assert "5 certificates were already on your watchlist." in again
    assert "added to your watchlist" not in again
    assert WatchedCertificate.objects.count() == 5


def test_an_upload_with_bad_lines_adds_nothing_and_lists_them(cast, suppliers):
    client = _client(cast["automaker"])
    watchlist.watch_add(user=cast["automaker"], number=suppliers["revoked"].number)
    text = f"number\n{suppliers['valid'].number}\nbanana\n\nSSB-2026-999999\n{suppliers['valid2'].number}\n"
    response = _upload(client, text.encode())
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was added: 2 lines are not numbers of certificates" in html
    assert "Correct these 2 lines and upload the file again" in html
    rejected = response.context["rejected"]
    assert [(e.row, e.message) for e in rejected] == [
        (3, lookup.malformed_message("banana")),
        (5, lookup.never_issued_message("SSB-2026-999999")),
    ]
    assert '<td class="num">3</td>' in html and '<td class="num">5</td>' in html
    assert WatchedCertificate.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        (b"number\n\n\n", "no certificate numbers"),
        (b"\n".join([b"SSB-2026-000001"] * 1001), "check at most 1,000 at once"),
        (b"x" * (300 * 1024), "too large"),
        (b"\xff\xfe\xfa\xfb" * 3, "not UTF-8 text"),
    ],
    ids=["binary", "empty", "1001-lines", "huge", "not-text"],
)
def test_a_bad_csv_gets_a_clear_message_and_adds_nothing(cast, certificate, content, message):
    watchlist.watch_add(user=cast["automaker"], number=certificate.number)
    response = _upload(_client(cast["automaker"]), content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert WatchedCertificate.objects.count() == 1


def test_uploading_nothing_is_a_form_error(cast):
    response = _client(cast["automaker"]).post("/watchlist/bulk/", {})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not WatchedCertificate.objects.exists()


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_get_403_on_the_upload(cast, certificate, role):
    response = _upload(_client(cast[role]), certificate.number.encode())
    assert response.status_code == 403
    assert not WatchedCertificate.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in_for_the_upload(certificate):
    response = _upload(Client(), certificate.number.encode())
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not WatchedCertificate.objects.exists()


def test_the_upload_is_a_post(cast):
    assert _client(cast["automaker"]).get("/watchlist/bulk/").status_code == 405


def test_a_rivals_upload_leaves_the_automakers_page_alone(cast, rival, suppliers):
    watchlist.watch_add(
        user=cast["automaker"], number=suppliers["valid"].number, note="secret supplier"
    )
    content = f"{suppliers['valid'].number}\n{suppliers['valid2'].number}\n".encode()
    rival_client = _client(rival)
    assert _upload(rival_client, content, note="rival").status_code == 302
    html = rival_client.get("/watchlist/").content.decode()
    assert "2 certificates added to your watchlist." in html
    assert "secret supplier" not in html
    mine = _client(cast["automaker"]).get("/watchlist/").content.decode()
    assert suppliers["valid2"].number not in mine and "rival" not in mine
    assert (
        WatchedCertificate.objects.filter(organisation=cast["automaker"].organisation).count() == 1
    )


def test_the_upload_speaks_chinese(cast, suppliers):
    client = _client(cast["automaker"])
    page = client.get("/watchlist/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "批量关注" in page
    content = f"{suppliers['valid'].number}\n{suppliers['revoked'].number}\n".encode()
    response = _upload(client, content, HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True)
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "已将 2 份证书加入关注列表。" in html
    assert "其中 1 份证书当前无效（已撤销：1）" in html
    response = _upload(client, b"SSB-2026-999999\n", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.status_code == 400
    assert "未添加任何证书" in html and "请更正" in html
