"""The browser of the end-to-end page tests (Debian's Chromium driven by Playwright, whose own
browser download cannot work here; the fixture is ``browser_page`` in conftest.py) and the
steps every path through the portal takes."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]:has-text('Log in')")
    page.wait_for_url("**/")


def log_out(page) -> None:
    page.click("button:has-text('Log out')")
    page.wait_for_url("**/login/")
