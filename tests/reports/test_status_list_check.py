"""The portal's own check of a credential file reads the status through the credential's status
lists, and says "status could not be checked" (never valid) when a list cannot be had or read.
The list checks themselves, one bad list per way a list can be bad."""

from __future__ import annotations

import base64
import gzip
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from reports import signing, status_list
from reports.models import StatusListEntry
from reports.status_list import StatusUnchecked
from tests.reports.conftest import change_status

pytestmark = pytest.mark.django_db

API = "/api/v1/documents/verify/"
PAGE = "/verify/document/"
UNCHECKED = "Status could not be checked"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def payload_of(jws: str) -> dict:
    part = jws.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def check(client, token: str):
    return client.post(API, {"file": SimpleUploadedFile("c.jwt", token.encode())})


def resigned(token: str, change) -> str:
    """The credential with its status entries changed, signed again with the portal's key (a
    credential the portal could have signed: the signature holds, the list is the question)."""
    credential = payload_of(token)
    for entry in credential["credentialStatus"]:
        change(entry)
    return signing.sign_credential(credential)


def assert_unchecked(response, reason: str):
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["outcome"] == "genuine"
    assert body["status_list"] == {"checked": False, "reason": reason}
    assert body["certificate"]["status"] == "unchecked"
    assert body["certificate"]["status_display"] == UNCHECKED
    assert body["certificate"]["is_valid"] is False
    assert f"Its status could not be checked: {reason}." in body["message"]
    assert "Valid" not in body["message"] and "valid" not in body["certificate"]["statement"]


# --- the document check ---------------------------------------------------------------------------


def test_the_check_reads_the_status_from_the_lists(
    api, cast, issued, django_capture_on_commit_callbacks
):
    body = check(api(None), issued.credential_jws).json()
    assert body["status_list"] == {"checked": True, "revocation": False, "suspension": False}
    assert (
        "Its status lists say: neither revoked nor suspended. Its status now: Valid."
        in (body["message"])
    )
    change_status(
        cast["reviewer"], issued, "suspended", "Audit.", django_capture_on_commit_callbacks
    )
    body = check(api(None), issued.credential_jws).json()
    assert body["status_list"] == {"checked": True, "revocation": False, "suspension": True}
    assert "Its status lists say: suspended. Its status now: Suspended." in body["message"]
    change_status(cast["reviewer"], issued, "revoked", "Fraud.", django_capture_on_commit_callbacks)
    body = check(api(None), issued.credential_jws).json()
    assert body["status_list"]["revocation"] is True
    assert "Its status lists say: revoked (it has ended for good)." in body["message"]


def test_a_list_the_portal_does_not_publish_is_not_fetched(api, issued):
    token = resigned(
        issued.credential_jws,
        lambda e: e.update(statusListCredential="https://elsewhere.example/lists/1"),
    )
    assert_unchecked(
        check(api(None), token),
        "its status list https://elsewhere.example/lists/1 is not one this portal publishes",
    )


def test_a_list_that_does_not_exist_cannot_be_fetched(api, issued, settings):
    url = f"{settings.SITE_URL}/status-lists/revocation/7"
    token = resigned(issued.credential_jws, lambda e: e.update(statusListCredential=url))
    assert_unchecked(check(api(None), token), f"its status list {url} does not exist")


def test_a_list_that_cannot_be_decoded_is_not_valid(api, issued, monkeypatch):
    monkeypatch.setattr(status_list, "encode", lambda bits: "u" + b64url(b"not gzip at all"))
    assert_unchecked(
        check(api(None), issued.credential_jws), "the list is not GZIP-compressed base64url"
    )


def test_a_malformed_entry_is_not_valid(api, issued):
    token = resigned(issued.credential_jws, lambda e: e.update(statusListIndex="-1"))
    assert_unchecked(check(api(None), token), "a status entry of the credential is malformed")


