"""Nothing lost, nothing done twice: the broker and the worker are killed at each step of an
evaluation's hand-off, with the real processes, and every evaluation still finishes exactly once.

- before the send: the broker is down when the maker submits;
- after the send: the broker took the message, then restarted without persistence;
- mid-run: the worker is killed (SIGKILL) while it evaluates a large cycler file.

The sweep that beat runs every minute is called here directly, with a one-second hand-off
deadline and a two-second lease (the worker gets the same settings).
"""

from __future__ import annotations

import io
import signal
import time

import pytest

from certification import services
from certification.models import AuditEvent, Evaluation, Product, Submission
from tests.conftest import PRODUCT_FIELDS, upload_read
from tests.e2e.conftest import start_worker, stop_worker
from tests.handoff import PrivateRedis, broker_at
from tests.samples import sample_sheet

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHEETS = ("weight_loss", "electrolyte_content", "energy_density", "safety")
FAST = {"HANDOFF_DEADLINE_SECONDS": "1", "EVALUATION_LEASE_SECONDS": "2"}
E = Evaluation.Status


def big_cycler_file(rows: int) -> bytes:
    """A BDF discharge at 50/3 A over ``rows`` one-second steps: slow enough to kill mid-run."""
    out = io.StringIO()
    out.write("Test Time / s,Voltage / V,Current / A\n")
    for i in range(rows):
        out.write(f"{i},{4.2 - 1.2 * i / rows:.6f},-16.666667\n")
    return out.getvalue().encode()


def ready_submission(cast, orgs, n: int, *, cycler: bytes | None = None) -> Submission:
    product = Product.objects.create(
        manufacturer=orgs["maker"],
        created_by=cast["maker"],
        **{**PRODUCT_FIELDS, "model_number": f"REL-{n}"},
    )
    submission = services.submission_create(
        user=cast["maker"], product=product, claimed_class="all_solid_state", lab=orgs["lab"]
    )
    files = [(kind, f"{kind}.csv", sample_sheet(kind)) for kind in SHEETS]
    if cycler is not None:
        files.append(("cycler", "discharge.bdf.csv", cycler))
    for kind, name, data in files:
        upload_read(submission, cast["lab"], kind, data, name)
    return submission


def wait_for(predicate, timeout_s: float, what: str, tick=None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if tick is not None:
            tick()
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout_s} s waiting for {what}")


def test_every_evaluation_finishes_exactly_once_whatever_is_killed(
    cast, orgs, settings, tmp_path, test_database_url, e2e_media_root
):
    settings.HANDOFF_DEADLINE_SECONDS = 1
    settings.EVALUATION_LEASE_SECONDS = 2
    broker = PrivateRedis(tmp_path)
    broker.start()
    log = tmp_path / "workers.log"
    worker = None

    def new_worker():
        return start_worker(
            broker=broker.url,
            database_url=test_database_url,
            media_root=e2e_media_root,
            log_path=log,
            env=FAST,
        )

    try:
        with broker_at(broker.url):
            before_send = ready_submission(cast, orgs, 1)
            after_send = ready_submission(cast, orgs, 2)
            mid_run = ready_submission(cast, orgs, 3, cycler=big_cycler_file(400_000))

            # Before the send: the broker is down when the maker submits.
            broker.kill()
            first = services.submission_submit(user=cast["maker"], submission=before_send)
            assert first.stage == Evaluation.Stage.WAITING_FOR_WORKERS

            # After the send: the broker took it, then lost it in a restart without persistence.
            broker.start()
            second = services.submission_submit(user=cast["maker"], submission=after_send)
            assert second.sent_at is not None and broker.queued() == 1
            broker.kill()
            broker.start()
            assert broker.queued() == 0

            # Mid-run: a worker takes the third and is killed while it evaluates.
            worker = new_worker()
            third = services.submission_submit(user=cast["maker"], submission=mid_run)
            wait_for(
                lambda: Evaluation.objects.get(pk=third.pk).status == E.RUNNING,
                30,
                "the worker to start the third evaluation",
            )
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            worker = None
            assert Evaluation.objects.get(pk=third.pk).status == E.RUNNING

            # A new worker, and the sweep as beat would run it: everything finishes.
            worker = new_worker()
            evaluations = [first, second, third]
            wait_for(
                lambda: all(
                    Evaluation.objects.get(pk=e.pk).status in (E.DONE, E.ERROR) for e in evaluations
                ),
                120,
                "every evaluation to finish",
                tick=services.evaluations_sweep,
            )
            # Let any duplicate the sweep sent meanwhile reach the worker, and do nothing.
            time.sleep(2)
    finally:
        if worker is not None:
            stop_worker(worker)
        broker.kill()

    for evaluation in evaluations:
        evaluation.refresh_from_db()
        assert evaluation.status == E.DONE, (evaluation.pk, evaluation.error)
        finished = AuditEvent.objects.filter(
            action="evaluation.finished", detail__evaluation=evaluation.pk
        )
        assert finished.count() == 1
        assert evaluation.submission.status == Submission.Status.AWAITING_REVIEW
    assert (
        Evaluation.objects.filter(submission__in=[e.submission_id for e in evaluations]).count()
        == 3
    )
    assert "lease lapsed" in log.read_text()
