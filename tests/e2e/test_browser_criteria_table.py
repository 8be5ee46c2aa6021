"""The criteria table fits its card at 1,280 px, in English and Chinese, with the sample tables
and details open: nothing scrolls sideways and nothing spills out of the card. Screenshots go to
test-results/."""

from __future__ import annotations

import pytest

from tests.e2e.browser import RESULTS, log_in
from tests.web.reviewing import evaluate

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

# Widths of the evaluation card, its criteria table's scroll box and the widest thing inside.
MEASURE = """() => {
  const card = document.querySelector('#evaluation');
  const wrap = card.querySelector('.criteria-table').closest('.table-wrap');
  const table = card.querySelector('.criteria-table');
  const cardBox = card.getBoundingClientRect();
  let widest = 0;
  const inner = [...card.querySelectorAll('.criterion-details .table-wrap')];
  for (const el of card.querySelectorAll('.criteria-table *')) {
    // A sample table may scroll inside its own box; what it hides there spills out of nothing.
    if (inner.some(box => box !== el && box.contains(el))) continue;
    const box = el.getBoundingClientRect();
    if (box.width) widest = Math.max(widest, box.right - cardBox.left);
  }
  const scrolled = inner.filter(box => box.scrollWidth > box.clientWidth).length;
  return {card: card.clientWidth, scrolled: scrolled, wrap: wrap.clientWidth, scroll: wrap.scrollWidth,
          table: table.getBoundingClientRect().width, widest: widest,
          page: document.documentElement.scrollWidth, viewport: window.innerWidth};
}"""


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_criteria_table_fits_its_card_at_1280_px(
    browser_page, live_server, cast, submission, language
):
    page = browser_page
    # A hybrid cell claimed solid-state: samples, conditions, flags and long sentences.
    evaluate(submission, cast, profile="hybrid_solid_liquid")
    log_in(page, "maker")
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"/submissions/{submission.pk}/#evaluation", wait_until="load")
    for details in page.locator("#evaluation .measured-details").all():
        details.evaluate("el => el.open = true")
    assert page.locator("html").get_attribute("lang") == language
    size = page.evaluate(MEASURE)
    page.locator("#evaluation").screenshot(path=str(RESULTS / f"criteria-table-{language}.png"))
    assert size["viewport"] == 1280
    assert size["page"] <= size["viewport"], size  # the page itself never scrolls sideways
    assert size["scroll"] <= size["wrap"], size  # the table needs no sideways scrolling
    assert size["table"] <= size["card"], size
    assert size["widest"] <= size["card"] + 1, size
