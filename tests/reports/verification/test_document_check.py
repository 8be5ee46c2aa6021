"""Checking a certificate file someone was sent: the PDF exactly as issued, or the signed
credential, with the certificate's live status; anything else is a clear 400. Nothing is stored.

Every certificate here is really issued: WeasyPrint renders its PDF and the portal signs its
credential, as in test_certificate_issue.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from reports import services as cert_services
from reports import signing
from reports.verification import document_check, lookup
from tests.stored import stored_names

pytestmark = pytest.mark.django_db

API = "/api/v1/documents/verify/"
PAGE = "/verify/document/"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
ROLES = [
    "maker", "other_maker", "lab", "other_lab", "reviewer", "reviewer2", "automaker",
    "regulator", None,
]  # fmt: skip
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
OTHER_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def pdf(issued) -> bytes:
    """The PDF exactly as issued."""
    with issued.pdf.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == issued.pdf_sha256
    return data


@pytest.fixture
def credential(issued, api) -> str:
    """The credential as the portal serves it."""
    response = api(None).get(f"/api/v1/certificates/{issued.number}/credential/")
    assert response["Content-Type"] == "application/vc+jwt"
    return response.content.decode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def payload_of(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def check(client, content: bytes, name="certificate.pdf", **extra):
    return client.post(API, {"file": SimpleUploadedFile(name, content)}, **extra)


def check_page(client, content: bytes, name="certificate.pdf", **extra):
    return client.post(PAGE, {"document": SimpleUploadedFile(name, content)}, **extra)


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"verify": "1000/min", "verify_bulk": "1000/min", **rates},
    }


# --- the PDF ----------------------------------------------------------------------------------


def test_the_issued_pdf_is_genuine_and_names_its_certificate(api, issued, pdf):
    response = check(api(None), pdf)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["outcome"], body["kind"]) == ("genuine", "pdf")
    assert body["sha256"] == issued.pdf_sha256 and body["pdf_sha256_matches"] is True
    assert body["message"] == (
        f"This file is the PDF of certificate {issued.number} exactly as the portal issued it. "
        "Its status now: Valid."
    )
    certificate = body["certificate"]
    assert certificate == lookup.verify_number(issued.number)
    assert certificate["status"] == "valid" and certificate["is_valid"] is True
    assert certificate["holder"]["name"] == "Qingdao Solid Cells"
    assert response["Cache-Control"] == "no-store"


def test_the_pdf_with_one_byte_changed_is_not_as_issued(api, pdf):
    middle = len(pdf) // 2
    altered = pdf[:middle] + bytes([pdf[middle] ^ 0x01]) + pdf[middle + 1 :]
    response = check(api(None), altered)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unknown_pdf"
    assert "not a certificate as this portal issued it" in body["detail"]
    assert "altered after issue. Do not rely on it." in body["detail"]
    assert "status watermark" in body["detail"] and "/verify/" in body["detail"]
    assert body["errors"] == [{"row": None, "column": "file", "message": body["detail"]}]


def test_a_revoked_certificates_issued_pdf_is_genuine_and_reads_revoked(
    api, cast, issued, pdf, eager_celery
):
    cert_services.certificate_change_status(
        user=cast["reviewer"], certificate=issued, new_status="revoked", reason="Fraudulent data."
    )
    body = check(api(None), pdf).json()
    assert body["outcome"] == "genuine"
    assert body["message"].endswith("Its status now: Revoked.")
    assert body["certificate"]["status"] == "revoked" and body["certificate"]["is_valid"] is False
    assert "revoked on" in body["certificate"]["statement"]
    assert "Fraudulent data." in body["certificate"]["statement"]
    # The copy downloaded now carries the watermark: not the issued file, and said so.
    stamped = api(None).get(f"/api/v1/certificates/{issued.number}/pdf/").content
    response = check(api(None), stamped)
    assert response.status_code == 400 and response.json()["code"] == "unknown_pdf"


def test_a_pdf_is_found_with_one_query(issued, pdf, django_assert_num_queries):
    with django_assert_num_queries(1):
        answer = document_check.check_document(pdf)
    assert answer["certificate"]["number"] == issued.number


# --- the signed credential --------------------------------------------------------------------


def test_the_issued_credential_is_genuine(api, issued, credential):
    response = check(api(None), credential.encode(), name=f"{issued.number}.jwt")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["outcome"], body["kind"]) == ("genuine", "credential")
    assert body["message"].startswith(
        f"This is the signed credential of certificate {issued.number}"
    )
    assert body["sha256"] == issued.pdf_sha256 and body["pdf_sha256_matches"] is True
    assert "is that of the certificate's PDF as issued" in body["pdf_message"]
    assert body["certificate"]["number"] == issued.number
    assert body["certificate"]["status"] == "valid"


@pytest.mark.parametrize(
    "wrap",
    [
        lambda token: f"\n  {token}\r\n\n",
        lambda token: "\ufeff" + token,  # a BOM, as Notepad saves it
        lambda token: "\n".join(token[i : i + 76] for i in range(0, len(token), 76)),  # e-mail
    ],
    ids=["whitespace", "bom", "wrapped"],
)
def test_the_credential_text_is_read_as_people_save_and_paste_it(api, issued, credential, wrap):
    text = wrap(credential)
    assert check(api(None), text.encode(), name="c.txt").json()["outcome"] == "genuine"
    pasted = api(None).post(API, {"credential": text})
    assert pasted.status_code == 200, pasted.content
    assert pasted.json()["certificate"]["number"] == issued.number


def test_a_credential_with_a_changed_payload_is_refused(api, credential):
    header, _, signature = credential.split(".")
    data = payload_of(credential)
    data["credentialSubject"]["determinedClass"] = "semi_solid"
    forged = f"{header}.{b64url(json.dumps(data).encode())}.{signature}"
    response = check(api(None), forged.encode(), name="c.jwt")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_credential"
    assert "altered after it was signed" in body["detail"]
    assert "the credential was altered" in body["errors"][0]["message"]


def test_a_credential_signed_by_another_key_is_refused(api, credential):
    other = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with override_settings(SIGNING_PRIVATE_KEY_PEM=other.decode()):
        foreign = signing.sign_credential(payload_of(credential))
    response = check(api(None), foreign.encode(), name="c.jwt")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_credential"
    assert "signed with a key this portal has never used" in body["detail"]
    assert "unknown key id" in body["errors"][0]["message"]


def test_a_signed_token_that_is_no_certificate_is_refused(api):
    token = signing.sign_credential({"id": "urn:ssb:not-a-certificate"})
    body = check(api(None), token.encode(), name="c.jwt").json()
    assert body["code"] == "invalid_credential" and "names no certificate number" in body["detail"]


# --- anything else ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "code", "words"),
    [
        (random.Random(7).randbytes(4096), "not_a_certificate_file", "neither a certificate PDF"),
        (b"", "empty_file", "This file is empty"),
        (b" \r\n\t", "empty_file", "This file is empty"),
        (PNG, "not_a_certificate_file", "a PNG image, not a certificate file"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "not_a_certificate_file", "a JPEG image"),
        (OTHER_PDF, "unknown_pdf", "not a certificate as this portal issued it"),
        (b"Certificate SSB-2026-000001, valid.", "not_a_certificate_file", "neither"),
        (b"abc.def.ghi", "invalid_credential", "not a credential of this portal"),
        (None, "file_too_large", "larger than 20 MB"),  # 20 MB and one byte, made in the test
    ],
    ids=["random", "empty", "blank", "png", "jpeg", "other-pdf", "text", "jws-ish", "too-large"],
)
def test_what_is_no_certificate_file_gets_a_clear_400(api, issued, content, code, words):
    if content is None:
        content = b"%PDF-" + bytes(document_check.DOCUMENT_MAX_BYTES - 4)
    response = check(api(None), content, name="upload.bin")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code
    assert words in body["detail"]
    assert set(body) == {"detail", "code", "errors"}


def test_sending_nothing_is_a_clear_400(api):
    response = api(None).post(API, {})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "in the field “file”" in response.json()["detail"]
    assert api(None).post(API, {"file": "x"}, format="json").status_code == 415


# --- the page ---------------------------------------------------------------------------------


def test_the_page_has_the_file_form(client):
    html = client.get("/verify/").content.decode()
    assert 'action="/verify/document/"' in html and 'name="document"' in html
    assert 'name="credential"' in html
    assert client.get(PAGE).status_code == 302


def test_the_page_answers_in_english(client, issued, pdf, credential):
    response = check_page(client, pdf)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The certificate PDF as issued" in html
    assert f"This file is the PDF of certificate {issued.number} exactly as the portal" in html
    assert 'class="badge badge-pass" id="check-badge">Valid<' in html
    assert f'href="/verify/{issued.number}"' in html
    pasted = client.post(PAGE, {"credential": f"  {credential}\n"})
    assert "A genuine signed credential" in pasted.content.decode()
    bad = check_page(client, PNG, name="photo.png")
    assert bad.status_code == 400
    assert "a PNG image, not a certificate file" in bad.content.decode()
    assert "badge-error" in bad.content.decode()
    empty = client.post(PAGE, {})
    assert empty.status_code == 400
    assert "Choose the certificate PDF or credential file" in empty.content.decode()


def test_the_page_answers_in_chinese(client, issued, pdf, credential):
    html = check_page(client, pdf, **ZH).content.decode()
    assert '<html lang="zh-hans">' in html
    assert f"该文件是证书 {issued.number} 的 PDF，与本平台签发时完全一致。当前状态：有效。" in html
    assert "证书 PDF 原件" in html and "Valid" not in html
    header, _, signature = credential.split(".")
    forged = f"{header}.{b64url(b'{}')}.{signature}"
    refused = check_page(client, forged.encode(), name="c.jwt", **ZH)
    assert refused.status_code == 400
    assert "该凭证不可信：签名后被篡改，或并非由本平台签名。" in refused.content.decode()
    changed = pdf[:-10] + bytes([pdf[-10] ^ 0x01]) + pdf[-9:]
    assert "请勿采信" in check_page(client, changed, **ZH).content.decode()


def test_the_api_answers_in_chinese(api, issued, pdf):
    body = check(api(None), pdf, **ZH).json()
    assert body["message"].startswith(f"该文件是证书 {issued.number} 的 PDF")
    assert body["certificate"]["status_display"] == "有效"
    body = check(api(None), PNG, name="p.png", **ZH).json()
    assert "PNG 图片" in body["detail"]


def test_the_page_keeps_its_csrf_check(issued, pdf):
    client = Client(enforce_csrf_checks=True)
    assert check_page(client, pdf).status_code == 403
    client.get("/verify/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        PAGE, {"document": SimpleUploadedFile("c.pdf", pdf), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200


# --- who may, how often, and that nothing is stored -------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_and_anyone_may_check_a_file(api, cast, issued, pdf, credential, role):
    assert check(api(cast.get(role)), pdf).json()["outcome"] == "genuine"
    assert check(api(cast.get(role)), credential.encode()).json()["outcome"] == "genuine"
    client = Client()
    if role is not None:
        client.force_login(cast[role])
    assert check_page(client, pdf).status_code == 200


def test_the_checks_count_against_the_verification_limit(api, settings, issued, pdf):
    _rates(settings, verify="3/min")
    client = api(None)
    assert client.get(f"/api/v1/verify/{issued.number}/").status_code == 200
    assert [check(client, pdf).status_code for _ in range(2)] == [200, 200]
    response = check(client, pdf)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled" and int(response["Retry-After"]) >= 1
    # The page shares the budget of the client's address.
    page = check_page(Client(), pdf)
    assert page.status_code == 429
    assert "Too many verification requests" in page.content.decode()
    assert check(client, pdf, REMOTE_ADDR="10.0.0.2").status_code == 200


def _row_counts() -> dict[str, int]:
    models = [
        *apps.get_app_config("reports").get_models(),
        *apps.get_app_config("certification").get_models(),
    ]
    return {model._meta.label: model.objects.count() for model in models}


def test_a_check_writes_nothing(api, cast, issued, pdf, credential, settings, tmp_path):
    client = Client()
    client.force_login(cast["automaker"])
    media = stored_names()  # the filesystem or the object store the suite runs on
    before = _row_counts()
    with CaptureQueriesContext(connection) as queries:
        for content in (pdf, pdf + b"x", credential.encode(), b"x.y.z", PNG, b""):
            check(api(None), content)
            check_page(client, content)
    assert _row_counts() == before
    statements = [q["sql"].split(None, 1)[0].upper() for q in queries.captured_queries]
    assert set(statements) == {"SELECT"}, statements
    assert stored_names() == media


def test_an_upload_is_held_in_memory_never_in_a_temporary_file(
    api, client, issued, pdf, monkeypatch, settings
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # Django's handlers would spool this to disk

    def no_temporary_file(*args, **kwargs):
        raise AssertionError("the upload was written to a temporary file")

    monkeypatch.setattr("django.core.files.uploadhandler.TemporaryUploadedFile", no_temporary_file)
    assert check(api(None), pdf).json()["outcome"] == "genuine"
    assert check_page(client, pdf).status_code == 200
    # Only the first file of the field is kept; others are read past, not stored.
    response = api(None).post(
        API,
        {
            "file": SimpleUploadedFile("c.pdf", pdf),
            "other": SimpleUploadedFile("o.bin", b"x" * 4096),
            "more": SimpleUploadedFile("m.bin", b"y"),
        },
    )
    assert response.json()["outcome"] == "genuine"
    big = b"%PDF-" + b"\0" * (21 * 1024 * 1024)
    assert check(api(None), big).json()["code"] == "file_too_large"
