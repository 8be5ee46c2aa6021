"""Approval to certificate: issued once with a stable number, signed, lifecycle with reasons."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from certification import services
from certification.exceptions import InvalidInput, InvalidTransition, NotPermitted
from certification.models import Submission
from reports import services as cert_services
from reports import signing
from reports.models import Certificate, CertificateEvent
from tests.reports.conftest import approve_for_issue

pytestmark = pytest.mark.django_db


def test_the_last_approval_issues_one_certificate(issued, api, cast):
    assert issued.status == "valid"
    assert issued.number.startswith(f"SSB-{dt.date.today().year}-")
    assert issued.submission.status == Submission.Status.APPROVED
    assert issued.content["determined_class"]["code"] == "all_solid_state"
    assert issued.content["reviewers"] == ["reviewer", "reviewer2"]
    assert issued.content["permitted_labels"]["zh"]  # the wording the maker may print
    body = api(cast["maker"]).get(f"/api/v1/submissions/{issued.submission_id}/").json()
    assert body["certificate"]["number"] == issued.number
    assert body["certificate"]["status"] == "valid"
    # Issuing again (a retried task) changes nothing.
    assert cert_services.certificate_issue(submission_id=issued.submission_id).pk == issued.pk
    assert Certificate.objects.count() == 1


def test_the_pdf_and_the_signed_credential_agree(issued, api):
    pdf = api(None).get(f"/api/v1/certificates/{issued.number}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == issued.pdf_sha256
    token = api(None).get(f"/api/v1/certificates/{issued.number}/credential/").content.decode()
    credential = signing.verify_credential(token)
    assert issued.pdf_sha256 in str(credential)
    assert issued.number in str(credential)


def test_a_tampered_credential_is_refused(issued):
    header, payload, signature = issued.credential_jws.split(".")
    import base64
    import json

    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["credentialSubject"]["tampered"] = True
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    with pytest.raises(signing.CredentialInvalid, match="altered"):
        signing.verify_credential(f"{header}.{forged}.{signature}")


def test_suspension_needs_a_reviewer_and_a_reason_and_is_recorded(issued, cast):
    with pytest.raises(NotPermitted):
        cert_services.certificate_change_status(
            user=cast["maker"], certificate=issued, new_status="suspended", reason="x"
        )
    with pytest.raises(InvalidInput):
        cert_services.certificate_change_status(
            user=cast["reviewer"], certificate=issued, new_status="suspended", reason=" "
        )
    cert_services.certificate_change_status(
        user=cast["reviewer"], certificate=issued, new_status="suspended", reason="Audit pending."
    )
    issued.refresh_from_db()
    assert issued.status == "suspended"
    event = CertificateEvent.objects.filter(certificate=issued).last()
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        "valid", "suspended", cast["reviewer"], "Audit pending.",
    )  # fmt: skip
    cert_services.certificate_change_status(
        user=cast["reviewer"], certificate=issued, new_status="valid", reason="Audit passed."
    )
    issued.refresh_from_db()
    assert issued.status == "valid"


def test_a_revoked_certificate_stays_revoked_and_its_pdf_is_watermarked(issued, cast, api):
    cert_services.certificate_change_status(
        user=cast["reviewer"], certificate=issued, new_status="revoked", reason="Fraudulent data."
    )
    with pytest.raises(InvalidTransition):
        cert_services.certificate_change_status(
            user=cast["reviewer"], certificate=issued, new_status="valid", reason="oops"
        )
    pdf = api(None).get(f"/api/v1/certificates/{issued.number}/pdf/").content
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() != issued.pdf_sha256  # the stamped re-render


def test_the_holder_may_withdraw_its_certificate(issued, cast, api):
    response = api(cast["maker"]).post(
        f"/api/v1/certificates/{issued.number}/status/",
        {"status": "withdrawn", "reason": "Model discontinued."},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    other = api(cast["other_maker"]).post(
        f"/api/v1/certificates/{issued.number}/status/", {"status": "withdrawn", "reason": "x"}
    )
    assert other.status_code == 404


def test_certificates_expire_after_the_rule_sets_validity(issued):
    assert cert_services.certificates_expire(today=issued.expires_on) == 0
    assert cert_services.certificates_expire(today=issued.expires_on + dt.timedelta(days=1)) == 1
    issued.refresh_from_db()
    assert issued.status == "expired"


def test_a_new_certificate_supersedes_the_products_old_one(
    issued, cast, orgs, django_capture_on_commit_callbacks
):
    second = services.submission_create(
        user=cast["maker"], product=issued.product, claimed_class="all_solid_state", lab=orgs["lab"]
    )
    new = approve_for_issue(second, cast, django_capture_on_commit_callbacks).certificate
    issued.refresh_from_db()
    assert issued.status == "superseded"
    assert issued.superseded_by == new
    assert new.number != issued.number


@pytest.mark.parametrize(
    ("role", "status"),
    [("maker", 200), ("lab", 200), ("reviewer", 200), ("regulator", 200),
     ("other_maker", 404), ("other_lab", 404), ("automaker", 404), (None, 401)],
)  # fmt: skip
def test_certificate_detail_from_each_role(issued, api, cast, role, status):
    assert api(cast.get(role)).get(f"/api/v1/certificates/{issued.number}/").status_code == status