def test_the_page_says_so_in_its_badge(client, issued):
    token = resigned(
        issued.credential_jws, lambda e: e.update(statusListCredential="https://x.example/1")
    )
    html = client.post(PAGE, {"credential": token}).content.decode()
    assert f'class="badge badge-warning" id="check-badge">{UNCHECKED}<' in html
    assert "badge-pass" not in html


def test_a_credential_from_before_the_lists_is_checked_by_number(api, certificate):
    # A credential signed before the lists (no entries, the site as issuer, a bare kid).
    token = signing.sign_credential(
        {
            "issuer": {"id": "https://ssb.example.cn", "name": "x"},
            "credentialStatus": {"id": "https://ssb.example.cn/s", "type": "CertificateStatusPage"},
            "credentialSubject": {"certificateNumber": certificate.number},
        }
    )
    assert json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "==="))["kid"] == (
        signing.key_id()
    )
    body = check(api(None), token).json()
    assert body["status_list"] is None
    assert body["certificate"]["status"] == "valid"
    assert not StatusListEntry.objects.exists()


# --- one list, every way it can be bad ------------------------------------------------------------


def a_list(*, purpose="revocation", bits: bytes | None = None, encoded=None, **changes) -> dict:
    bits = bytes(status_list.LIST_LENGTH // 8) if bits is None else bits
    subject = {
        "id": "x#list",
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": encoded or "u" + b64url(gzip.compress(bits)),
    }
    return {
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "credentialSubject": subject,
        **changes,
    }


def test_a_good_list_gives_the_bit_at_the_left_most_first_position():
    bits = bytearray(status_list.LIST_LENGTH // 8)
    bits[0] = 0b1000_0000  # index 0
    bits[-1] = 0b0000_0001  # the last index
    jws = signing.sign_credential(a_list(bits=bytes(bits)))
    assert status_list.read_bit(jws, purpose="revocation", index=0) is True
    assert status_list.read_bit(jws, purpose="revocation", index=1) is False
    assert status_list.read_bit(jws, purpose="revocation", index=status_list.LIST_LENGTH - 1)


def other_key_pem() -> str:
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.mark.parametrize(
    ("make", "index", "reason"),
    [
        (lambda: a_list(purpose="suspension"), 0, "the list is not a revocation list"),
        (lambda: a_list(type=["VerifiableCredential"]), 0, "not a BitstringStatusListCredential"),
        (lambda: a_list(bits=bytes(1024)), 0, "the list has 8192 entries, fewer than the 131072"),
        (lambda: a_list(encoded="zABC"), 0, "not multibase base64url"),
        (lambda: a_list(encoded="u!!!"), 0, "not GZIP-compressed base64url"),
        (lambda: a_list(), status_list.LIST_LENGTH, "index 131072 lies outside the list"),
        (
            lambda: a_list(encoded="u" + b64url(gzip.compress(bytes(64 * 1024 * 1024)))),
            0,
            "larger than any status list",
        ),
    ],
    ids=["purpose", "type", "short", "multibase", "base64", "range", "gzip-bomb"],
)
def test_a_bad_list_is_refused_saying_why(make, index, reason):
    jws = signing.sign_credential(make())
    with pytest.raises(StatusUnchecked, match=reason):
        status_list.read_bit(jws, purpose="revocation", index=index)


def test_a_list_signed_by_another_key_is_refused():
    with override_settings(SIGNING_PRIVATE_KEY_PEM=other_key_pem()):
        jws = signing.sign_credential(a_list())
    with pytest.raises(StatusUnchecked, match="signature does not hold: unknown key id"):
        status_list.read_bit(jws, purpose="revocation", index=0)
    header, payload, signature = signing.sign_credential(a_list()).split(".")
    altered = f"{header}.{b64url(json.dumps(a_list(purpose='x')).encode())}.{signature}"
    with pytest.raises(StatusUnchecked, match="signature does not hold: the signature does not"):
        status_list.read_bit(altered, purpose="revocation", index=0)
