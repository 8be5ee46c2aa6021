"""The audit event of a stored file that failed its SHA-256 check (``certification/storage.py``
announces it with the ``integrity_failed`` signal; connected in ``CertificationConfig.ready``)."""

from __future__ import annotations

from django.dispatch import receiver

from certification.models import Dataset, User
from certification.services.common import audit
from certification.storage import integrity_failed


@receiver(integrity_failed, dispatch_uid="certification.integrity_failed.audit")
def record_integrity_failure(
    sender, *, dataset: Dataset, found: str | None, reader: str, actor: User | None, **kwargs
) -> None:
    audit(
        action="dataset.integrity_failed",
        actor=actor,
        submission=dataset.submission,
        dataset=dataset.pk,
        name=dataset.original_name,
        expected_sha256=dataset.sha256,
        found_sha256=found,
        reader=reader,
    )
