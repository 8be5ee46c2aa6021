"""The signed, machine-readable certificate (STANDARD.md section 7).

A certificate is also issued as a JSON credential in the shape of a W3C Verifiable Credential 2.0
carrying a UN Transparency Protocol (UNTP) conformity attestation, secured VC-JOSE style as a
compact JWS signed with the portal's Ed25519 key. Anyone holding the public key (served at
``/.well-known/ssb-signing-key.pem`` and ``/.well-known/jwks.json``) can check a credential
offline with openssl alone: see ``docs/VERIFY_OFFLINE.md``.

The key comes from ``settings.SIGNING_PRIVATE_KEY_PEM`` (env ``SIGNING_PRIVATE_KEY`` or
``SIGNING_PRIVATE_KEY_FILE``, else a development key in ``var/``).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
UNTP_DCC_CONTEXT = "https://test.uncefact.org/vocabulary/untp/dcc/0.5.0/"
CREDENTIAL_TYPES = ["VerifiableCredential", "DigitalConformityCredential"]
ALGORITHM = "EdDSA"
MEDIA_TYPE = "vc+jwt"
DEFAULT_ISSUER_NAME = "Solid-state battery certification portal"

_B64URL = re.compile(r"[A-Za-z0-9_-]*")


class CredentialInvalid(ValueError):
    """A token that is not a credential this portal signed, said in words (translated: a user
    checking a credential in the portal reads them). ``reason`` says which way it failed:
    ``not_a_credential`` (not a compact JWS, not JSON, another algorithm), ``unknown_key``
    (signed with a key this portal does not trust) or ``altered`` (the signature does not match).
    """

    def __init__(self, message: str, *, reason: str = "not_a_credential") -> None:
        super().__init__(message)
        self.reason = reason


# --- the key ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _load_private_key(pem: str) -> Ed25519PrivateKey:
    # Keys pasted into one-line environment variables often carry literal "\n".
    text = pem.strip().replace("\\n", "\n")
    try:
        key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured(
            f"SIGNING_PRIVATE_KEY is not an unencrypted PEM private key: {exc}"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(
            f"SIGNING_PRIVATE_KEY must be an Ed25519 key, not {type(key).__name__}"
        )
    return key


def private_key() -> Ed25519PrivateKey:
    """The portal's signing key, loaded once per distinct PEM."""
    return _load_private_key(settings.SIGNING_PRIVATE_KEY_PEM)


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_pem() -> bytes:
    """The public key as SubjectPublicKeyInfo PEM, as ``openssl pkeyutl -pubin`` reads it."""
    return public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _key_id(key: Ed25519PublicKey) -> str:
    return "ssb-" + hashlib.sha256(_raw(key)).hexdigest()[:16]


def key_id() -> str:
    """``ssb-`` and the first 16 hex digits of the SHA-256 of the raw public key."""
    return _key_id(public_key())


_PEM_BLOCK = re.compile(r"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.S)


@functools.lru_cache(maxsize=4)
def _load_retired(text: str) -> tuple[Ed25519PublicKey, ...]:
    keys = []
    for block in _PEM_BLOCK.findall(text.replace("\\n", "\n")):
        try:
            keys.append(_as_public_key(block))
        except ValueError as exc:
            raise ImproperlyConfigured(f"SIGNING_RETIRED_PUBLIC_KEYS: {exc}") from None
    return tuple(keys)


def trusted_keys() -> dict[str, Ed25519PublicKey]:
    """Every key a credential of this portal may carry, by key id: the current one first, then
    the retired ones (``SIGNING_RETIRED_PUBLIC_KEYS``) that signed earlier certificates."""
    keys = {key_id(): public_key()}
    for key in _load_retired(settings.SIGNING_RETIRED_PUBLIC_KEYS_PEM or ""):
        keys.setdefault(_key_id(key), key)
    return keys


def public_key_pem_of(kid: str) -> bytes | None:
    """A trusted key's PEM by its key id (for verifying an older certificate offline)."""
    key = trusted_keys().get(kid)
    if key is None:
        return None
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def jwks() -> dict[str, Any]:
    """The trusted keys as a JSON Web Key Set (RFC 7517, OKP key type of RFC 8037); the key
    that signs new certificates comes first."""
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": _b64url_encode(_raw(key)),
                "kid": kid,
                "alg": ALGORITHM,
                "use": "sig",
            }
            for kid, key in trusted_keys().items()
        ]
    }


# --- the credential ---------------------------------------------------------------------------


