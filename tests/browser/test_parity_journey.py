"""One journey in each language in Debian's Chromium, from the sign-in to a transaction's
detail and a statement's PDF, with no word of the other language on the way outside
``lang`` elements (SPEC X-1): the catalogue and the reference data, as the parity crawl
checks them (tests/test_crawl.py)."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from bs4 import BeautifulSoup
from django.core.management import call_command

from accounts.models import User
from accounts.tests.helpers import totp
from carm_portal.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.conftest import axe_violations, follow, screenshot
from tests.test_crawl import _foreign_texts, _other_language_texts

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

WORDS = {
    # The demo's newest transactions are its commercial accounting declarations (DECL-3).
    "fr": {
        "history": "Historique des transactions",
        "description": "Déclaration en douane commerciale",
    },
    "en": {"history": "Transaction history", "description": "Commercial accounting declaration"},
}


@pytest.mark.spec("X-1", "X-2", "FIN-1", "FIN-2", "SIGN-6")
@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_journey_in_one_language_meets_no_word_of_the_other(
    page, live_server, settings, language
):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    user = User.objects.get(username="demoimporter")
    user.preferred_language = language
    user.save()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    foreign = _other_language_texts()[language]
    seen = []

    def check(name: str) -> None:
        html = BeautifulSoup(page.content(), "html.parser")
        assert html.html["lang"] == language, name
        found = _foreign_texts(html, language, foreign)
        assert found == [], (name, found)
        assert axe_violations(page) == [], name
        seen.append(name)
        screenshot(page, f"parity-{language}-{name}")

    page.goto(f"/{language}/account/sign-in/")
    check("sign-in")
    page.fill("#id_login", "demoimporter")
    page.fill("#id_password", DEMO_PASSWORD)
    follow(page, "#submit-id-sign-in")
    check("second-factor")
    page.fill("#id_code", totp(secret, at=time.time() + 30))
    follow(page, "form[action$='/2fa/authenticate/'] button[type=submit]")
    check("welcome")  # allauth's sign-in message included
    follow(page, "main form button[type=submit]")
    check("terms")
    follow(page, "button[name=accept]")
    check("home")
    assert WORDS[language]["description"] in page.locator("main").inner_text()
    page.goto(f"/{language}/finance/transactions/")
    assert WORDS[language]["history"] in page.locator("h1").inner_text()
    check("transactions")
    page.goto(f"/{language}/finance/invoices/")
    check("invoices")
    follow(page, page.locator("main table a[href*='/finance/invoices/']").first)
    check("invoice-detail")
    page.goto(f"/{language}/finance/statements/")
    check("statements")
    follow(page, page.locator("main table a[href*='/finance/statements/']").first)
    check("statement-detail")
    pdf_link = page.locator("main a[href$='/pdf/']").first
    with page.expect_download() as download:
        pdf_link.click()
    body = open(download.value.path(), "rb").read()  # noqa: PTH123, SIM115
    assert body.startswith(b"%PDF")
    from finance.tests.test_views import pdf_text

    words = pdf_text(body).replace("\\351", "é")  # ReportLab escapes é as \351
    assert ("Relevé de compte" in words) == (language == "fr")
    assert ("Déclaration en douane commerciale" in words) == (language == "fr")
    assert ("Statement of account" in words) == (language == "en")
    assert len(seen) == 10
