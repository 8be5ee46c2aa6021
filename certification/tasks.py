"""Celery tasks of certification: thin adapters that load by id and call a service.

Each is registered under the name its hand-off declares (``certification.handoff``)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from certification import handoff, services


@shared_task(
    name=handoff.EVALUATE_SUBMISSION.task_name,
    autoretry_for=(OperationalError,),  # a transient database fault; the service is idempotent
    retry_backoff=True,
    max_retries=5,
)
def evaluate_submission(evaluation_id: int) -> str:
    return services.evaluation_run(evaluation_id=evaluation_id).status


@shared_task(name="certification.sweep_evaluations")
def sweep_evaluations() -> int:
    """Beat, every minute: send again every evaluation the broker or a worker lost."""
    return services.evaluations_sweep()


@shared_task(
    name=handoff.PARSE_DATASET.task_name,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def parse_dataset(dataset_id: int) -> str:
    """Read an uploaded raw instrument file (issue 11: parsed by a worker, not the request)."""
    return services.dataset_parse(dataset_id=dataset_id).parse_status


@shared_task(name="certification.sweep_parses")
def sweep_parses() -> int:
    """Beat, every minute: send again every raw-file parse the broker or a worker lost."""
    return services.parses_sweep()


@shared_task(
    name=handoff.ANALYSE_RULESET_IMPACT.task_name,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def analyse_ruleset_impact(analysis_id: int) -> str:
    """What a proposed rule set would change for every current certificate (issue 8)."""
    return services.impact_analysis_run(analysis_id=analysis_id).status


@shared_task(name="certification.sweep_impact_analyses")
def sweep_impact_analyses() -> int:
    """Beat, every minute: send again every impact analysis the broker or a worker lost."""
    return services.impact_analyses_sweep()
