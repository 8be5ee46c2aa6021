"""The object store behind ``STORAGE_URL`` (portal/settings.py): django-storages' S3Storage,
with one boto3 session per thread and key pair, reused by every storage instance.

A new boto3 session loads the S3 service description again (about a quarter of a second); the
portal makes a storage instance whenever the storage settings change (every test) and a
connection per thread, so each would pay it. Sessions are not shared between threads.
"""

from __future__ import annotations

import threading

from storages.backends.s3 import S3Storage

_local = threading.local()


class ObjectStorage(S3Storage):
    def _create_session(self):
        sessions = getattr(_local, "sessions", None)
        if sessions is None:
            sessions = _local.sessions = {}
        key = (self.session_profile, self.access_key, self.secret_key, self.security_token)
        if key not in sessions:
            sessions[key] = super()._create_session()
        return sessions[key]
