"""Celery tasks of reports: thin adapters that load by id and call a service.

Each is registered under the name its hand-off declares (``certification.handoff`` for the
certificate ``certification`` asks for, ``reports.handoffs`` for reports' own). Deliveries retry
with ``WEBHOOK_RETRY_BASE_SECONDS`` x 2^retries (Celery's own ``retry_backoff`` counts in whole
seconds with jitter; this lets a test run the whole schedule in a second).
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from certification import handoff
from reports import audit_checkpoints, delivery, digest, handoffs, services, sweep


@shared_task(
    name=handoff.ISSUE_CERTIFICATE.task_name,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def issue_certificate(submission_id: int) -> str:
    return services.certificate_issue(submission_id=submission_id).number


@shared_task(name="reports.expire_certificates")
def expire_certificates() -> int:
    return services.certificates_expire()


@shared_task(name="reports.publish_audit_checkpoint")
def publish_audit_checkpoint() -> int:
    """Beat, hourly: a signed checkpoint of the audit log; returns its event count."""
    return audit_checkpoints.checkpoint_publish().event_count


@shared_task(name="reports.send_daily_digests")
def send_daily_digests() -> dict:
    """Beat, daily: the digest e-mail of each user who chose it (reports/digest.py)."""
    return digest.digests_send()


@shared_task(name="reports.sweep")
def sweep_owed_work() -> dict:
    """Beat, every minute: hand the workers again what the broker lost (certificates of approved
    submissions, watchers' notifications, deliveries)."""
    return sweep.reports_sweep()


@shared_task(
    name=handoffs.NOTIFY_WATCHERS.task_name,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def notify_watchers(event_id: int) -> int:
    return delivery.notify_event(event_id=event_id)


@shared_task(
    bind=True,
    name=handoffs.DELIVER_WEBHOOK.task_name,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=delivery.WEBHOOK_MAX_RETRIES,
    acks_late=True,
)
def deliver_webhook(self, notification_id: int) -> str:
    try:
        return delivery.webhook_deliver(
            notification_id=notification_id, final=self.request.retries >= self.max_retries
        )
    except delivery.TransientDeliveryError as exc:
        raise self.retry(
            exc=exc, countdown=delivery.retry_countdown_s(self.request.retries)
        ) from exc


@shared_task(
    bind=True,
    name=handoffs.DELIVER_EMAIL.task_name,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=delivery.EMAIL_MAX_RETRIES,
    acks_late=True,
)
def deliver_email(self, notification_id: int) -> str:
    try:
        return delivery.email_deliver(
            notification_id=notification_id, final=self.request.retries >= self.max_retries
        )
    except delivery.TransientDeliveryError as exc:
        raise self.retry(
            exc=exc, countdown=delivery.retry_countdown_s(self.request.retries)
        ) from exc
