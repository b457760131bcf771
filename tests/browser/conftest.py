"""Playwright driving Debian's Chromium (Playwright's own browser download does not work
here), with axe-core from the front-end packages for accessibility checks.

Screenshots (``screenshot()``, into test-artifacts/) are for people reading them: taken
on every call locally, and under CI (``CI`` set; nothing keeps them there) only for a
test that fails, of its page as it was at the failure. ``BROWSER_SCREENSHOTS=all`` or
``failures`` chooses."""

import contextlib
import os
import re
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in the test thread; Django's live server and
# fixtures are synchronous code that Django would otherwise refuse to run there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS") or (
    "failures" if os.environ.get("CI") else "all"
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}: CI must install it")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep the call's report on the test item: the ``page`` fixture screenshots a failure."""
    report = yield
    if report.when == "call":
        item.browser_call_failed = report.failed
    return report


@pytest.fixture
def page(browser, live_server, settings, request):
    # Django's live server runs without DEBUG; static files come from the finders.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    if getattr(request.node, "browser_call_failed", False):
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.nodeid.split("::")[-1])
        with contextlib.suppress(Exception):  # the failure itself is what gets reported
            _save_screenshot(page, f"failed-{name}")
    context.close()


# axe-core's violations only (``resultTypes``: it builds no selectors for the passes,
# the incomplete and the inapplicable, which it would otherwise do for every node), in
# the shape the tests compare, built in the page: the whole result never crosses over.
AXE_RUN = """async () => {
    const result = await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
        resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
        id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target),
    }));
}"""


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.1 A and AA rules) on the page; return its violations."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN)


def screenshot(page, name: str) -> Path | None:
    """A full-page screenshot in test-artifacts/ (under CI, only of a failure: above)."""
    if SCREENSHOTS != "all":
        return None
    return _save_screenshot(page, name)


def _save_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def follow(page, target) -> None:
    """Click ``target`` (a selector or a locator) that leads to another page, and wait for
    that page to load: a click does not wait for it, so a check made right after a click
    could read the page being left."""
    with page.expect_navigation():
        if isinstance(target, str):
            page.click(target)  # the first match, as page.click() does
        else:
            target.click()


def sign_in_as(page, live_server, user) -> None:
    """Put a signed-in, onboarded session for ``user`` in the browser (for journeys that
    start after sign-in; the sign-in journeys themselves go through the real pages)."""
    from urllib.parse import urlparse

    from django.conf import settings

    from tests.clients import signed_in_client as _client_for

    client = _client_for(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [
            {
                "name": cookie.key,
                "value": cookie.value,
                "domain": urlparse(live_server.url).hostname,
                "path": "/",
            }
        ]
    )
