"""Small things a user notices, in Debian's Chromium (Playwright) at 1,280 px: the menu stays on
one line for every role, in English and Chinese; the API's Redoc page renders with every
request to anywhere but the portal refused. Screenshots go to test-results/."""

from __future__ import annotations

from pathlib import Path

import pytest

from certification.models import User
from tests.conftest import make_user
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, RESULTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium(live_server):
    """A Chromium page at the live test server, 1,280 px wide; requests that leave the portal
    are refused and listed in ``page.outside``."""
    from playwright import sync_api

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is not installed: apt-get install chromium (make test does)")
    RESULTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB"
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.outside = []
        page.problems = []

        def only_the_portal(route):
            url = route.request.url
            if url.startswith(live_server.url) or url.startswith(("blob:", "data:")):
                route.continue_()
            else:
                page.outside.append(url)
                route.abort()

        page.route("**/*", only_the_portal)
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.on(
            "console",
            lambda message: message.type == "error" and page.problems.append(message.text),
        )
        try:
            yield page
        finally:
            context.close()
            browser.close()


# The nav's height, the height of one of its links, and how many rows its links sit on.
NAV = """() => {
  const nav = document.querySelector('.main-nav');
  const links = [...nav.querySelectorAll('a')];
  const tops = new Set(links.map(a => Math.round(a.getBoundingClientRect().top)));
  const header = document.querySelector('.header-inner').getBoundingClientRect();
  return {nav: nav.getBoundingClientRect().height, link: links[0].getBoundingClientRect().height,
          rows: tops.size, links: links.map(a => a.textContent.trim()),
          header: header.height, page: document.documentElement.scrollWidth};
}"""

ROLES = ["maker", "lab", "reviewer", "automaker", "regulator", "admin"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("role", ROLES)
def test_the_menu_is_one_line_at_1280_px(chromium, live_server, cast, role, language):
    if role == "admin":
        make_user("admin", cast["reviewer"].organisation, User.Role.ADMIN, is_superuser=True,
                  is_staff=True)  # fmt: skip
    page = chromium
    log_in(page, role)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto("/", wait_until="load")
    size = page.evaluate(NAV)
    page.locator(".site-header").screenshot(path=str(RESULTS / f"menu-{role}-{language}.png"))
    assert size["rows"] == 1, size
    assert size["nav"] <= size["link"] + 1, size  # the nav is exactly one line high
    assert size["page"] <= 1280, size
    assert page.outside == []


def test_redoc_renders_from_the_portal_alone(chromium, cast):
    page = chromium
    log_in(page, "maker")
    page.goto("/api/v1/redoc/", wait_until="load")
    # Redoc drew the API: its title, and the operations' menu.
    title = page.locator("#redoc-container h1").first
    title.wait_for()
    assert "certification portal API" in title.text_content()
    assert page.locator("#redoc-container [role=menuitem], #redoc-container label").count() > 10
    page.screenshot(path=str(RESULTS / "redoc.png"))
    assert page.outside == []  # no font, script or style from anywhere else
    assert [p for p in page.problems if "Content Security Policy" in p] == []


def test_an_automaker_sends_a_test_event_and_reads_the_log(chromium, cast, settings):
    from tests.reports.conftest import HookServer

    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True  # the receiver listens on 127.0.0.1
    page = chromium
    with HookServer([200]) as hook:
        log_in(page, "automaker")
        page.click(".main-nav a:has-text('Webhooks')")
        page.fill("#id_url", hook.url)
        page.click("button:has-text('Add webhook')")
        page.click("button:has-text('Send a test event')")
        page.wait_for_selector("#delivery-log [data-delivery]")
        assert len(hook.requests) == 1
    row = page.locator("#delivery-log [data-delivery]").first.text_content()
    assert "webhook.test" in row and "200" in row
    assert "HTTP 200" in page.locator(".messages").text_content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(RESULTS / "webhook-log.png"), full_page=True)
