"""The object store behind ``STORAGE_URL`` (portal/settings.py): django-storages' S3Storage,
with one boto3 session per thread and key pair, reused by every storage instance, and uploads
that hold a bounded number of parts in memory.

A new boto3 session loads the S3 service description again (about a quarter of a second); the
portal makes a storage instance whenever the storage settings change (every test) and a
connection per thread, so each would pay it. Sessions are not shared between threads.

An upload of a file object (Django's uploaded file) is sent in 8 MiB parts, four at a time, with
at most four parts read ahead (s3transfer reads ten ahead by default: +100 MiB per upload in a
web worker, against +60 MiB here, measured with bench/upload_large.py).
"""

from __future__ import annotations

import threading

from boto3.s3.transfer import TransferConfig
from storages.backends.s3 import S3Storage

_local = threading.local()
PART_BYTES = 8 * 1024 * 1024
PARTS_AT_ONCE = 4


def _transfer_config() -> TransferConfig:
    config = TransferConfig(
        multipart_threshold=PART_BYTES,
        multipart_chunksize=PART_BYTES,
        max_concurrency=PARTS_AT_ONCE,
    )
    # s3transfer's read-ahead of a file object's parts (not a boto3 argument).
    config.max_in_memory_upload_chunks = PARTS_AT_ONCE
    return config


class ObjectStorage(S3Storage):
    def get_default_settings(self):
        return {**super().get_default_settings(), "transfer_config": _transfer_config()}

    def _create_session(self):
        sessions = getattr(_local, "sessions", None)
        if sessions is None:
            sessions = _local.sessions = {}
        key = (self.session_profile, self.access_key, self.secret_key, self.security_token)
        if key not in sessions:
            sessions[key] = super()._create_session()
        return sessions[key]
