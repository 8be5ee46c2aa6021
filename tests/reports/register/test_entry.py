"""A certificate's public entry: the public facts and nothing more, its status history with the
public reasons only, and the current PDF (watermarked once the certificate is not valid)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from reports.verification import lookup
from tests.reports.conftest import change_status
from tests.reports.register.conftest import REINSTATE_REASON, SUSPEND_REASON

pytestmark = pytest.mark.django_db
API = "/api/v1/register/"

# Keys of a register row: what verification and the signed credential already make public.
ROW_KEYS = {
    "number", "status", "status_display", "holder", "model_number", "product_name",
    "determined_class", "determined_class_display", "may_label_solid_state",
    "electrolyte_family", "electrolyte_family_display", "issued_on", "expires_on", "url",
    "verification_url", "pdf_url",
}  # fmt: skip
SECRET_KEYS = ("criteria", "evaluation", "reviewers", "inputs", "claimed_class", "actor", "by")


def walk_keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from walk_keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from walk_keys(inner)


def test_a_row_holds_only_public_fields(client, register):
    rows = client.get(API).json()["results"]
    assert rows and all(set(row) == ROW_KEYS for row in rows)


def test_the_entry_is_the_verification_record_with_history_and_links(client, register):
    number = register.qingdao.number
    entry = client.get(f"{API}{number}/").json()
    verified = lookup.verify_number(number)
    assert {key: entry[key] for key in verified} == verified
    assert entry["electrolyte_family_display"] == "Sulfide"
    assert entry["determined_class_display"] == "All-solid-state battery"
    assert entry["pdf_url"].endswith(f"/api/v1/certificates/{number}/pdf/")
    assert entry["url"].endswith(f"/register/{number}/")
    assert not set(walk_keys(entry)) & set(SECRET_KEYS)
    assert entry["history"] == []  # built through the ORM: no event, not even the issue


def test_the_history_shows_public_reasons_only(client, register):
    history = client.get(f"{API}{register.hybrid.number}/").json()["history"]
    changes = [(c["from_status"], c["to_status"], c["reason"]) for c in history]
    assert changes[-3:] == [
        ("valid", "suspended", SUSPEND_REASON),
        ("suspended", "valid", ""),  # reinstated: the reason is the body's own
        ("valid", "suspended", SUSPEND_REASON),
    ]
    html = client.get(f"/register/{register.hybrid.number}/").content.decode()
    assert SUSPEND_REASON in html and REINSTATE_REASON not in html
    assert "reviewer" not in html  # who changed it is not published


def test_a_lapsed_certificate_reads_expired_with_the_day_it_ended(client, register):
    entry = client.get(f"{API}{register.lapsed.number}/").json()
    assert entry["status"] == "expired" and not entry["is_valid"]
    last = entry["history"][-1]
    expired_on = register.lapsed.expires_on + dt.timedelta(days=1)
    assert (last["to_status"], last["on"]) == ("expired", expired_on.isoformat())


def test_the_entry_page_shows_the_facts_history_and_pdf(client, register):
    response = client.get(f"/register/{register.revoked.number}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "OC-PC60-X" in html and "Other Cells Co" in html and "Composite" in html
    assert "Fraudulent test report" in html  # a revocation's reason is public, as on /verify/
    assert f'href="/api/v1/certificates/{register.revoked.number}/pdf/"' in html
    assert "marked with its status" in html
    assert 'class="badge badge-fail" id="status"' in html


@pytest.mark.parametrize(
    ("number", "status", "words"),
    [
        ("SSB-2026-999999", 404, "has ever been issued"),
        ("not-a-number", 400, "is not a certificate number"),
        ("SSB-2026-000001%00", 400, "is not a certificate number"),
    ],
)
def test_an_unknown_or_malformed_number_says_so(client, number, status, words):
    api = client.get(f"{API}{number}/")
    assert api.status_code == status and words in api.json()["detail"]
    page = client.get(f"/register/{number}/")
    assert page.status_code == status and words in page.content.decode()


needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (make test installs it)"
)


@needs_poppler
def test_the_pdf_linked_from_the_entry_is_watermarked_once_suspended(
    client, issued, cast, django_capture_on_commit_callbacks
):
    number = issued.number
    href = f"/api/v1/certificates/{number}/pdf/"
    assert href in client.get(f"/register/{number}/").content.decode()
    with issued.pdf.open("rb") as stored:
        original = stored.read()
    assert client.get(href).content == original  # valid: the PDF as issued
    history = client.get(f"{API}{number}/").json()["history"]
    assert [(c["from_status"], c["to_status"], c["reason"]) for c in history] == [
        (None, "valid", "")
    ]
    change_status(cast["reviewer"], issued, "suspended", "Audit pending",
                  django_capture_on_commit_callbacks)  # fmt: skip
    html = client.get(f"/register/{number}/").content.decode()
    assert href in html and "marked with its status" in html
    stamped = client.get(href).content
    assert stamped != original
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=stamped, capture_output=True, check=True
    ).stdout.decode()
    assert "SUSPENDED" in text and "Audit pending" in text
