"""Celery tasks: thin adapters that load by id and call a service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from certification import services


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),  # a transient database fault; the service is idempotent
    retry_backoff=True,
    max_retries=5,
)
def evaluate_submission(self, evaluation_id: int) -> str:
    evaluation = services.evaluation_run(evaluation_id=evaluation_id)
    return evaluation.status
