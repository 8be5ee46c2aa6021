"""From review to verification in a real browser, with the real Celery worker issuing the
certificate (WeasyPrint, signing) and the real PostgreSQL notifications keeping the public
answers live.

Two reviewers approve on the submission page (the first sees "1 of 2 approvals"); the worker
issues the certificate; anyone finds it on /verify/ by its number, valid; a reviewer suspends it
on the certificate page; the public page and the API say "suspended" at once, in English and in
Chinese. Screenshots go to test-results/.
"""

from __future__ import annotations

import time

import pytest

from tests.e2e.browser import RESULTS, log_in, log_out
from tests.web.reviewing import evaluate

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

ISSUED_WITHIN_S = 90  # rendering and signing in the worker takes well under a second
SEEN_WITHIN_S = 5


def _approve(page, submission_pk: int, reason: str) -> None:
    page.goto(f"/submissions/{submission_pk}/#review")
    page.check("#decision-form input[name=decision][value=approve]")
    page.fill("#decision-reason", reason)
    with page.expect_navigation():
        page.click("#decision-form button[type=submit]")


def _reload_until(page, selector: str, text: str, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while not page.locator(selector, has_text=text).count():
        assert time.monotonic() < deadline, f"{selector} never read {text!r}"
        time.sleep(0.2)
        page.reload()


def test_reviewers_approve_the_worker_issues_and_anyone_verifies(
    browser_page, celery_worker, cast, submission
):
    page = browser_page
    evaluate(submission, cast)

    # Four eyes: the first approval is not enough for an all-solid-state battery.
    log_in(page, "reviewer")
    _approve(page, submission.pk, "Weight loss and energy density well inside the limits.")
    assert "1 of 2" in page.locator("#approval-count").inner_text()
    log_out(page)

    # The second approval; the worker renders and signs the certificate.
    log_in(page, "reviewer2")
    _approve(page, submission.pk, "Agreed; evidence complete.")
    _reload_until(page, "#certificate .cert-number", "SSB-", ISSUED_WITHIN_S)
    number = page.locator("#certificate .cert-number").inner_text().strip()
    page.screenshot(path=str(RESULTS / "submission-certified.png"), full_page=True)
    log_out(page)

    # Anyone finds it by its number.
    page.goto("/verify/")
    page.fill("form[method=get] input[name=number]", number)
    with page.expect_navigation():
        page.press("form[method=get] input[name=number]", "Enter")
    assert page.url.endswith(f"/verify/{number}")
    assert page.locator("#status").inner_text().strip() == "Valid"
    assert "Valid: issued on" in page.locator("#statement").inner_text()
    page.screenshot(path=str(RESULTS / "verify-valid.png"), full_page=True)

    # A reviewer of the certification body suspends it on the certificate page.
    log_in(page, "reviewer")
    page.goto(f"/certificates/{number}/")
    form = page.locator("form.status-action-suspended")
    form.locator("textarea[name=reason]").fill("Audit of the production line pending.")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    log_out(page)

    # The public page and the API say so at once, with when and why.
    page.goto(f"/verify/{number}")
    _reload_until(page, "#status", "Suspended", SEEN_WITHIN_S)
    assert "Audit of the production line pending." in page.locator("#statement").inner_text()
    answer = page.request.get(f"/api/v1/verify/{number}/").json()
    assert answer["status"] == "suspended" and answer["is_valid"] is False
    page.screenshot(path=str(RESULTS / "verify-suspended.png"), full_page=True)

    # The same page in Chinese.
    page.click("button.lang-option[value='zh-hans']")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("#status").inner_text().strip() == "已暂停"
    page.screenshot(path=str(RESULTS / "verify-suspended-zh-hans.png"), full_page=True)
