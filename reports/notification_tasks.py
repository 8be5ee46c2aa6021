"""Celery tasks that deliver notifications (webhook POSTs and emails), retrying with exponential
backoff.

Celery's own ``retry_backoff`` counts in whole seconds with jitter; the countdown here is
``WEBHOOK_RETRY_BASE_SECONDS`` x 2^retries so a test can run the whole schedule in a second.
Imported by ``reports.tasks`` so that ``autodiscover_tasks`` registers it in every worker.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from reports import notifications


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=notifications.WEBHOOK_MAX_RETRIES,
    acks_late=True,
)
def deliver_webhook(self, notification_id: int) -> str:
    try:
        return notifications.webhook_deliver(
            notification_id=notification_id, final=self.request.retries >= self.max_retries
        )
    except notifications.TransientDeliveryError as exc:
        raise self.retry(
            exc=exc, countdown=notifications.retry_countdown_s(self.request.retries)
        ) from exc


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=notifications.EMAIL_MAX_RETRIES,
    acks_late=True,
)
def deliver_email(self, notification_id: int) -> str:
    try:
        return notifications.email_deliver(
            notification_id=notification_id, final=self.request.retries >= self.max_retries
        )
    except notifications.TransientDeliveryError as exc:
        raise self.retry(
            exc=exc, countdown=notifications.retry_countdown_s(self.request.retries)
        ) from exc
