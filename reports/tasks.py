"""Celery tasks for certificates: thin adapters that load by id and call a service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from reports import (
    notification_tasks,  # noqa: F401  (registers deliver_email and deliver_webhook)
    services,
)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def issue_certificate(submission_id: int) -> str:
    return services.certificate_issue(submission_id=submission_id).number


@shared_task
def expire_certificates() -> int:
    return services.certificates_expire()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def notify_watchers(event_id: int) -> int:
    from reports.notifications import notify_event

    return notify_event(event_id=event_id)
