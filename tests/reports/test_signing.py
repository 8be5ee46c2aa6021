"""The signed credential: signed in Python, checked in Python and by the real openssl binary."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import stat
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from reports import signing
from reports.signing import CredentialInvalid

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "verify_certificate_offline.sh"
PDF = b"%PDF-1.7\n% a stand-in for the certificate PDF\n%%EOF\n"
ALTERED = "the signature does not match: the credential was altered or not issued by this portal"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pem_of(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def credential(**overrides) -> dict:
    fields = {
        "number": "SSB-2026-00042",
        "issuer_url": "https://ssb.example.cn",
        "holder": {"id": "https://ssb.example.cn/organisations/7", "name": "Qingdao Cells Co."},
        "product": {
            "name": "QC-SSB 60 Ah pouch cell",
            "model_number": "QC-60S",
            "electrolyte_family": "sulfide",
            "conducting_ion": "lithium",
            "rated_capacity_ah": Decimal("60.0"),
        },
        "assessment": {
            "verdict": "certifiable",
            "determined_class": "all_solid_state",
            "certifiable": True,
            "may_label_solid_state": True,
            "claim_supported": True,
            "classification_code": "SSB-A-S-Li",
            "labels": {
                "permitted": {"en": ["All-solid-state battery"], "zh": ["全固态电池"]},
                "forbidden": {"en": ["Semi-solid-state battery"], "zh": ["半固态电池"]},
            },
            "criteria": [
                {
                    "code": "weight_loss",
                    "outcome": "pass",
                    "measured": {"max_loss_pct": "0.12", "sample_count": 5},
                    "limit": "0.5",
                    "comparator": "<=",
                    "unit": "%",
                    "message": "Vacuum weight loss passes.",
                },
                {
                    "code": "energy_density",
                    "outcome": "pass",
                    "measured": {"min_wh_per_kg": "352.1"},
                    "limit": "300",
                    "comparator": ">=",
                    "unit": "Wh/kg",
                    "message": "Energy density passes.",
                },
            ],
            "reviewer": "Li Wei",
        },
        "ruleset": {
            "code": "gbt-ssb-2026",
            "version": 1,
            "standard_id": "GB/T SSB-2026",
            "title": "Solid-state batteries for electric vehicles",
            "effective_from": dt.date(2026, 1, 1),
            "effective_until": None,
        },
        "lab": {"name": "Tianjin Battery Test Centre", "accreditation_number": "CNAS L01234"},
        "issued_at": dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC),
        "valid_from": dt.date(2026, 3, 2),
        "valid_until": dt.date(2029, 3, 2),
        "pdf_sha256": hashlib.sha256(PDF).hexdigest(),
        "verification_url": "https://ssb.example.cn/verify/SSB-2026-00042/",
        "status_url": "https://ssb.example.cn/api/v1/certificates/SSB-2026-00042/status/",
    }
    return signing.build_credential(**{**fields, **overrides})


def run_offline(tmp_path: Path, token: str, key_pem: bytes, pdf: bytes | None = None):
    (tmp_path / "certificate.jwt").write_text(token + "\n")
    (tmp_path / "key.pem").write_bytes(key_pem)
    args = [str(SCRIPT), str(tmp_path / "certificate.jwt"), str(tmp_path / "key.pem")]
    if pdf is not None:
        (tmp_path / "certificate.pdf").write_bytes(pdf)
        args.append(str(tmp_path / "certificate.pdf"))
    return subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)


def with_payload(token: str, payload: bytes) -> str:
    header, _, signature = token.split(".")
    return f"{header}.{b64url(payload)}.{signature}"


def change_class(token: str) -> str:
    """The token with one character of the payload changed: the class it certifies."""
    payload = unb64url(token.split(".")[1])
    altered = payload.replace(b'"all_solid_state"', b'"all_solid_statf"')
    assert altered != payload and len(altered) == len(payload)
    return with_payload(token, altered)


def signed_by_another_key(cred: dict) -> tuple[str, bytes]:
    """A token signed by a fresh key that is not the portal's, and that key's public PEM."""
    with override_settings(SIGNING_PRIVATE_KEY_PEM=pem_of(Ed25519PrivateKey.generate())):
        return signing.sign_credential(cred), signing.public_key_pem()


# --- the credential ---------------------------------------------------------------------------


def test_the_credential_is_a_vc2_untp_conformity_credential():
    cred = credential()

    assert cred["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://test.uncefact.org/vocabulary/untp/dcc/0.5.0/",
    ]
    assert cred["type"] == ["VerifiableCredential", "DigitalConformityCredential"]
    assert cred["id"] == "https://ssb.example.cn/verify/SSB-2026-00042/"
    assert cred["issuer"]["id"] == "https://ssb.example.cn"
    assert cred["validFrom"] == "2026-03-02T00:00:00+08:00"
    assert cred["validUntil"] == "2029-03-02T00:00:00+08:00"
    assert cred["credentialStatus"]["id"].endswith("/SSB-2026-00042/status/")
    subject = cred["credentialSubject"]
    assert subject["type"] == ["ConformityAttestation"]
    assert subject["issuedAt"] == "2026-03-02T17:30:00+08:00"
    assert subject["issuedToParty"]["name"] == "Qingdao Cells Co."
    assert subject["scope"]["ruleSet"] == "gbt-ssb-2026"
    assert subject["scope"]["ruleSetVersion"] == 1
    assert subject["determinedClass"] == "all_solid_state"
    assert subject["labels"]["permitted"]["zh"] == ["全固态电池"]
    assert subject["labels"]["forbidden"]["en"] == ["Semi-solid-state battery"]
    assert subject["conformityDecision"]["certified"] is True
    assert subject["conformityCertificate"]["hashDigest"] == hashlib.sha256(PDF).hexdigest()
    weight_loss = subject["assessment"][0]
    assert weight_loss["outcome"] == "pass"
    assert weight_loss["conformance"] is True
    assert weight_loss["measuredValues"] == {"max_loss_pct": "0.12", "sample_count": 5}
    threshold = weight_loss["assessmentCriterion"][0]["thresholdValues"][0]
    assert threshold["metricValue"] == {"value": "0.5", "unit": "%"}
    assert weight_loss["assessedProduct"][0]["characteristics"]["rated_capacity_ah"] == "60.0"
    assert weight_loss["auditor"]["accreditationNumber"] == "CNAS L01234"
    assert json.loads(json.dumps(cred)) == cred  # plain JSON values only


def test_it_refuses_naive_datetimes_and_a_malformed_pdf_hash():
    with pytest.raises(ValueError, match="timezone-aware"):
        credential(issued_at=dt.datetime(2026, 3, 2, 9, 30))
    with pytest.raises(ValueError, match="pdf_sha256"):
        credential(pdf_sha256="not-a-hash")


# --- signing and verifying in Python ----------------------------------------------------------


def test_it_verifies_a_credential_it_signed():
    cred = credential()
    token = signing.sign_credential(cred)

    assert signing.verify_credential(token) == cred
    header = json.loads(unb64url(token.split(".")[0]))
    assert header == {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": signing.key_id()}
    assert signing.key_id().startswith("ssb-") and len(signing.key_id()) == 20


def test_the_payload_is_compact_sorted_utf8_json():
    cred = credential()
    payload = unb64url(signing.sign_credential(cred).split(".")[1])

    expected = json.dumps(cred, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    assert payload == expected.encode("utf-8")


def test_it_rejects_a_credential_with_a_changed_class():
    token = change_class(signing.sign_credential(credential()))

    with pytest.raises(CredentialInvalid, match=ALTERED):
        signing.verify_credential(token)


def test_it_rejects_a_token_signed_by_another_key():
    foreign_token, foreign_public_pem = signed_by_another_key(credential())

    with pytest.raises(CredentialInvalid, match="unknown key id"):
        signing.verify_credential(foreign_token)
    # Checked against that other key explicitly, it verifies.
    assert signing.verify_credential(foreign_token, public_key=foreign_public_pem)


def test_it_rejects_a_token_of_another_key_that_claims_the_portals_key_id():
    foreign_token, _ = signed_by_another_key(credential())
    header = {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": signing.key_id()}
    _, payload, signature = foreign_token.split(".")

    forged = f"{b64url(json.dumps(header).encode())}.{payload}.{signature}"

    with pytest.raises(CredentialInvalid, match=ALTERED):
        signing.verify_credential(forged)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "not a compact JWS: expected three base64url parts"),
        ("garbage", "not a compact JWS: expected three base64url parts"),
        ("a.b", "not a compact JWS: expected three base64url parts"),
        ("a.b.c.d", "not a compact JWS: expected three base64url parts"),
        ("!!!.e30.AA", "not a compact JWS: the header is not base64url"),
        ("e30.e30=.AA", "not a compact JWS: the payload is not base64url"),
        ("e30.e30.A", "not a compact JWS: the signature is not base64url"),
        (f"{b64url(b'not json')}.e30.AA", "the header is not JSON"),
        (f"{b64url(b'[1]')}.e30.AA", "the header is not a JSON object"),
    ],
)
def test_it_refuses_garbage(token, message):
    with pytest.raises(CredentialInvalid, match=message):
        signing.verify_credential(token)


@pytest.mark.parametrize("alg", ["none", "HS256", "ES256", None])
def test_it_refuses_other_algorithms(alg):
    header = b64url(json.dumps({"alg": alg, "kid": signing.key_id()}).encode())
    with pytest.raises(CredentialInvalid, match="unsupported signature algorithm"):
        signing.verify_credential(f"{header}.e30.AA")


def test_it_refuses_a_signed_payload_that_is_not_json():
    header = b64url(json.dumps({"alg": "EdDSA", "kid": signing.key_id()}).encode())
    signing_input = f"{header}.{b64url(b'certified!')}"
    signature = b64url(signing.private_key().sign(signing_input.encode()))

    with pytest.raises(CredentialInvalid, match="the payload is not JSON"):
        signing.verify_credential(f"{signing_input}.{signature}")


# --- the same checks with openssl alone -------------------------------------------------------


def test_openssl_verifies_the_credential_and_the_pdf(tmp_path):
    token = signing.sign_credential(credential())

    result = run_offline(tmp_path, token, signing.public_key_pem(), PDF)

    assert result.returncode == 0, result.stderr
    assert "Signature Verified Successfully" in result.stdout
    assert "PDF: Verified OK" in result.stdout
    assert result.stdout.rstrip().endswith("Verified OK")
    assert '"determinedClass":"all_solid_state"' in result.stdout


def test_openssl_verifies_the_signature_without_a_pdf(tmp_path):
    result = run_offline(tmp_path, signing.sign_credential(credential()), signing.public_key_pem())

    assert result.returncode == 0, result.stderr
    assert "Verified OK" in result.stdout


def test_openssl_rejects_a_changed_class(tmp_path):
    token = change_class(signing.sign_credential(credential()))

    result = run_offline(tmp_path, token, signing.public_key_pem(), PDF)

    assert result.returncode == 1
    assert "Verified OK" not in result.stdout
    assert "NOT VERIFIED: the signature does not match" in result.stderr


def test_openssl_rejects_a_token_signed_by_another_key(tmp_path):
    foreign_token, _ = signed_by_another_key(credential())

    result = run_offline(tmp_path, foreign_token, signing.public_key_pem())

    assert result.returncode == 1
    assert "Verified OK" not in result.stdout
    assert "NOT VERIFIED: the signature does not match" in result.stderr


def test_openssl_rejects_a_pdf_that_does_not_match(tmp_path):
    token = signing.sign_credential(credential())

    result = run_offline(tmp_path, token, signing.public_key_pem(), PDF + b"% appended\n")

    assert result.returncode == 1
    assert "Signature: Verified OK" in result.stdout
    assert "NOT VERIFIED: the PDF does not match the credential" in result.stderr
    assert result.stdout.rstrip().splitlines()[-1] != "Verified OK"


@pytest.mark.parametrize("token", ["garbage", "a.b", "a.b.c.d", "!!!.e30.AA"])
def test_openssl_script_refuses_garbage(tmp_path, token):
    result = run_offline(tmp_path, token, signing.public_key_pem())

    assert result.returncode == 2
    assert "not a compact JWS" in result.stderr


# --- the key ----------------------------------------------------------------------------------


def test_the_key_may_come_as_one_line_with_escaped_newlines(settings):
    key = Ed25519PrivateKey.generate()
    settings.SIGNING_PRIVATE_KEY_PEM = pem_of(key).replace("\n", "\\n")

    assert signing.public_key_pem() == key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_a_key_that_is_not_ed25519_is_a_configuration_error(settings):
    ec_key = generate_private_key(SECP256R1())
    settings.SIGNING_PRIVATE_KEY_PEM = ec_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()

    with pytest.raises(ImproperlyConfigured, match="must be an Ed25519 key"):
        signing.private_key()
    assert [e.id for e in signing.check_signing_key()] == ["reports.E001"]


def test_garbage_in_the_key_setting_is_a_configuration_error(settings):
    settings.SIGNING_PRIVATE_KEY_PEM = "not a key"

    assert [e.id for e in signing.check_signing_key()] == ["reports.E001"]


def test_the_development_key_is_generated_once_and_private(monkeypatch, tmp_path):
    import portal.settings

    monkeypatch.setattr(portal.settings, "VAR_DIR", tmp_path)

    first = portal.settings._local_signing_key()
    second = portal.settings._local_signing_key()

    assert first == second
    assert "BEGIN PRIVATE KEY" in first
    assert stat.S_IMODE((tmp_path / "signing_key.pem").stat().st_mode) == 0o600
    assert list(tmp_path.iterdir()) == [tmp_path / "signing_key.pem"]


def test_deploy_check_warns_while_the_development_key_signs(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    assert signing.check_production_signing_key() == []

    (tmp_path / "signing_key.pem").write_text(settings.SIGNING_PRIVATE_KEY_PEM)

    assert [w.id for w in signing.check_production_signing_key()] == ["reports.W001"]


def test_the_jwks_holds_the_public_key():
    (key,) = signing.jwks()["keys"]

    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["alg"] == "EdDSA"
    assert key["kid"] == signing.key_id()
    raw = signing.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert unb64url(key["x"]) == raw
    assert signing.key_id() == "ssb-" + hashlib.sha256(raw).hexdigest()[:16]


# --- the public key endpoints -----------------------------------------------------------------


@pytest.fixture
def web(settings, tmp_path, db, client):
    # WhiteNoise warns on every request when STATIC_ROOT does not exist; the pages need none.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    return client


def test_anyone_can_download_the_pem_and_it_verifies_a_certificate(web, tmp_path):
    response = web.get("/.well-known/ssb-signing-key.pem")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "max-age=" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert response.content.startswith(b"-----BEGIN PUBLIC KEY-----")
    token = signing.sign_credential(credential())
    assert signing.verify_credential(token, public_key=response.content)
    result = run_offline(tmp_path, token, response.content, PDF)
    assert result.returncode == 0, result.stderr


def test_anyone_can_download_the_jwks(web):
    response = web.get("/.well-known/jwks.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/jwk-set+json"
    assert "max-age=" in response["Cache-Control"]
    assert response.json() == signing.jwks()


def test_the_key_endpoints_refuse_writes(web):
    assert web.post("/.well-known/jwks.json").status_code == 405
    assert web.post("/.well-known/ssb-signing-key.pem").status_code == 405


def _fresh_private_pem() -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def test_certificates_signed_before_a_key_rotation_still_verify(settings, client):
    settings.SIGNING_PRIVATE_KEY_PEM = _fresh_private_pem()
    settings.SIGNING_RETIRED_PUBLIC_KEYS_PEM = ""
    old_token = signing.sign_credential({"id": "urn:ssb:old", "issuer": "portal"})
    old_kid, old_pem = signing.key_id(), signing.public_key_pem().decode()

    # Rotate: a new signing key; the old public key is kept as retired.
    settings.SIGNING_PRIVATE_KEY_PEM = _fresh_private_pem()
    settings.SIGNING_RETIRED_PUBLIC_KEYS_PEM = old_pem
    assert signing.key_id() != old_kid
    assert signing.verify_credential(old_token)["id"] == "urn:ssb:old"
    new_token = signing.sign_credential({"id": "urn:ssb:new"})
    assert signing.verify_credential(new_token)["id"] == "urn:ssb:new"
    kids = [key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]]
    assert kids == [signing.key_id(), old_kid]
    response = client.get(f"/.well-known/ssb-signing-keys/{old_kid}.pem")
    assert response.status_code == 200 and response.content.decode() == old_pem
    assert client.get("/.well-known/ssb-signing-keys/ssb-0000000000000000.pem").status_code == 404

    # Without the retired key the old certificate is no longer trusted, and says why.
    settings.SIGNING_RETIRED_PUBLIC_KEYS_PEM = ""
    with pytest.raises(signing.CredentialInvalid, match="unknown key id"):
        signing.verify_credential(old_token)


def test_a_retired_key_that_is_not_ed25519_is_a_configuration_error(settings):
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.core.exceptions import ImproperlyConfigured

    other = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    settings.SIGNING_RETIRED_PUBLIC_KEYS_PEM = other.decode()
    with pytest.raises(ImproperlyConfigured, match="Ed25519"):
        signing.trusted_keys()
