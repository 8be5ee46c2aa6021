"""W3C Bitstring Status Lists (Bitstring Status List v1.0): one list per purpose, revocation and
suspension, so that a verifier holding many credentials downloads two lists and knows every
status without naming any certificate (docs/VERIFY_OFFLINE.md).

* Allocation: each credential signed since the lists exist carries two ``credentialStatus``
  entries, ``BitstringStatusListEntry``, one per purpose, each an index in that purpose's list
  (``StatusListEntry``). The index is drawn at random (``secrets``) among the list's free ones,
  so it says nothing of the order or number of issues, and is never given again (a unique
  constraint; the rows are never updated nor deleted). A list holds ``LIST_LENGTH`` = 131,072
  entries, the specification's minimum; when one is full the next is opened.
* The bits are not stored: a list is computed from the certificates' statuses as committed,
  one indexed query. The revocation bit is set for a certificate that is revoked, withdrawn or
  superseded (ended for good), the suspension bit for a suspended one. Expiry is the
  credential's own ``validUntil`` and sets no bit. A status change therefore "flips" the bit in
  the very transaction that changes the status.
* Publication: each list is a ``BitstringStatusListCredential`` (VC 2.0, the bitstring GZIP-ed,
  multibase base64url, ``u`` prefix, first index in the left-most bit), signed like the
  certificates' credentials as a compact JWS (``vc+jwt``, EdDSA, the issuer's ``did:web``), at
  ``/status-lists/<purpose>/<n>``. Each web process keeps the signed list it built in
  ``livecache.certificates``, which every write to the certificate table empties (the NOTIFY
  trigger of migration reports/0002), so a change is served as soon as its notification
  arrives; HTTP caches may keep a list ``MAX_AGE_S`` seconds (``ttl`` says the same).
* Verifying (``check``): what any verifier does, for the portal's own document
  check: fetch each list, check its signature, type and purpose, expand it and read the bit.
  Anything that fails is "status could not be checked", never "valid".
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import secrets
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reports import didweb, links, livecache, signing
from reports.models import Certificate
from reports.status_list_models import LIST_LENGTH, StatusListEntry

C = Certificate.Status
P = StatusListEntry.Purpose
PURPOSES = (P.REVOCATION, P.SUSPENSION)
# Which certificate statuses set each purpose's bit.
SETS_BIT = {
    P.REVOCATION: frozenset({C.REVOKED, C.WITHDRAWN, C.SUPERSEDED}),
    P.SUSPENSION: frozenset({C.SUSPENDED}),
}
LIST_TYPE = "BitstringStatusListCredential"
ENTRY_TYPE = "BitstringStatusListEntry"
SUBJECT_TYPE = "BitstringStatusList"
MEDIA_TYPE = "application/vc+jwt"
# How long a verifier or a cache may keep a list: a status change reaches them within this.
MAX_AGE_S = 5
# Random draws before the exact (slower) draw among the free indexes: at 76 % occupancy
# (100,000 certificates in one list) 16 draws all miss once in 80 issues.
RANDOM_DRAWS = 16
# A list of LIST_LENGTH bits is 16 KiB expanded; refuse to expand anything much larger.
MAX_EXPANDED_BYTES = 16 * 1024 * 1024


# --- allocation -------------------------------------------------------------------------------


def _insert(certificate_id: int, purpose: str, number: int, index: int) -> bool:
    """Take (purpose, number, index) for the certificate unless it is taken: one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO reports_statuslistentry"
            " (certificate_id, purpose, list_number, list_index, allocated_at)"
            " VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (purpose, list_number, list_index) DO NOTHING RETURNING id",
            [certificate_id, purpose, number, index, timezone.now()],
        )
        return cursor.fetchone() is not None


