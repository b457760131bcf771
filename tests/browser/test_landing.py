"""The landing page in a real browser, in both languages, with axe-core (SIGN-1, X-1, X-2)."""

import pytest

from tests.browser.conftest import axe_violations, follow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.spec("SIGN-1", "X-1", "X-2")
@pytest.mark.parametrize(
    ("language", "heading", "toggle", "other_heading"),
    [
        ("en", "CARM Client Portal", "Français", "Portail client de la GCRA"),
        ("fr", "Portail client de la GCRA", "English", "CARM Client Portal"),
    ],
)
def test_landing_page_is_accessible_and_toggles(page, language, heading, toggle, other_heading):
    page.goto(f"/{language}/")
    assert page.locator("h1").inner_text() == heading
    # The GC Design System styles and self-hosted fonts are loaded.
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "Lato" in font
    assert page.evaluate("document.fonts.check('700 16px Lato')")
    screenshot(page, f"landing-{language}")
    assert axe_violations(page) == []
    # Keyboard: the first Tab reaches the skip link, which moves focus to main.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    follow(page, page.get_by_role("link", name=toggle))
    assert page.locator("h1").inner_text() == other_heading
    assert page.evaluate("document.documentElement.lang") != language


def test_no_request_leaves_the_site(page, live_server):
    """Fonts and styles are self-hosted: every request goes to the portal itself."""
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.evaluate("() => 0")  # a round trip: Playwright subscribes without waiting
    page.goto("/en/")
    page.wait_for_load_state("networkidle")
    assert f"{live_server.url}/en/" in requests
    assert all(url.startswith(live_server.url) for url in requests), requests
