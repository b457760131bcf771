"""The duties and taxes calculator in Debian's Chromium, in both languages, with axe-core
(CALC-1 … CALC-4, X-1, X-2, X-3): sign in, classification assistance, Douanes, Sommaire."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from calculator import loaders
from tests.browser.conftest import axe_violations, follow, screenshot, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "help": "Classification assistance",
        "search": "Search",
        "query": "cotton T-shirts",
        "use": "Use 6109.10.00.12",
        "validate": "Validate the data entered",
        "summary": "Summary",
        "total": "Total duties and taxes",
        "amount": "$32.73",
        "start_over": "Start over",
        "origin": "United States of America",
    },
    "fr": {
        "help": "Aide au classement",
        "search": "Rechercher",
        "query": "t-shirt coton",
        "use": "Utiliser 6109.10.00.12",
        "validate": "Valider les données saisies",
        "summary": "Sommaire",
        "total": "Total des droits et taxes",
        "amount": "32,73\xa0$",
        "start_over": "Recommencer",
        "origin": "États-Unis",
    },
}


def sign_in(page, live_server, language):
    sign_in_as(page, live_server, UserFactory(preferred_language=language))
    page.goto(f"/{language}/calculator/")


@pytest.mark.spec("CALC-1", "CALC-2", "CALC-3", "CALC-4", "X-1", "X-2")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_calculator_journey(page, live_server, language):
    loaders.calculator_demo_load()
    words = WORDS[language]
    sign_in(page, live_server, language)
    assert axe_violations(page) == []

    # Aide au classement: words → a result → the number fills the Douanes step.
    page.get_by_role("button", name=words["help"]).click()
    page.fill("#id_q", words["query"])
    page.get_by_role("button", name=words["search"], exact=True).click()
    expect(page.locator(".tariff-result").first).to_be_visible()
    screenshot(page, f"calculator-classification-{language}")
    assert axe_violations(page) == []
    page.get_by_role("button", name=words["use"]).click()
    expect(page.locator("#id_number")).to_have_value("6109.10.00.12")

    # Douanes: the treatments follow the origin (JavaScript enhancement of the API).
    page.select_option("#id_origin", "US")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('#id_treatment option')).some(o => o.value === 'UST')"
    )
    page.fill("#id_shipping_date", "2026-11-20")
    page.fill("#id_value", "100")
    page.select_option("#id_currency", "USD")
    # A bad value first: the error is announced next to the field, nothing is lost.
    page.fill("#id_value", "-5")
    page.get_by_role("button", name=words["validate"]).click()
    expect(page.locator("#id_value-error")).to_be_visible()
    assert page.input_value("#id_number") == "6109.10.00.12"
    screenshot(page, f"calculator-customs-error-{language}")
    assert axe_violations(page) == []
    page.fill("#id_value", "100")
    page.get_by_role("button", name=words["validate"]).click()

    # Sommaire.
    page.wait_for_url(re.compile(f"/{language}/calculator/summary/"))
    assert (
        page.locator(".calculator-steps [aria-current=step]")
        .inner_text()
        .endswith(words["summary"])
    )
    total = page.locator("tfoot tr.total")
    assert words["total"] in total.inner_text()
    assert words["amount"] in total.inner_text()
    assert page.locator("[data-print]").is_visible()  # shown by JavaScript only
    screenshot(page, f"calculator-summary-{language}")
    assert axe_violations(page) == []

    page.get_by_role("button", name=words["start_over"]).click()
    page.wait_for_url(re.compile(f"/{language}/calculator/(#.*)?$"))
    assert page.input_value("#id_number") == ""


@pytest.mark.spec("SIGN-1", "X-1", "X-2")
@pytest.mark.parametrize(
    ("language", "link"), [("en", "Duties and taxes API"), ("fr", "API des droits et taxes")]
)
def test_open_api_catalogue_and_documentation(page, live_server, language, link):
    """The catalogue links to the API's documentation page; both pass axe-core."""
    page.goto(f"/{language}/open-api/")
    assert axe_violations(page) == []
    follow(page, page.get_by_role("link", name=link))
    assert page.locator("h1").inner_text() == link
    assert page.locator(".api-operation").count() == 6
    screenshot(page, f"api-docs-{language}")
    assert axe_violations(page) == []
