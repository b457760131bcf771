"""Resources in Chromium, in both languages (RES-1, X-1, X-2): from the landing page to
the resources, then to a guide; axe-core on each page."""

import pytest

from tests.browser.conftest import axe_violations, follow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": ("Resources", "Trade chain partner user guide - Rulings management"),
    "fr": (
        "Ressources",
        "Guide de l'utilisateur du partenaire de la chaîne commerciale - Gestion des décisions",
    ),
}


@pytest.mark.spec("RES-1", "X-1", "X-2")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_from_the_landing_page_to_a_guide(page, language):
    resources, guide = WORDS[language]
    page.goto(f"/{language}/")
    follow(page, page.locator("main").get_by_role("link", name=resources, exact=True))
    assert page.locator("h1").inner_text() == resources
    screenshot(page, f"resources-{language}")
    assert axe_violations(page) == []
    follow(page, page.get_by_role("link", name=guide))
    assert page.locator("h1").inner_text() == guide
    crumbs = page.locator("nav.breadcrumbs li").all_inner_texts()
    assert crumbs[-2:] == [resources, guide]
    screenshot(page, f"guide-rulings-{language}")
    assert axe_violations(page) == []
