"""The one place that reads stored evidence back: no byte leaves it unchecked.

Every evidence file is kept through Django's storage API (``STORAGES["default"]``: the filesystem,
or an S3-compatible object store when ``STORAGE_URL`` is set, portal/settings.py) with the SHA-256
of its raw bytes recorded at upload. Each read here hashes the whole stored object, streamed in
chunks, and hands bytes out only when the digest matches:

- ``verified_file`` (the parse and the evaluation): a seekable file of exactly the bytes that were
  hashed. From an object store the object is read once, into a temporary file, while hashing, so
  what is parsed is what was checked; on the filesystem the stored file is hashed and rewound.
- ``verified_download`` (every download of evidence): the object is hashed first without keeping
  it, then served from a second read that the store refuses (``If-Match`` on the first read's
  ETag) if the object was replaced in between; on the filesystem, the same open file rewound.

A mismatch, or an object that is gone, raises ``EvidenceChanged`` before any byte is handed out,
and writes a ``dataset.integrity_failed`` audit event naming the file, who read it and why.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from django.conf import settings
from django.core.files.storage import Storage
from django.dispatch import Signal
from django.utils.translation import gettext as _

from certification.exceptions import PortalError
from certification.models import Dataset, User

CHUNK_BYTES = 1024 * 1024
# Sent with dataset, found (the SHA-256 of what is stored, None if it is gone), reader and actor
# whenever a stored file fails its check; certification/services/integrity.py records it.
integrity_failed = Signal()


class EvidenceChanged(Exception):
    """A stored file no longer matches the SHA-256 recorded at upload (or is gone)."""

    def __init__(self, dataset: Dataset, found: str | None) -> None:
        self.dataset = dataset
        self.found = found
        state = "is missing from storage" if found is None else "no longer matches the SHA-256"
        super().__init__(
            f"File {dataset.original_name} (dataset {dataset.pk}) {state} recorded at upload; "
            "nothing was read from it."
        )


class EvidenceUnavailable(PortalError):
    """The answer to a download of a stored file that failed its check."""

    code = "evidence_changed"
    http_status = 409


def _s3_object(storage: Storage, name: str):
    """The boto3 Object behind ``name``, or None for a storage that is no object store."""
    bucket = getattr(storage, "bucket", None)
    if bucket is None or not hasattr(storage, "_normalize_name"):
        return None
    from storages.utils import clean_name

    return bucket.Object(storage._normalize_name(clean_name(name)))


def _get(obj, **conditions) -> dict | None:
    """GET an object (its streaming body and ETag), or None if it is not there."""
    from botocore.exceptions import ClientError

    try:
        return obj.get(**conditions)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in ("NoSuchKey", "404", "NotFound", "PreconditionFailed") or status in (404, 412):
            return None
        raise


def _hash_into(source: BinaryIO, sink: BinaryIO | None = None) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: source.read(CHUNK_BYTES), b""):
        digest.update(chunk)
        if sink is not None:
            sink.write(chunk)
    return digest.hexdigest()


def _failed(dataset: Dataset, found: str | None, *, reader: str, actor: User | None):
    """Announce the failed check (``services.integrity`` writes its audit event: the services
    read through this module, so it cannot call them) and return the error to raise."""
    integrity_failed.send(sender=Dataset, dataset=dataset, found=found, reader=reader, actor=actor)
    return EvidenceChanged(dataset, found)


def _open_local(storage: Storage, name: str) -> BinaryIO | None:
    try:
        return storage.open(name, "rb")
    except FileNotFoundError:
        return None


@contextmanager
def verified_file(
    dataset: Dataset, *, reader: str = "evaluation", actor: User | None = None
) -> Iterator[BinaryIO]:
    """``with verified_file(dataset) as stream:`` a seekable binary file at position 0 holding
    exactly the bytes uploaded; raises ``EvidenceChanged`` (and records it) otherwise."""
    storage = dataset.file.storage
    name = dataset.file.name
    obj = _s3_object(storage, name)
    if obj is None:
        handle = _open_local(storage, name)
        if handle is None:
            raise _failed(dataset, None, reader=reader, actor=actor)
        with handle:
            found = _hash_into(handle)
            if found != dataset.sha256:
                raise _failed(dataset, found, reader=reader, actor=actor)
            handle.seek(0)
            yield handle
        return
    response = _get(obj)
    if response is None:
        raise _failed(dataset, None, reader=reader, actor=actor)
    with tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR) as copy:
        with response["Body"] as body:
            found = _hash_into(body, copy)
        if found != dataset.sha256:
            raise _failed(dataset, found, reader=reader, actor=actor)
        copy.seek(0)
        yield copy


class _Body(io.RawIOBase):
    """An object store's streaming body as a readable file of known size (for FileResponse)."""

    def __init__(self, body, size: int) -> None:
        self._body = body
        self.size = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()


def verified_download(dataset: Dataset, *, actor: User | None) -> tuple[BinaryIO, int]:
    """The stored file for a download and its size, once every byte of it matched the upload's
    SHA-256. Raises ``EvidenceUnavailable`` (recorded in the audit log) otherwise, before any
    byte is served."""
    storage = dataset.file.storage
    name = dataset.file.name
    obj = _s3_object(storage, name)
    found: str | None = None
    if obj is None:
        handle = _open_local(storage, name)
        if handle is not None:
            found = _hash_into(handle)
            if found == dataset.sha256:
                handle.seek(0)
                return handle, handle.size
            handle.close()
    else:
        first = _get(obj)
        if first is not None:
            with first["Body"] as body:
                found = _hash_into(body)
            if found == dataset.sha256:
                # Refused by the store (412) if the object was replaced since it was hashed.
                second = _get(obj, IfMatch=first["ETag"])
                if second is not None:
                    return io.BufferedReader(
                        _Body(second["Body"], second["ContentLength"]), CHUNK_BYTES
                    ), second["ContentLength"]
                found = None
    _failed(dataset, found, reader="download", actor=actor)
    raise EvidenceUnavailable(
        _(
            "%(name)s is not served: the stored file no longer matches the SHA-256 recorded "
            "when it was uploaded. The failed check was recorded in the audit log."
        )
        % {"name": dataset.original_name}
    )


def storage_ready(storage: Storage) -> str:
    """Make sure ``storage`` can keep files: the bucket exists (created if it does not), and a
    probe object is written, read back and deleted. Returns where files go; raises otherwise."""
    from django.core.files.base import ContentFile

    bucket = getattr(storage, "bucket", None)
    where = str(getattr(storage, "location", "")) or "the filesystem"
    if bucket is not None:
        from botocore.exceptions import ClientError

        client = storage.connection.meta.client
        try:
            client.head_bucket(Bucket=bucket.name)
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") != 404:
                raise
            region = client.meta.region_name
            client.create_bucket(
                Bucket=bucket.name,
                **(
                    {"CreateBucketConfiguration": {"LocationConstraint": region}}
                    if region and region != "us-east-1"
                    else {}
                ),
            )
        where = f"s3://{bucket.name}/{storage.location} at {client.meta.endpoint_url}"
    probe = storage.save("probe/ready.txt", ContentFile(b"ready"))
    try:
        with storage.open(probe, "rb") as handle:
            if handle.read() != b"ready":
                raise OSError(f"{where}: a probe object read back differently")
    finally:
        storage.delete(probe)
    return where
