"""Evidence you can see, in a real browser with a real worker (issue 11): the lab uploads a large
cycler file and a chamber log through the page, watches the worker read them (percentage, rows),
then sees what the portal made of each file and its chart, drawn under the page's CSP; after the
evaluation the maker sees the results per sample and opens the evaluation report PDF."""

from __future__ import annotations

import io

import pytest

from tests.e2e.browser import RESULTS, log_in, log_out
from tests.web.sheets import PASSING

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def big_cycler_file(rows: int) -> bytes:
    """A charge, then a 3 h 1 I3 discharge of a 50 Ah cell, in ``rows`` rows."""
    out = io.StringIO()
    out.write("Test Time / s,Voltage / V,Current / A\n")
    half = rows // 2
    step = 10800 / half
    for i in range(half):
        out.write(f"{i * step:.3f},{3.0 + 1.2 * i / half:.5f},16.666667\n")
    for i in range(half):
        out.write(f"{10800 + 60 + i * step:.3f},{4.2 - 1.1 * i / half:.5f},-16.666667\n")
    return out.getvalue().encode()


def chamber_log() -> bytes:
    rows = ["time_s,temperature_c,pressure_pa", "0,25,101325"]
    for minute in range(1, 8 * 60):
        temperature = 120.0 if minute >= 30 else 25 + 95 * minute / 30
        temperature += 3.6 if minute == 200 else 0  # one excursion to 123.6 °C at 3:20
        rows.append(f"{minute * 60},{temperature:.1f},{500 if minute >= 10 else 101325}")
    return ("\n".join(rows) + "\n").encode()


def _upload(page, kind: str, name: str, content: bytes) -> None:
    page.select_option("#id_kind", kind)
    page.set_input_files(
        "#id_file", files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    with page.expect_navigation():
        page.click(".upload-form button[type=submit]")


def test_the_lab_watches_its_files_read_and_sees_their_pictures(
    browser_page, celery_worker, cast, submission
):
    page = browser_page
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    detail = f"/submissions/{submission.pk}/"
    log_in(page, "lab")
    page.goto(detail)
    for kind, content in PASSING.items():
        _upload(page, kind, f"{kind}.csv", content.encode())

    _upload(page, "cycler", "discharge.bdf.csv", big_cycler_file(400_000))
    assert "is reading it now" in page.locator(".message-success").first.inner_text()
    # The row shows the parse while the worker reads, then what it made of the file.
    feedback = page.locator(".file-feedback").first
    feedback.wait_for()
    page.screenshot(path=str(RESULTS / "evidence-reading.png"), full_page=True)
    page.locator(".file-feedback[data-status='parsed']").first.wait_for(timeout=120_000)
    facts = page.locator(".file-feedback[data-status='parsed']").first.inner_text()
    assert "Battery Data Format CSV" in facts and "400000" in facts.replace(",", "")

    _upload(page, "chamber_log", "chamber.csv", chamber_log())
    # Locators, not wait_for_function: a polled string predicate is eval'd in the page, which
    # the page's CSP (no 'unsafe-eval') refuses, as it should.
    page.locator(".file-feedback[data-status='parsed']").nth(1).wait_for(timeout=60_000)
    # Both charts are drawn (SVG) by the page's own scripts, with no CSP violation.
    page.locator(".chart.is-drawn svg").nth(1).wait_for(timeout=30_000)
    chamber_chart = page.locator(".chart", has_text="chamber.csv")
    assert "Longest hold" in chamber_chart.inner_text()
    box = chamber_chart.locator("svg").first.bounding_box()
    assert box and box["width"] > 400 and box["height"] > 200
    page.screenshot(path=str(RESULTS / "evidence-pictures.png"), full_page=True)
    assert not violations, violations
    log_out(page)

    log_in(page, "maker")
    page.goto(detail)
    with page.expect_navigation():
        page.click("#submit-button")
    page.locator("#determined-class").wait_for(timeout=90_000)
    page.locator("#evaluation-pictures .chart.is-drawn svg").nth(1).wait_for(timeout=30_000)
    page.screenshot(path=str(RESULTS / "evaluation-pictures.png"), full_page=True)
    report = page.request.get(f"/submissions/{submission.pk}/evaluation-report.pdf")
    assert report.status == 200 and report.body().startswith(b"%PDF-")
    assert not violations, violations
