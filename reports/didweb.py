"""The portal as a ``did:web`` issuer: its DID and the DID document that lists its keys.

``did:web`` (W3C CCG "did:web Method Specification") names an issuer by its host: the DID of
``https://ssb.example.cn`` is ``did:web:ssb.example.cn``, a port's colon is percent-encoded
(``did:web:localhost%3A8000``) and a path's slashes become colons. Resolvers fetch the document
at ``https://<host>/.well-known/did.json`` (at ``<path>/did.json`` when the DID has a path).

The document lists the same keys as ``/.well-known/jwks.json`` (the current key first, then the
retired ones that signed earlier credentials), each a ``JsonWebKey2020`` verification method
whose fragment is the key id (``did:web:<host>#ssb-…``). New credentials name the DID as their
issuer and that verification method as their header's ``kid`` (``reports.signing``), so VC and
UNTP tooling finds the key from the credential alone.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings

from reports import signing

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
JWS_2020_CONTEXT = "https://w3id.org/security/suites/jws-2020/v1"
VERIFICATION_METHOD_TYPE = "JsonWebKey2020"


def did_of(site_url: str) -> str:
    """The ``did:web`` DID of a site address: host, port percent-encoded, path as colons."""
    parts = urlsplit(site_url)
    if not parts.hostname:
        raise ValueError(f"not an absolute URL: {site_url!r}")
    host = parts.hostname
    if parts.port is not None:
        host = f"{host}%3A{parts.port}"
    path = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join(["did:web", host, *path])


def did() -> str:
    """This portal's DID, from ``SITE_URL``."""
    return did_of(settings.SITE_URL)


def verification_method(kid: str) -> str:
    """The DID URL of one of the portal's keys: the DID, ``#``, the key id."""
    return f"{did()}#{kid}"


def document() -> dict[str, Any]:
    """The DID document: every trusted key as a ``JsonWebKey2020`` verification method, each
    usable for assertions (signing credentials), the current key first."""
    identifier = did()
    methods = [
        {
            "id": f"{identifier}#{jwk['kid']}",
            "type": VERIFICATION_METHOD_TYPE,
            "controller": identifier,
            "publicKeyJwk": {"kty": jwk["kty"], "crv": jwk["crv"], "x": jwk["x"]},
        }
        for jwk in signing.jwks()["keys"]
    ]
    ids = [method["id"] for method in methods]
    return {
        "@context": [DID_CONTEXT, JWS_2020_CONTEXT],
        "id": identifier,
        "verificationMethod": methods,
        "assertionMethod": ids,
    }
