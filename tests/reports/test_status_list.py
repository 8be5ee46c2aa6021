"""W3C Bitstring Status Lists: entries in every new credential, random indexes never given twice,
the published lists decoded with the standard library, and the bits following the status."""

from __future__ import annotations

import base64
import gzip
import io
import json

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from reports import didweb, signing, status_list
from reports.models import StatusListEntry
from reports.services import certificate_resign
from reports.status_list_models import LIST_LENGTH
from tests.reports.conftest import change_status, make_many_certificates

pytestmark = pytest.mark.django_db


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def payload_of(jws: str) -> dict:
    return json.loads(unb64url(jws.split(".")[1]))


def header_of(jws: str) -> dict:
    return json.loads(unb64url(jws.split(".")[0]))


def entries_of(certificate) -> dict[str, dict]:
    """The credential's status entries by purpose."""
    status = payload_of(certificate.credential_jws)["credentialStatus"]
    return {entry["statusPurpose"]: entry for entry in status}


def bit(client, entry: dict) -> bool:
    """Download the entry's list as anyone would and read its bit with the standard library."""
    path = entry["statusListCredential"].removeprefix("http://127.0.0.1:8000")
    response = client.get(path)
    assert response.status_code == 200, path
    subject = payload_of(response.content.decode())["credentialSubject"]
    assert subject["encodedList"][0] == "u"
    bits = gzip.decompress(unb64url(subject["encodedList"][1:]))
    assert len(bits) * 8 == LIST_LENGTH
    index = int(entry["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"


# --- the credential's entries ------------------------------------------------------------------


def test_an_issued_credential_carries_a_revocation_and_a_suspension_entry(issued):
    credential = signing.verify_credential(issued.credential_jws)
    entries = entries_of(issued)
    assert set(entries) == {"revocation", "suspension"}
    stored = {e.purpose: e for e in StatusListEntry.objects.filter(certificate=issued)}
    for purpose, entry in entries.items():
        url = f"http://127.0.0.1:8000/status-lists/{purpose}/1"
        assert entry == {
            "id": f"{url}#{stored[purpose].list_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": str(stored[purpose].list_index),
            "statusListCredential": url,
            "statusReference": f"http://127.0.0.1:8000/api/v1/verify/{issued.number}/",
        }
    # Issued by the portal's DID; the header names the key as a DID URL within it.
    assert credential["issuer"]["id"] == "did:web:127.0.0.1%3A8000"
    assert header_of(issued.credential_jws)["kid"] == (
        f"did:web:127.0.0.1%3A8000#{signing.key_id()}"
    )


def test_indexes_are_random_distinct_and_independent_per_purpose(product, orgs, cast):
    numbers = make_many_certificates(product, orgs["lab"], cast["maker"], 200)
    from reports.models import Certificate

    for certificate in Certificate.objects.filter(number__in=numbers).order_by("pk"):
        status_list.allocate(certificate)
    by_purpose = {
        purpose: list(
            StatusListEntry.objects.filter(purpose=purpose)
            .order_by("certificate_id")
            .values_list("list_index", flat=True)
        )
        for purpose in ("revocation", "suspension")
    }
    for indexes in by_purpose.values():
        assert len(indexes) == len(set(indexes)) == 200
        # Not in issue order: random draws over 131,072 places are spread and unordered.
        assert indexes != sorted(indexes)
        assert max(indexes) - min(indexes) > LIST_LENGTH // 2
    assert by_purpose["revocation"] != by_purpose["suspension"]


def test_allocating_again_gives_the_same_entries(certificate):
    first = status_list.allocate(certificate)
    assert status_list.allocate(certificate) == first
    assert StatusListEntry.objects.filter(certificate=certificate).count() == 2


def test_an_index_is_never_given_twice(certificate, new_certificate):
    (entry, _) = status_list.allocate(certificate)
    other = new_certificate()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusListEntry.objects.create(
            certificate=other,
            purpose=entry.purpose,
            list_number=entry.list_number,
            list_index=entry.list_index,
        )
    assert not StatusListEntry.objects.filter(certificate=other).exists()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE reports_statuslistentry SET list_index = list_index + 1",
        "UPDATE reports_statuslistentry SET certificate_id = certificate_id",
        "DELETE FROM reports_statuslistentry",
    ],
)
def test_an_entry_is_never_changed_nor_freed(certificate, statement):
    entries = status_list.allocate(certificate)
    before = list(StatusListEntry.objects.values_list("purpose", "list_number", "list_index"))
    with (
        pytest.raises(Exception, match="never changed nor removed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    after = list(StatusListEntry.objects.values_list("purpose", "list_number", "list_index"))
    assert after == before and len(entries) == 2


def test_a_full_list_opens_the_next_one(product, orgs, cast, monkeypatch):
    # A list of 8 places stands in for 131,072: random draws, then the exact draw, then list 2.
    monkeypatch.setattr(status_list, "LIST_LENGTH", 8)
    from reports.models import Certificate

    numbers = make_many_certificates(product, orgs["lab"], cast["maker"], 20)
    for certificate in Certificate.objects.filter(number__in=numbers):
        status_list.allocate(certificate)
    for purpose in ("revocation", "suspension"):
        taken = StatusListEntry.objects.filter(purpose=purpose)
        lists = {
            n: sorted(taken.filter(list_number=n).values_list("list_index", flat=True))
            for n in (1, 2, 3)
        }
        assert lists[1] == lists[2] == list(range(8))
        assert len(lists[3]) == 4 and len(set(lists[3])) == 4


# --- the published lists --------------------------------------------------------------------------


def test_the_list_is_a_signed_bitstring_status_list_credential(client, issued):
    response = client.get("/status-lists/revocation/1")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert "max-age=5" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    jws = response.content.decode()
    listed = signing.verify_credential(jws)
    assert header_of(jws)["kid"] == f"{didweb.did()}#{signing.key_id()}"
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["id"] == "http://127.0.0.1:8000/status-lists/revocation/1"
    assert listed["issuer"]["id"] == didweb.did()
    subject = listed["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    assert subject["ttl"] == 5000
    assert bit(client, entries_of(issued)["revocation"]) is False
    # Revalidation: the same bits answer 304.
    again = client.get("/status-lists/revocation/1", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again["ETag"] == response["ETag"]


@pytest.mark.parametrize(
    "path", ["/status-lists/revocation/2", "/status-lists/refresh/1", "/status-lists/revocation/0"]
)
def test_there_is_no_list_beyond_those_in_use(client, path):
    assert client.get(path).status_code == 404


def test_the_bits_follow_suspension_reinstatement_and_revocation(
    client, issued, cast, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    entries = entries_of(issued)

    def bits():
        return bit(client, entries["revocation"]), bit(client, entries["suspension"])

    assert bits() == (False, False)
    change_status(cast["reviewer"], issued, "suspended", "Audit pending.", capture)
    assert bits() == (False, True)
    change_status(cast["reviewer"], issued, "valid", "Audit passed.", capture)
    assert bits() == (False, False)
    change_status(cast["reviewer"], issued, "revoked", "Fraudulent test data.", capture)
    assert bits() == (True, False)


def test_withdrawn_and_superseded_set_the_revocation_bit(certificate, new_certificate):
    certificate_resign(certificate=certificate)
    other = new_certificate()
    certificate_resign(certificate=other)
    from reports.models import Certificate

    Certificate.objects.filter(pk=certificate.pk).update(status="withdrawn")
    Certificate.objects.filter(pk=other.pk).update(status="expired")
    revoked = set(status_list.set_indexes("revocation", 1))
    entry = StatusListEntry.objects.get(certificate=certificate, purpose="revocation")
    expired = StatusListEntry.objects.get(certificate=other, purpose="revocation")
    assert entry.list_index in revoked and expired.list_index not in revoked


def test_the_list_is_rebuilt_from_the_statuses_with_one_query(
    client, certificate, django_assert_max_num_queries
):
    certificate_resign(certificate=certificate)
    with django_assert_max_num_queries(2):  # the list exists; its set bits
        status_list.published("suspension", 1)


# --- older certificates ---------------------------------------------------------------------------


def test_the_backfill_gives_older_certificates_entries_and_a_new_credential(certificate):
    assert certificate.credential_jws == "x.y.z"  # issued before the lists (a stand-in)
    out = io.StringIO()
    call_command("status_lists_backfill", stdout=out)
    assert "1 credential(s) signed with status entries." in out.getvalue()
    certificate.refresh_from_db()
    credential = signing.verify_credential(certificate.credential_jws)
    assert {e["statusPurpose"] for e in credential["credentialStatus"]} == {
        "revocation",
        "suspension",
    }
    assert credential["credentialSubject"]["conformityCertificate"]["hashDigest"] == (
        certificate.pdf_sha256
    )
    jws = certificate.credential_jws
    call_command("status_lists_backfill", stdout=io.StringIO())  # again: nothing
    certificate.refresh_from_db()
    assert certificate.credential_jws == jws
    assert StatusListEntry.objects.filter(certificate=certificate).count() == 2
