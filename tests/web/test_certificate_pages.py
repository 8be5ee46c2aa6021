"""Certificate pages and status actions, from every member of the cast and anonymous.

Certificates are made through the ORM (tests/web/reviewing.py), so nothing here needs the PDF
renderer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from certification.models import Product, Submission
from reports.models import Certificate, CertificateEvent
from tests.conftest import PRODUCT_FIELDS
from tests.web.reviewing import (
    approve_twice,
    as_user,
    assert_status,
    cases,
    evaluate,
    everyone,
    make_certificate,
)

pytestmark = pytest.mark.django_db

C = Certificate.Status
NUMBER = "SSB-2026-000042"
INVOLVED = ("maker", "lab", "reviewer", "reviewer2", "regulator")
OUTSIDERS = ("other_maker", "other_lab", "automaker")


@pytest.fixture
def certificate(submission, cast):
    return make_certificate(approve_twice(evaluate(submission, cast), cast), NUMBER)


def _page(response) -> str:
    return response.content.decode()


def _status(client, number=NUMBER, status="suspended", reason="Factory audit failed.", **kw):
    return client.post(
        f"/certificates/{number}/status/", {"status": status, "reason": reason}, **kw
    )


# --- who may open and act ------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    expected: dict
    method: str = "get"
    data: Any = None


SEES = everyone(404, **dict.fromkeys(INVOLVED, 200))
PAGES = [
    Page("certificate list", "/certificates/", everyone(200)),
    Page("certificate page", f"/certificates/{NUMBER}/", SEES),
    Page("missing certificate", "/certificates/SSB-2026-999999/", everyone(404)),
    Page(
        "suspend",
        f"/certificates/{NUMBER}/status/",
        # The holder may only withdraw; the lab and the regulator read but do not act.
        everyone(404, reviewer=302, reviewer2=302, maker=403, lab=403, regulator=403),
        "post",
        {"status": "suspended", "reason": "Factory audit failed."},
    ),
    Page(
        "withdraw",
        f"/certificates/{NUMBER}/status/",
        everyone(404, reviewer=302, reviewer2=302, maker=302, lab=403, regulator=403),
        "post",
        {"status": "withdrawn", "reason": "Model discontinued."},
    ),
    Page("status by GET", f"/certificates/{NUMBER}/status/", everyone(405)),
]


@pytest.mark.parametrize(("page", "user", "expected"), cases(PAGES))
def test_certificate_page_access(client: Client, cast, certificate, page, user, expected):
    as_user(client, cast, user)
    response = getattr(client, page.method)(page.url, page.data or {})
    assert_status(response, expected)
    certificate.refresh_from_db()
    changed = page.method == "post" and expected == 302
    assert certificate.status == (page.data["status"] if changed else C.VALID)
    assert certificate.events.count() == (2 if changed else 1)


@pytest.mark.parametrize("user", INVOLVED)
def test_the_involved_find_the_certificate_in_their_list(client, cast, certificate, user):
    page = _page(as_user(client, cast, user).get("/certificates/"))
    assert f'href="/certificates/{NUMBER}/"' in page


@pytest.mark.parametrize("user", OUTSIDERS)
def test_outsiders_find_nothing_in_their_list(client, cast, certificate, user):
    page = _page(as_user(client, cast, user).get("/certificates/"))
    assert NUMBER not in page
    assert "No certificates to show." in page


def test_the_list_filters_by_status(client, cast, certificate):
    client.force_login(cast["reviewer"])
    assert NUMBER in _page(client.get("/certificates/?status=valid"))
    assert NUMBER not in _page(client.get("/certificates/?status=revoked"))


# --- what the page shows ------------------------------------------------------------------------


def test_the_page_states_everything_on_the_certificate(client, cast, certificate):
    page = _page(as_user(client, cast, "maker").get(f"/certificates/{NUMBER}/"))
    content = certificate.content
    assert "Qingdao Solid Cells" in page and "QS-21700-SSB" in page
    assert content["product"]["classification_code"] in page
    assert "all-solid-state battery" in page and "全固态电池" in page
    for wording in content["permitted_labels"]["en"] + content["permitted_labels"]["zh"]:
        assert wording in page
    for wording in content["forbidden_labels"]["en"] + content["forbidden_labels"]["zh"]:
        assert wording in page
    for criterion in content["criteria"]:
        assert criterion["code"] in page
    assert "measured-details" not in page  # the certificate shows headlines, not sample tables
    assert content["ruleset"]["code"] in page and content["ruleset"]["sha256"] in page
    assert content["ruleset"]["standard_id"] in page
    assert "Tianjin Battery Test Centre" in page and "reviewer, reviewer2" in page
    assert certificate.pdf_sha256 in page
    # Downloads: the public PDF, the signed credential, the verification page, offline help.
    assert f'href="/api/v1/certificates/{NUMBER}/pdf/"' in page
    assert f'href="/api/v1/certificates/{NUMBER}/credential/"' in page
    assert f'href="/verify/{NUMBER}"' in page
    assert 'href="/.well-known/ssb-signing-key.pem"' in page
    assert 'href="/docs/verify-offline/"' in page


def test_the_signed_credential_link_serves_the_jws(client, cast, certificate):
    response = client.get(f"/api/v1/certificates/{NUMBER}/credential/")
    assert response.status_code == 200 and response.content == b"x.y.z"


def test_the_offline_guide_and_script_are_served(client):
    guide = client.get("/docs/verify-offline/")
    assert guide.status_code == 200
    assert guide["Content-Type"].startswith("text/plain")
    assert "openssl" in _page(guide)
    script = client.get("/docs/verify_certificate_offline.sh")
    assert script.status_code == 200
    assert b"openssl" in b"".join(script.streaming_content)


@pytest.mark.parametrize(
    ("user", "offered"),
    [
        ("reviewer", {"suspended", "withdrawn", "revoked"}),
        ("maker", {"withdrawn"}),
        ("lab", set()),
        ("regulator", set()),
    ],
)
def test_each_role_is_offered_its_own_status_actions(client, cast, certificate, user, offered):
    page = _page(as_user(client, cast, user).get(f"/certificates/{NUMBER}/"))
    shown = {
        s for s in ("valid", "suspended", "withdrawn", "revoked") if f"status-action-{s}" in page
    }
    assert shown == offered
    if user == "maker":
        assert "Withdraw our certificate" in page


def test_the_submission_page_shows_the_certificate_box(client, cast, certificate):
    page = _page(as_user(client, cast, "lab").get(f"/submissions/{certificate.submission_id}/"))
    assert 'id="certificate"' in page
    assert f'href="/certificates/{NUMBER}/"' in page
    assert f'href="/api/v1/certificates/{NUMBER}/pdf/"' in page
    assert f'href="/api/v1/certificates/{NUMBER}/credential/"' in page
    assert f'href="/verify/{NUMBER}"' in page


def test_the_maker_dashboard_lists_its_certificates(client, cast, certificate):
    page = _page(as_user(client, cast, "maker").get("/"))
    assert "Your certificates" in page and f'href="/certificates/{NUMBER}/"' in page
    client.force_login(cast["other_maker"])
    page = _page(client.get("/"))
    assert NUMBER not in page and "No certificates yet." in page


# --- status changes from the page ---------------------------------------------------------


def test_a_reviewer_suspends_and_reinstates(client, cast, certificate):
    client.force_login(cast["reviewer"])
    response = _status(client, reason="Factory audit found a changed electrolyte supplier.")
    assert response.status_code == 302
    assert response["Location"] == f"/certificates/{NUMBER}/#status"
    certificate.refresh_from_db()
    assert certificate.status == C.SUSPENDED
    event = certificate.events.last()
    assert (event.from_status, event.to_status, event.actor) == (
        "valid",
        "suspended",
        cast["reviewer"],
    )
    assert event.reason == "Factory audit found a changed electrolyte supplier."

    page = _page(client.get(response["Location"]))
    assert f"Certificate {NUMBER} is now Suspended." in page
    assert "This certificate is Suspended." in page
    assert "Factory audit found a changed electrolyte supplier." in page
    assert "status-action-valid" in page and "status-action-suspended" not in page

    _status(client, status="valid", reason="Supplier change re-tested and accepted.")
    certificate.refresh_from_db()
    assert certificate.status == C.VALID
    assert list(certificate.events.values_list("to_status", flat=True)) == [
        "valid",
        "suspended",
        "valid",
    ]


def test_the_holder_withdraws_its_certificate(client, cast, certificate):
    client.force_login(cast["maker"])
    response = _status(client, status="withdrawn", reason="Model discontinued.", follow=True)
    assert f"Certificate {NUMBER} is now Withdrawn." in _page(response)
    certificate.refresh_from_db()
    assert certificate.status == C.WITHDRAWN
    assert certificate.events.last().actor == cast["maker"]
    # Withdrawn is final: nothing more is offered, to the holder or to a reviewer.
    assert "status-action-" not in _page(response)
    client.force_login(cast["reviewer"])
    assert "status-action-" not in _page(client.get(f"/certificates/{NUMBER}/"))


@pytest.mark.parametrize(("user", "status"), [("reviewer", "suspended"), ("maker", "withdrawn")])
@pytest.mark.parametrize("reason", ["", "   "])
def test_a_status_change_without_a_reason_changes_nothing(
    client, cast, certificate, user, status, reason
):
    as_user(client, cast, user)
    response = _status(client, status=status, reason=reason)
    assert response.status_code == 302 and response["Location"] == f"/certificates/{NUMBER}/"
    page = _page(client.get(response["Location"]))
    assert "A status change needs a written reason." in page and "message-error" in page
    certificate.refresh_from_db()
    assert certificate.status == C.VALID and certificate.events.count() == 1


def test_the_holder_may_not_suspend_or_revoke(client, cast, certificate):
    client.force_login(cast["maker"])
    for status in ("suspended", "revoked", "valid"):
        assert _status(client, status=status).status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == C.VALID and certificate.events.count() == 1


def test_a_revoked_certificate_cannot_be_reinstated(client, cast, certificate):
    client.force_login(cast["reviewer"])
    _status(client, status="revoked", reason="Falsified test data.")
    response = _status(client, status="valid", reason="Appeal.", follow=True)
    assert "cannot become" in _page(response)
    certificate.refresh_from_db()
    assert certificate.status == C.REVOKED and certificate.events.count() == 2


def test_an_unknown_status_is_refused(client, cast, certificate):
    client.force_login(cast["reviewer"])
    for status in ("expired", "superseded", "lost"):
        response = _status(client, status=status, follow=True)
        assert "message-error" in _page(response)
    certificate.refresh_from_db()
    assert certificate.status == C.VALID and certificate.events.count() == 1


@pytest.mark.parametrize("user", OUTSIDERS)
def test_outsiders_cannot_touch_a_certificate(client, cast, certificate, user):
    as_user(client, cast, user)
    for status in ("suspended", "withdrawn", "revoked"):
        assert _status(client, status=status).status_code == 404
    assert CertificateEvent.objects.count() == 1


def test_another_makers_certificate_is_not_the_holders_to_withdraw(client, cast, orgs):
    other_product = Product.objects.create(
        manufacturer=orgs["other_maker"],
        created_by=cast["other_maker"],
        **{**PRODUCT_FIELDS, "model_number": "OTHER-1"},
    )
    submission = Submission.objects.create(
        product=other_product,
        claimed_class="all_solid_state",
        lab=orgs["lab"],
        created_by=cast["other_maker"],
    )
    cast_for_other = {**cast, "maker": cast["other_maker"]}
    other = make_certificate(
        approve_twice(evaluate(submission, cast_for_other), cast), "SSB-2026-000043"
    )
    client.force_login(cast["maker"])
    assert _status(client, number=other.number, status="withdrawn").status_code == 404
    other.refresh_from_db()
    assert other.status == C.VALID


def test_a_status_change_needs_the_csrf_token(cast, certificate):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["reviewer"])
    assert _status(client).status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == C.VALID
