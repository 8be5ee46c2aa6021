"""What the portal's file storage holds, seen behind the portal's back: the same on the filesystem
and on the S3-compatible object store the test command starts (``STORAGE_URL``), so a test that
counts stored objects before and after counts real ones whichever storage the suite runs on."""

from __future__ import annotations

from pathlib import Path

from django.core.files.storage import default_storage


def _bucket():
    return getattr(default_storage, "bucket", None)


def _key(name: str) -> str:
    return default_storage._normalize_name(name)


def stored_names(prefix: str = "") -> set[str]:
    """Every stored object's name under ``prefix`` (e.g. ``evidence/``), as the portal names it."""
    bucket = _bucket()
    if bucket is not None:
        location = f"{default_storage.location}/" if default_storage.location else ""
        return {obj.key[len(location) :] for obj in bucket.objects.filter(Prefix=location + prefix)}
    root = Path(default_storage.location)
    if not root.exists():
        return set()
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and path.relative_to(root).as_posix().startswith(prefix)
    }


def replace_stored(name: str, data: bytes) -> None:
    """Overwrite a stored object's bytes directly in the store, as an intruder or a fault would."""
    bucket = _bucket()
    if bucket is not None:
        bucket.put_object(Key=_key(name), Body=data)
    else:
        Path(default_storage.path(name)).write_bytes(data)


def remove_stored(name: str) -> None:
    bucket = _bucket()
    if bucket is not None:
        bucket.Object(_key(name)).delete()
    else:
        Path(default_storage.path(name)).unlink()


def read_stored(name: str) -> bytes:
    bucket = _bucket()
    if bucket is not None:
        return bucket.Object(_key(name)).get()["Body"].read()
    return Path(default_storage.path(name)).read_bytes()
