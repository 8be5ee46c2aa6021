"""Signed checkpoints of the audit log, in the spirit of Certificate Transparency's signed tree
heads (docs/AUDIT.md).

A checkpoint says "the audit log had ``event_count`` events and the last one's hash was
``head_hash``", at a moment, signed as a compact JWS with the portal's Ed25519 key (the key that
signs the certificates, ``reports.signing``). The hash chain (``certification.audit_chain``) makes
``head_hash`` depend on every event before it, so whoever keeps a checkpoint can later prove that
the history up to it was not rewritten: ``manage.py verify_audit --against checkpoint.json``
recomputes the hash at that length; ``openssl pkeyutl`` checks the signature with nothing of
the portal but its public key.

Beat publishes one every hour; the certification body and regulators publish one on demand.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification import access, audit_chain
from certification.exceptions import NotPermitted
from certification.models import User
from certification.services import audit
from reports import links, signing
from reports.models import AuditCheckpoint

VERSION = 1
TYPE = "ssb-audit-checkpoint"
HEADER_TYPE = "ssb-audit-checkpoint+jws"


class CheckpointInvalid(ValueError):
    """A checkpoint this portal did not sign as it stands, said in words."""


# --- signing ----------------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    if not isinstance(text, str) or len(text) % 4 == 1:
        raise binascii.Error("not base64url")
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def _compact(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def statement(*, event_count: int, head_hash: str, at) -> dict[str, Any]:
    """What a checkpoint signs."""
    return {
        "type": TYPE,
        "v": VERSION,
        "log": links.absolute("/audit/checkpoints/"),
        "event_count": event_count,
        "head_hash": head_hash,
        "at": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def sign(payload: dict[str, Any]) -> str:
    header = {"alg": signing.ALGORITHM, "kid": signing.key_id(), "typ": HEADER_TYPE}
    signing_input = f"{_b64url(_compact(header))}.{_b64url(_compact(payload))}"
    signature = signing.private_key().sign(signing_input.encode("ascii"))
    return f"{signing_input}.{_b64url(signature)}"


def document(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """The checkpoint as published (``latest.json``): the signed statement's fields for reading,
    and ``jws``, the only part a verifier trusts."""
    payload = json.loads(_unb64url(checkpoint.jws.split(".")[1]))
    return {"id": checkpoint.pk, **payload, "kid": checkpoint.kid, "jws": checkpoint.jws}


def verify_document(doc: Any, *, public_key=None) -> dict[str, Any]:
    """The signed statement of a published checkpoint, if the portal's key (one it has signed
    with, or ``public_key``) signed it and the readable fields say the same; else
    ``CheckpointInvalid``."""
    if not isinstance(doc, dict) or not isinstance(doc.get("jws"), str):
        raise CheckpointInvalid(_("not a checkpoint: a JSON object with a 'jws' is expected"))
    parts = doc["jws"].strip().split(".")
    if len(parts) != 3:
        raise CheckpointInvalid(_("not a checkpoint: the 'jws' has not three parts"))
    try:
        header, payload = (json.loads(_unb64url(p)) for p in parts[:2])
        signature = _unb64url(parts[2])
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise CheckpointInvalid(_("not a checkpoint: the 'jws' is not base64url JSON")) from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise CheckpointInvalid(_("not a checkpoint: the 'jws' is not base64url JSON"))
    if header.get("alg") != signing.ALGORITHM or payload.get("type") != TYPE:
        raise CheckpointInvalid(_("not a checkpoint of this portal's audit log"))
    key = _given_key(public_key) if public_key is not None else None
    key = key or signing.trusted_keys().get(header.get("kid"))
    if key is None:
        raise CheckpointInvalid(
            _("signed with key %(kid)s, which this portal never used") % {"kid": header.get("kid")}
        )
    try:
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except InvalidSignature:
        raise CheckpointInvalid(
            _(
                "the signature does not match: the checkpoint was altered or not signed by "
                "the portal"
            )
        ) from None
    count, head = payload.get("event_count"), payload.get("head_hash")
    if not isinstance(count, int) or count < 0 or not isinstance(head, str) or len(head) != 64:
        raise CheckpointInvalid(_("the signed checkpoint has no valid event count and head hash"))
    for name in ("event_count", "head_hash", "at"):
        if name in doc and doc[name] != payload.get(name):
            raise CheckpointInvalid(
                _("the field %(name)s says %(shown)s, but the signature covers %(signed)s")
                % {"name": name, "shown": doc[name], "signed": payload.get(name)}
            )
    return payload


def _given_key(pem: bytes | str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    except ValueError:
        raise CheckpointInvalid(_("the given public key is not a PEM public key")) from None
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointInvalid(_("the given public key is not an Ed25519 key"))
    return key


# --- publishing and reading -------------------------------------------------------------------


def checkpoint_publish(*, user: User | None = None) -> AuditCheckpoint:
    """Sign and keep a checkpoint of the log as committed now: by beat (``user`` None) or on
    demand of the certification body or a regulator (who is recorded, and audited)."""
    if user is not None and not access.can_audit(user):
        raise NotPermitted(_("Only the certification body and regulators publish checkpoints."))
    at = timezone.now()
    with transaction.atomic():
        # The committed head: every event before it committed before it (appends are serialised
        # until their commit), so the checkpoint covers a complete prefix of the log.
        count, head = audit_chain.head()
        checkpoint = AuditCheckpoint.objects.create(
            event_count=count,
            head_hash=head,
            at=at,
            kid=signing.key_id(),
            jws=sign(statement(event_count=count, head_hash=head, at=at)),
            origin=AuditCheckpoint.Origin.REQUEST if user else AuditCheckpoint.Origin.SCHEDULE,
            requested_by=user,
        )
        if user is not None:
            audit(
                action="audit.checkpoint_published",
                actor=user,
                object_type="audit_checkpoint",
                object_id=checkpoint.pk,
                event_count=count,
                head_hash=head,
            )
    return checkpoint


def latest() -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.first()


def checkpoints():
    return AuditCheckpoint.objects.select_related("requested_by")


def stored_expectations() -> tuple[dict[int, str], list[str]]:
    """The (seq -> head hash) every stored checkpoint signed, and the problems of those whose
    signature does not hold (a forged or edited row of the checkpoint table)."""
    expected: dict[int, str] = {}
    problems: list[str] = []
    for checkpoint in AuditCheckpoint.objects.order_by("id").iterator():
        try:
            payload = verify_document({"jws": checkpoint.jws})
        except CheckpointInvalid as exc:
            problems.append(f"checkpoint {checkpoint.pk}: {exc}")
            continue
        if (payload["event_count"], payload["head_hash"]) != (
            checkpoint.event_count,
            checkpoint.head_hash,
        ):
            problems.append(f"checkpoint {checkpoint.pk}: its columns differ from what it signed")
        if payload["event_count"]:
            expected[payload["event_count"]] = payload["head_hash"]
    return expected, problems
