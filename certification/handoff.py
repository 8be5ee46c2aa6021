"""Hand-offs to the Celery workers: by task name, after the commit, and never lost.

A service that queues work names the task (``HandOff("reports.issue_certificate")``) instead of
importing it, so ``certification`` never imports the ``reports`` worker that issues the
certificate, and no module imports the tasks that call it back. ``checks.py`` makes sure every
name declared here is a task some app registers.

The database row is the source of truth, not the broker: a service writes the row that says
what is owed (an evaluation ``queued``, a submission ``approved`` without a certificate, a
notification ``pending``) in its transaction, and the task is sent after the commit. When the
broker does not take it (Redis down, or restarted without persistence and the message gone), the
row is still there: each app's sweep (``certification.sweep_evaluations``, ``reports.sweep``),
run by Celery beat every minute, sends again whatever is still owed past its deadline. Tasks are
idempotent, so a message sent twice does the work once.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from dataclasses import dataclass

from celery import current_app
from django.apps import apps
from django.db import transaction

logger = logging.getLogger(__name__)

# Every hand-off declared by any app, by task name (for the system check).
DECLARED: dict[str, HandOff] = {}


def load_task_modules() -> None:
    """Import every installed app's ``tasks`` module, as a worker does at start-up, so that every
    task name is registered (Celery's autodiscovery is lazy in a web process)."""
    for app_config in apps.get_app_configs():
        if importlib.util.find_spec(f"{app_config.name}.tasks") is not None:
            importlib.import_module(f"{app_config.name}.tasks")


@dataclass(frozen=True)
class HandOff:
    """A Celery task known only by its name."""

    task_name: str

    def __post_init__(self) -> None:
        DECLARED[self.task_name] = self

    def send(self, *args) -> bool:
        """Send now; False (logged, never raised) when the broker is unreachable."""
        if current_app.conf.task_always_eager:
            # send_task ignores eager mode (CELERY_TASK_ALWAYS_EAGER); run it here, as .delay would.
            load_task_modules()
            current_app.tasks[self.task_name].apply(args=list(args))
            return True
        try:
            current_app.send_task(self.task_name, args=list(args))
        except Exception as exc:  # kombu and redis raise many kinds; each means "not sent"
            logger.warning(
                "broker did not take %s%r (%s: %s); the sweep will send it again",
                self.task_name,
                args,
                type(exc).__name__,
                exc,
            )
            return False
        return True

    def on_commit(self, *args) -> None:
        """Send once the current transaction commits (at once outside a transaction); a refusal
        is logged by ``send`` and left to the sweep."""
        transaction.on_commit(lambda: self.send(*args))


# The hand-offs certification makes, by the name each task is registered under. The second is
# ``reports``' work: certification names it and never imports it.
EVALUATE_SUBMISSION = HandOff("certification.evaluate_submission")
PARSE_DATASET = HandOff("certification.parse_dataset")
ISSUE_CERTIFICATE = HandOff("reports.issue_certificate")
ANALYSE_RULESET_IMPACT = HandOff("certification.analyse_ruleset_impact")
