"""The issuer as did:web: the DID of the site's address, the DID document beside the JWKS with the
same keys, and credentials whose issuer and kid lead to a key of that document."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.test import override_settings

from reports import didweb, signing
from tests.reports.test_signing import pem_of

pytestmark = pytest.mark.django_db


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.mark.parametrize(
    ("site", "did"),
    [
        ("https://ssb.example.cn", "did:web:ssb.example.cn"),
        ("https://SSB.Example.cn/", "did:web:ssb.example.cn"),
        ("http://localhost:8000", "did:web:localhost%3A8000"),
        ("https://example.com:3000/user/alice", "did:web:example.com%3A3000:user:alice"),
    ],
)
def test_the_did_is_the_sites_host_with_the_port_percent_encoded(site, did):
    assert didweb.did_of(site) == did


def test_a_relative_address_has_no_did():
    with pytest.raises(ValueError, match="not an absolute URL"):
        didweb.did_of("/just/a/path")


def test_the_did_document_lists_the_jwks_keys(client, settings):
    settings.SITE_URL = "https://ssb.example.cn"
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/did+ld+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "public" in response["Cache-Control"]
    document = response.json()
    assert document["@context"][0] == "https://www.w3.org/ns/did/v1"
    assert document["id"] == "did:web:ssb.example.cn"
    jwks = client.get("/.well-known/jwks.json").json()["keys"]
    methods = document["verificationMethod"]
    assert [m["id"] for m in methods] == [f"did:web:ssb.example.cn#{k['kid']}" for k in jwks]
    assert document["assertionMethod"] == [m["id"] for m in methods]
    for method, jwk in zip(methods, jwks, strict=True):
        assert method["type"] == "JsonWebKey2020"
        assert method["controller"] == "did:web:ssb.example.cn"
        assert method["publicKeyJwk"] == {"kty": "OKP", "crv": "Ed25519", "x": jwk["x"]}


def test_retired_keys_stay_in_the_document(client, settings):
    old_kid, old_pem = signing.key_id(), signing.public_key_pem().decode()
    settings.SIGNING_PRIVATE_KEY_PEM = pem_of(Ed25519PrivateKey.generate())
    settings.SIGNING_RETIRED_PUBLIC_KEYS_PEM = old_pem
    ids = [m["id"] for m in client.get("/.well-known/did.json").json()["verificationMethod"]]
    assert ids == [
        didweb.verification_method(signing.key_id()),
        didweb.verification_method(old_kid),
    ]


def resolve_key(client, kid: str) -> Ed25519PublicKey:
    """What a did:web resolver does with a header's kid: fetch the DID's document (here from
    the test client: the DID is this site) and take the verification method it names."""
    did, _, _fragment = kid.partition("#")
    assert did == didweb.did()
    document = client.get("/.well-known/did.json").json()
    assert document["id"] == did
    (method,) = [m for m in document["verificationMethod"] if m["id"] == kid]
    assert kid in document["assertionMethod"]
    return Ed25519PublicKey.from_public_bytes(unb64url(method["publicKeyJwk"]["x"]))


def test_an_issued_credential_leads_to_its_key_through_the_did(client, issued):
    header, payload, signature = issued.credential_jws.split(".")
    kid = json.loads(unb64url(header))["kid"]
    credential = json.loads(unb64url(payload))
    assert credential["issuer"]["id"] == didweb.did()
    assert kid.startswith(credential["issuer"]["id"] + "#")
    key = resolve_key(client, kid)
    key.verify(unb64url(signature), f"{header}.{payload}".encode())  # raises if it does not


def test_a_credential_signed_before_the_did_still_verifies():
    # Issuer the site's address and a bare key id, as credentials were signed before.
    old = signing.sign_credential({"issuer": {"id": "https://ssb.example.cn"}, "id": "urn:x"})
    assert json.loads(unb64url(old.split(".")[0]))["kid"] == signing.key_id()
    assert signing.verify_credential(old)["id"] == "urn:x"
    assert signing.verify_credential(old, public_key=signing.public_key_pem())["id"] == "urn:x"


def test_a_did_kid_of_an_unknown_key_is_refused():
    with override_settings(SIGNING_PRIVATE_KEY_PEM=pem_of(Ed25519PrivateKey.generate())):
        token = signing.sign_credential({"issuer": {"id": didweb.did()}})
    with pytest.raises(signing.CredentialInvalid, match="unknown key id 'did:web:"):
        signing.verify_credential(token)
