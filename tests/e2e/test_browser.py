"""A person's path through the portal in a real browser, with a real Celery worker.

The lab logs in, uploads the four result sheets of a passing all-solid-state cell and one bad
sheet (and reads the row and column of the problem), logs out; the maker logs in, submits,
watches the progress and sees the determined class. Screenshots go to test-results/.
"""

from __future__ import annotations

import pytest

from tests.e2e.browser import RESULTS, log_in, log_out
from tests.web.sheets import BAD_COLUMN, BAD_ROW, BAD_WEIGHT_LOSS, PASSING

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def _upload(page, kind: str, name: str, content: str) -> None:
    page.select_option("#id_kind", kind)
    page.set_input_files(
        "#id_file", files=[{"name": name, "mimeType": "text/csv", "buffer": content.encode()}]
    )
    with page.expect_navigation():
        page.click(".upload-form button[type=submit]")


def test_lab_uploads_maker_submits_and_sees_the_class(
    browser_page, celery_worker, cast, submission
):
    page = browser_page
    detail = f"/submissions/{submission.pk}/"

    # The laboratory uploads its four result sheets.
    log_in(page, "lab")
    page.click(f"a[href='{detail}']")
    page.wait_for_url(f"**{detail}")
    for kind, content in PASSING.items():
        _upload(page, kind, f"{kind}.csv", content)
        assert page.locator(".message-success").first.is_visible()
        assert page.locator(".evidence-table", has_text=f"{kind}.csv").is_visible()

    # A bad sheet is refused with the row and column of the problem, and nothing is stored.
    _upload(page, "weight_loss", "bad-weight-loss.csv", BAD_WEIGHT_LOSS)
    errors = page.locator(".upload-form .form-errors")
    errors.wait_for()
    assert f"Row {BAD_ROW}, column {BAD_COLUMN}" in errors.inner_text()
    assert page.locator(".evidence-table tbody tr").count() == len(PASSING)
    page.screenshot(path=str(RESULTS / "lab-bad-sheet.png"), full_page=True)
    log_out(page)

    # The maker submits and watches the evaluation run in the worker.
    log_in(page, "maker")
    page.goto(detail)
    with page.expect_navigation():
        page.click("#submit-button")
    panel = page.locator("#evaluation")
    assert (
        panel.locator("[data-eval-progress]").count() == 1
        or panel.locator("#determined-class").count() == 1
    ), "neither progress nor result is shown after submitting"
    page.locator("#determined-class").wait_for(timeout=90_000)
    assert page.locator("#determined-class").inner_text().strip() == "All-solid-state battery"
    assert page.locator(".criteria-table tbody tr").count() >= 4
    assert "gbt-ssb-2026" in panel.inner_text()
    page.screenshot(path=str(RESULTS / "submission-evaluated.png"), full_page=True)

    # The same page in Chinese.
    page.click("button.lang-option[value='zh-hans']")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.locator("#determined-class").wait_for()
    page.screenshot(path=str(RESULTS / "submission-evaluated-zh-hans.png"), full_page=True)