def _free_index(purpose: str, number: int) -> int | None:
    """One of the list's free indexes, drawn uniformly (two queries), or None if it is full."""
    taken = StatusListEntry.objects.filter(purpose=purpose, list_number=number).count()
    free = LIST_LENGTH - taken
    if free <= 0:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i FROM generate_series(0, %s - 1) AS i WHERE NOT EXISTS ("
            " SELECT 1 FROM reports_statuslistentry e WHERE e.purpose = %s AND e.list_number = %s"
            " AND e.list_index = i) ORDER BY i OFFSET %s LIMIT 1",
            [LIST_LENGTH, purpose, number, secrets.randbelow(free)],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _allocate(certificate_id: int, purpose: str) -> StatusListEntry:
    number = (
        StatusListEntry.objects.filter(purpose=purpose).aggregate(n=Max("list_number"))["n"] or 1
    )
    while True:
        for _draw in range(RANDOM_DRAWS):
            if _insert(certificate_id, purpose, number, secrets.randbelow(LIST_LENGTH)):
                return StatusListEntry.objects.get(certificate_id=certificate_id, purpose=purpose)
        index = _free_index(purpose, number)
        if index is None:
            number += 1  # full: open the next list
        elif _insert(certificate_id, purpose, number, index):
            return StatusListEntry.objects.get(certificate_id=certificate_id, purpose=purpose)


def allocate(certificate: Certificate) -> list[StatusListEntry]:
    """The certificate's entries, one per purpose, allocated now if it has none yet (in the
    caller's transaction: an issue that rolls back gives its indexes back unused)."""
    held = {e.purpose: e for e in StatusListEntry.objects.filter(certificate=certificate)}
    return [held.get(p) or _allocate(certificate.pk, p) for p in PURPOSES]


def list_url(purpose: str, number: int) -> str:
    return links.absolute(reverse("status-list", args=[purpose, number]))


def entry_json(entry: StatusListEntry, *, status_url: str | None = None) -> dict[str, Any]:
    """The ``credentialStatus`` object of one entry (``statusReference``: the certificate's
    status API, for a person reading the credential)."""
    url = list_url(entry.purpose, entry.list_number)
    value = {
        "id": f"{url}#{entry.list_index}",
        "type": ENTRY_TYPE,
        "statusPurpose": entry.purpose,
        "statusListIndex": str(entry.list_index),
        "statusListCredential": url,
    }
    if status_url:
        value["statusReference"] = status_url
    return value


def status_entries(certificate: Certificate) -> list[dict[str, Any]]:
    """The two ``credentialStatus`` entries a credential of ``certificate`` carries."""
    status_url = links.status_api_url(certificate.number)
    return [entry_json(e, status_url=status_url) for e in allocate(certificate)]


# --- the bitstring ----------------------------------------------------------------------------


def bitstring(indexes, length: int = LIST_LENGTH) -> bytes:
    """``length`` bits, those at ``indexes`` set; index 0 is the left-most (most significant)
    bit of the first byte."""
    bits = bytearray(length // 8)
    for index in indexes:
        bits[index >> 3] |= 0x80 >> (index & 7)
    return bytes(bits)


def encode(bits: bytes) -> str:
    """``encodedList``: multibase base64url without padding (``u``) of the GZIP-ed bits."""
    packed = gzip.compress(bits, mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def list_exists(purpose: str, number: int) -> bool:
    if purpose not in PURPOSES or number < 1:
        return False
    last = StatusListEntry.objects.filter(purpose=purpose).aggregate(n=Max("list_number"))["n"]
    return number <= (last or 1)


def set_indexes(purpose: str, number: int) -> list[int]:
    """The indexes whose bit is set: one indexed query over the list's entries."""
    return list(
        StatusListEntry.objects.filter(
            purpose=purpose, list_number=number, certificate__status__in=SETS_BIT[purpose]
        ).values_list("list_index", flat=True)
    )


def list_credential(purpose: str, number: int) -> dict[str, Any]:
    """The list as an unsigned ``BitstringStatusListCredential``."""
    url = list_url(purpose, number)
    return {
        "@context": [signing.VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", LIST_TYPE],
        "issuer": {"id": didweb.did(), "name": signing.DEFAULT_ISSUER_NAME},
        "validFrom": timezone.localtime().isoformat(timespec="seconds"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": SUBJECT_TYPE,
            "statusPurpose": purpose,
            "encodedList": encode(bitstring(set_indexes(purpose, number))),
            "ttl": MAX_AGE_S * 1000,
        },
    }


@dataclass(frozen=True)
class Published:
    jws: str
    etag: str


def _build(purpose: str, number: int) -> Published | None:
    if not list_exists(purpose, number):
        return None
    credential = list_credential(purpose, number)
    # Weak: a list rebuilt with the same bits is the same list, though signed at another time.
    digest = hashlib.sha256(credential["credentialSubject"]["encodedList"].encode()).hexdigest()
    return Published(jws=signing.sign_credential(credential), etag=f'W/"{digest[:32]}"')


def published(purpose: str, number: int) -> Published | None:
    """The signed list as served (None: no such list), built at most once per change."""
    key = ("status-list", purpose, number, settings.SITE_URL)
    return livecache.certificates.get_or_compute(key, lambda: _build(purpose, number))


# --- checking a credential's status through its lists -------------------------------------------


class StatusUnchecked(Exception):
    """A credential's status could not be read from its status list, said in words."""


def own_list(url: str) -> tuple[str, int] | None:
    """(purpose, number) if ``url`` is one of this portal's status lists."""
    site = urlsplit(settings.SITE_URL)
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc) or parts.query:
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.url_name != "status-list":
        return None
    return match.kwargs["purpose"], match.kwargs["number"]


def fetch(url: str) -> str:
    """The signed list at ``url``. The portal answers for its own lists in-process and fetches
    nobody else's (a credential must not make the portal call an address of its choosing)."""
    mine = own_list(url)
    if mine is None:
        raise StatusUnchecked(
            _("its status list %(url)s is not one this portal publishes") % {"url": url}
        )
    try:
        found = published(*mine)
    except Exception:  # the database or the key: the list cannot be had right now
        raise StatusUnchecked(_("its status list could not be fetched")) from None
    if found is None:
        raise StatusUnchecked(_("its status list %(url)s does not exist") % {"url": url})
    return found.jws


def _unb64url(text: str) -> bytes:
    if len(text) % 4 == 1:
        raise binascii.Error("length")
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def expand(encoded: Any) -> bytes:
    """The bits of an ``encodedList`` (multibase base64url, GZIP), at most 16 MiB expanded."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusUnchecked(_("the list is not multibase base64url (it must start with “u”)"))
    try:
        packed = _unb64url(encoded[1:])
        inflater = zlib.decompressobj(wbits=31)  # 31: GZIP framing
        bits = inflater.decompress(packed, MAX_EXPANDED_BYTES)
        if inflater.unconsumed_tail or not inflater.eof:
            raise StatusUnchecked(_("the list is larger than any status list or incomplete"))
    except (binascii.Error, ValueError, zlib.error):
        raise StatusUnchecked(_("the list is not GZIP-compressed base64url")) from None
    if len(bits) * 8 < LIST_LENGTH:
        raise StatusUnchecked(
            _("the list has %(count)s entries, fewer than the %(minimum)s required")
            % {"count": len(bits) * 8, "minimum": LIST_LENGTH}
        )
    return bits


def read_bit(jws: str, *, purpose: str, index: int) -> bool:
    """The bit at ``index`` of a signed list, after checking the list as the specification's
    validate algorithm does (signature, type, purpose, length, range)."""
    try:
        status_list = signing.verify_credential(jws)
    except signing.CredentialInvalid as exc:
        raise StatusUnchecked(
            _("the status list's signature does not hold: %(why)s") % {"why": exc}
        ) from None
    types = status_list.get("type")
    subject = status_list.get("credentialSubject")
    if not isinstance(types, list) or LIST_TYPE not in types or not isinstance(subject, dict):
        raise StatusUnchecked(_("the document is not a BitstringStatusListCredential"))
    purposes = subject.get("statusPurpose")
    purposes = purposes if isinstance(purposes, list) else [purposes]
    if subject.get("type") != SUBJECT_TYPE or purpose not in purposes:
        raise StatusUnchecked(_("the list is not a %(purpose)s list") % {"purpose": purpose})
    bits = expand(subject.get("encodedList"))
    if index >= len(bits) * 8:
        raise StatusUnchecked(_("index %(index)s lies outside the list") % {"index": index})
    return bool(bits[index >> 3] & (0x80 >> (index & 7)))


def entries_of(credential: dict[str, Any]) -> list[dict[str, Any]]:
    """The credential's ``BitstringStatusListEntry`` objects (none for one signed before)."""
    status = credential.get("credentialStatus")
    status = status if isinstance(status, list) else [status]
    return [s for s in status if isinstance(s, dict) and s.get("type") == ENTRY_TYPE]


def check(credential: dict[str, Any]) -> dict[str, Any] | None:
    """What the credential's status lists say: ``{"checked": True, "revocation": bool,
    "suspension": bool}``, or ``{"checked": False, "reason": ...}`` when any list could not be
    fetched or read. None for a credential that names no status list."""
    entries = entries_of(credential)
    if not entries:
        return None
    bits: dict[str, bool] = {}
    lists: dict[str, str] = {}
    try:
        for entry in entries:
            purpose, index = entry.get("statusPurpose"), entry.get("statusListIndex")
            url = entry.get("statusListCredential")
            if not (
                purpose in PURPOSES
                and isinstance(index, str)
                and index.isascii()
                and index.isdigit()
                and isinstance(url, str)
            ):
                raise StatusUnchecked(_("a status entry of the credential is malformed"))
            if url not in lists:
                lists[url] = fetch(url)
            bits[purpose] = bits.get(purpose, False) or read_bit(
                lists[url], purpose=purpose, index=int(index)
            )
    except StatusUnchecked as exc:
        return {"checked": False, "reason": str(exc)}
    return {"checked": True, **{p.value: bits.get(p.value) for p in PURPOSES}}
