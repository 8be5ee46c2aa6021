"""The broker is away when the maker submits, in a real browser: the page says the submission is
safe and waits for the workers; the certification body finds it on the operations page and
re-queues it once the broker is back. Screenshots go to test-results/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from certification.models import Evaluation
from tests.conftest import upload_all
from tests.e2e.browser import RESULTS, log_in, log_out
from tests.handoff import PrivateRedis, broker_at

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_submission_the_broker_missed_is_found_and_requeued(
    browser_page, cast, submission, tmp_path
):
    page = browser_page
    upload_all(submission, cast["lab"])
    broker = PrivateRedis(tmp_path)
    broker.start()
    try:
        with broker_at(broker.url):
            broker.kill()
            log_in(page, "maker")
            page.goto(f"/submissions/{submission.pk}/")
            with page.expect_navigation():
                page.click("#submit-button")
            assert page.locator(
                ".messages", has_text="the workers are unreachable just now"
            ).count()
            assert page.locator("[data-eval-stage]", has_text="workers are unreachable").count()
            page.screenshot(path=str(RESULTS / "operations-submitted-while-away.png"))
            log_out(page)

            # Past the hand-off deadline, the certification body sees it owed.
            Evaluation.objects.filter(submission=submission).update(
                queued_at=timezone.now() - dt.timedelta(minutes=5)
            )
            log_in(page, "reviewer")
            page.goto("/operations/")
            row = page.locator("#stuck-evaluations tr", has_text=f"#{submission.pk}")
            assert row.count() == 1 and "never taken" in row.inner_text()
            page.screenshot(path=str(RESULTS / "operations-backlog.png"), full_page=True)

            broker.start()
            with page.expect_navigation():
                row.locator("button:has-text('Re-queue')").click()
            assert page.locator(".messages", has_text="was sent to the workers again").count()
            assert broker.queued() == 1
            evaluation = Evaluation.objects.get(submission=submission)
            assert evaluation.sent_at is not None
            assert evaluation.stage == Evaluation.Stage.QUEUED
    finally:
        broker.kill()