def build_credential(
    *,
    number: str,
    issuer_url: str,
    holder: Mapping[str, Any],
    product: Mapping[str, Any],
    assessment: Mapping[str, Any],
    ruleset: Mapping[str, Any],
    lab: Mapping[str, Any],
    issued_at: datetime,
    valid_from: date | datetime,
    valid_until: date | datetime,
    pdf_sha256: str,
    verification_url: str,
    status_url: str,
    pdf_url: str | None = None,
    issuer_name: str = DEFAULT_ISSUER_NAME,
    status_entries: list[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The certificate as a Verifiable Credential 2.0 / UNTP Digital Conformity Credential.

    ``assessment`` is ``Evaluation.result`` (``EvaluationOutcome.as_dict()``: criteria, class,
    labels, verdict), optionally with ``reviewer`` and ``assessed_at``. ``holder`` and ``lab``
    have ``name`` (and optionally ``id``; the lab ``accreditation_number``); ``product`` has
    ``name`` and ``model_number`` (optionally ``id``), its other keys are listed as
    characteristics; ``ruleset`` has ``code``, ``version``, ``standard_id``, ``title``,
    ``effective_from`` and ``effective_until``. A date for ``valid_from``/``valid_until`` means
    the start of that day in ``TIME_ZONE``. Decimals and dates in the inputs become strings; the
    result holds plain JSON values only.

    ``status_entries`` are the credential's ``BitstringStatusListEntry`` objects
    (``reports.status_list``); without them (credentials signed before the status lists) the
    status is a link to the certificate's status API.
    """
    if not re.fullmatch(r"[0-9a-f]{64}", pdf_sha256):
        raise ValueError(f"pdf_sha256 must be 64 lowercase hex digits, not {pdf_sha256!r}")
    issuer = {"id": issuer_url, "name": issuer_name}
    subject = {
        "type": ["ConformityAttestation"],
        "id": f"{verification_url}#attestation",
        "name": f"Certificate {number}",
        "certificateNumber": number,
        "issuedAt": _instant(issued_at),
        "assessorLevel": "3rdParty",
        "assessmentLevel": "Accredited",
        "attestationType": "Certification",
        "issuedToParty": _party(holder),
        "scope": _scheme(ruleset),
        "assessment": [
            _criterion_assessment(c, ruleset=ruleset, product=product, lab=lab, when=issued_at)
            for c in assessment.get("criteria", [])
        ],
        "determinedClass": assessment.get("determined_class"),
        "classificationCode": assessment.get("classification_code"),
        "labels": {
            "permitted": _labels(assessment, "permitted"),
            "forbidden": _labels(assessment, "forbidden"),
        },
        "conformityDecision": _decision(assessment),
        "conformityCertificate": {
            "type": ["SecureLink"],
            "linkURL": pdf_url or verification_url,
            "linkName": f"Certificate {number} (PDF)",
            "linkType": "application/pdf",
            "hashDigest": pdf_sha256,
            "hashMethod": "SHA-256",
            "encryptionMethod": "none",
        },
        "verificationPage": verification_url,
    }
    credential = {
        "@context": [VC_CONTEXT, UNTP_DCC_CONTEXT],
        "type": list(CREDENTIAL_TYPES),
        "id": verification_url,
        "name": f"Solid-state battery certificate {number}",
        "issuer": issuer,
        "validFrom": _instant(valid_from),
        "validUntil": _instant(valid_until),
        "credentialStatus": (
            list(status_entries)
            if status_entries
            else {"id": status_url, "type": "CertificateStatusPage"}
        ),
        "credentialSubject": subject,
    }
    return _plain(credential)


def _party(party: Mapping[str, Any]) -> dict[str, Any]:
    out = {"type": ["Party"], "name": party["name"]}
    if party.get("id"):
        out["id"] = party["id"]
    if party.get("registered_id"):
        out["registeredId"] = party["registered_id"]
    return out


def _lab(lab: Mapping[str, Any]) -> dict[str, Any]:
    out = _party(lab)
    if lab.get("accreditation_number"):
        out["accreditationNumber"] = lab["accreditation_number"]
    return out


def _product(product: Mapping[str, Any]) -> dict[str, Any]:
    out = {
        "type": ["Product"],
        "name": product["name"],
        "modelNumber": product["model_number"],
    }
    if product.get("id"):
        out["id"] = product["id"]
    characteristics = {
        k: v for k, v in product.items() if k not in {"id", "name", "model_number"} and v != ""
    }
    if characteristics:
        out["characteristics"] = characteristics
    return out


def _scheme(ruleset: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": ["ConformityAssessmentScheme"],
        "id": f"urn:ssb:ruleset:{ruleset['code']}:{ruleset['version']}",
        "name": ruleset["title"],
        "ruleSet": ruleset["code"],
        "ruleSetVersion": ruleset["version"],
        "standardId": ruleset["standard_id"],
        "effectiveFrom": ruleset.get("effective_from"),
        "effectiveUntil": ruleset.get("effective_until"),
    }


def _criterion_assessment(
    criterion: Mapping[str, Any],
    *,
    ruleset: Mapping[str, Any],
    product: Mapping[str, Any],
    lab: Mapping[str, Any],
    when: datetime,
) -> dict[str, Any]:
    """One UNTP ConformityAssessment per criterion: its limit, the measured values, outcome."""
    outcome = criterion["outcome"]
    return {
        "type": ["ConformityAssessment"],
        "id": f"urn:ssb:criterion:{criterion['code']}",
        "assessmentDate": _instant(when)[:10],
        "referenceStandard": {
            "type": ["Standard"],
            "id": ruleset["standard_id"],
            "name": ruleset["title"],
        },
        "assessmentCriterion": [
            {
                "type": ["Criterion"],
                "id": criterion["code"],
                "name": criterion["code"],
                "thresholdValues": [
                    {
                        "type": ["Metric"],
                        "metricName": criterion["code"],
                        "comparator": criterion.get("comparator"),
                        "metricValue": {
                            "value": criterion.get("limit"),
                            "unit": criterion.get("unit"),
                        },
                    }
                ],
            }
        ],
        "measuredValues": criterion.get("measured"),
        "outcome": outcome,
        "conformance": {"pass": True, "fail": False}.get(outcome),
        "statement": criterion.get("message", ""),
        "assessedProduct": [_product(product)],
        "auditor": _lab(lab),
    }


def _labels(assessment: Mapping[str, Any], which: str) -> dict[str, list[str]]:
    labels = assessment.get("labels", {}).get(which, {})
    return {"en": list(labels.get("en", [])), "zh": list(labels.get("zh", []))}


def _decision(assessment: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "verdict": assessment.get("verdict"),
        "certified": bool(assessment.get("certifiable")),
        "maySayAllSolidState": assessment.get("may_label_solid_state"),
        "claimSupported": assessment.get("claim_supported"),
        "reviewer": assessment.get("reviewer"),
        "decidedAt": assessment.get("assessed_at"),
    }


def _instant(value: date | datetime) -> str:
    """An xsd:dateTime with the offset of TIME_ZONE; a date is the start of that day there."""
    zone = ZoneInfo(settings.TIME_ZONE)
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min, tzinfo=zone)
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: certificates use timezone-aware datetimes")
    return value.astimezone(zone).isoformat(timespec="seconds")


def _plain(value: Any) -> Any:
    """``value`` as plain JSON values: Decimals and dates become strings, tuples lists."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        raise TypeError("floats are not allowed in a credential; pass a Decimal or a string")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return _instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    raise TypeError(f"{type(value).__name__} is not a plain JSON value")


# --- signing and verifying --------------------------------------------------------------------


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _not_base64url(part: str) -> CredentialInvalid:
    # One whole sentence per part, so that each translates as a whole.
    return CredentialInvalid(
        {
            "header": _("not a compact JWS: the header is not base64url"),
            "payload": _("not a compact JWS: the payload is not base64url"),
            "signature": _("not a compact JWS: the signature is not base64url"),
        }[part]
    )


def _b64url_decode(text: str, part: str) -> bytes:
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise _not_base64url(part)
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise _not_base64url(part) from None


def _canonical_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _issuer_id(credential: Mapping[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def header_kid(credential: Mapping[str, Any]) -> str:
    """The ``kid`` a credential's header carries: for an issuer named by a DID (``did:web``,
    ``reports.didweb``) the DID URL of the key's verification method, ``<DID>#ssb-…``, as
    VC-JOSE-COSE asks; otherwise (credentials signed before the DID) the bare key id."""
    issuer = _issuer_id(credential)
    if isinstance(issuer, str) and issuer.startswith("did:"):
        return f"{issuer}#{key_id()}"
    return key_id()


def _key_id_in(kid: Any) -> Any:
    """The key id in a header's ``kid``: itself, or the fragment of a DID URL."""
    if isinstance(kid, str) and kid.startswith("did:") and "#" in kid:
        return kid.rpartition("#")[2]
    return kid


def sign_credential(credential: Mapping[str, Any]) -> str:
    """The credential as a compact JWS (VC-JOSE): EdDSA over ``header.payload``."""
    header = {"alg": ALGORITHM, "typ": MEDIA_TYPE, "cty": "vc", "kid": header_kid(credential)}
    signing_input = (
        f"{_b64url_encode(_canonical_json(header))}.{_b64url_encode(_canonical_json(credential))}"
    )
    signature = private_key().sign(signing_input.encode("ascii"))
    return f"{signing_input}.{_b64url_encode(signature)}"


def _as_public_key(key: Ed25519PublicKey | bytes | str | None) -> Ed25519PublicKey:
    if key is None:
        return public_key()
    if isinstance(key, Ed25519PublicKey):
        return key
    loaded = serialization.load_pem_public_key(key.encode() if isinstance(key, str) else key)
    if not isinstance(loaded, Ed25519PublicKey):
        raise ValueError(f"the public key must be Ed25519, not {type(loaded).__name__}")
    return loaded


def verify_credential(
    token: str, *, public_key: Ed25519PublicKey | bytes | str | None = None
) -> dict[str, Any]:
    """The credential in ``token`` if this portal's key (or ``public_key``) signed it.

    Raises ``CredentialInvalid`` saying why not.
    """
    parts = token.strip().split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise CredentialInvalid(
            _(
                "not a compact JWS: expected three base64url parts separated by dots "
                "(header.payload.signature), found %(count)s"
            )
            % {"count": len(parts)}
        )
    header_b64, payload_b64, signature_b64 = parts
    header = _json(_b64url_decode(header_b64, "header"), "header")
    payload = _b64url_decode(payload_b64, "payload")
    signature = _b64url_decode(signature_b64, "signature")
    if header.get("alg") != ALGORITHM:
        raise CredentialInvalid(
            _(
                "unsupported signature algorithm %(alg)s: credentials are signed with "
                "%(expected)s (Ed25519)"
            )
            % {"alg": repr(header.get("alg")), "expected": ALGORITHM}
        )
    kid = _key_id_in(header.get("kid"))
    if public_key is not None:
        key = _as_public_key(public_key)
        if kid != _key_id(key):
            raise CredentialInvalid(
                _("unknown key id %(kid)s: the given key is %(expected)s")
                % {"kid": repr(header.get("kid")), "expected": _key_id(key)},
                reason="unknown_key",
            )
    else:
        key = trusted_keys().get(kid) if isinstance(kid, str) else None
        if key is None:
            raise CredentialInvalid(
                _(
                    "unknown key id %(kid)s: this portal signs with %(expected)s (see "
                    "/.well-known/jwks.json for every key it has used)"
                )
                % {"kid": repr(header.get("kid")), "expected": key_id()},
                reason="unknown_key",
            )
    try:
        key.verify(signature, f"{header_b64}.{payload_b64}".encode("ascii"))
    except InvalidSignature:
        raise CredentialInvalid(
            _(
                "the signature does not match: the credential was altered or not issued by this "
                "portal"
            ),
            reason="altered",
        ) from None
    return _json(payload, "payload")


def _json(data: bytes, part: str) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise CredentialInvalid(
            {"header": _("the header is not JSON"), "payload": _("the payload is not JSON")}[part]
        ) from None
    if not isinstance(value, dict):
        raise CredentialInvalid(
            {
                "header": _("the header is not a JSON object"),
                "payload": _("the payload is not a JSON object"),
            }[part]
        )
    return value


# --- system checks (registered when this module is imported, e.g. from ReportsConfig.ready) ---


@register(Tags.security)
def check_signing_key(app_configs=None, **kwargs):
    try:
        private_key()
        trusted_keys()  # the retired public keys too
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="reports.E001")]
    return []


@register(Tags.security, deploy=True)
def check_production_signing_key(app_configs=None, **kwargs):
    local = settings.VAR_DIR / "signing_key.pem"
    if local.exists() and local.read_text(encoding="utf-8") == settings.SIGNING_PRIVATE_KEY_PEM:
        return [
            Warning(
                "Certificates are signed with the development key in var/signing_key.pem.",
                hint="Set SIGNING_PRIVATE_KEY or SIGNING_PRIVATE_KEY_FILE to the portal's "
                "Ed25519 key (openssl genpkey -algorithm ed25519).",
                id="reports.W001",
            )
        ]
    return []
