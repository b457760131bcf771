"""Make a payment in Chromium, in both languages (FIN-6, X-1, X-2): from the transaction
history, a wrong amount told next to its field, two debits chosen, paid by card on the
TEST payment processor's hosted page (its own process), back to the receipt; a declined
card leaves everything open. axe-core on every page, the processor's included."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.tests.factories import UserFactory
from business.tests.factories import ProgramAccountFactory
from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from finance import services
from finance.models import CardPayment, Transaction
from finance.tests.factories import TransactionFactory
from tests.browser.conftest import axe_violations, screenshot, sign_in_as
from tests.processor.harness import DECLINED, SUCCEEDS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = datetime.date

WORDS = {
    "en": {
        "pay": "Make a payment",
        "amount": "Or an amount to pay on account",
        "continue": "Continue",
        "no_dollar": "without $ or commas",
        "total": "$350.50",
        "card": "Pay by credit or debit card",
        "number": "Card number",
        "submit": "Pay",
        "receipt": "Payment receipt",
        "declined": "Payment declined",
        "pdf": "Download the receipt (PDF)",
        "paid": "Paid",
    },
    "fr": {
        "pay": "Effectuer un paiement",
        "amount": "Ou un montant à payer en acompte",
        "continue": "Continuer",
        "no_dollar": "sans $ ni virgule",
        "total": "350,50\u00a0$",
        "card": "Payer par carte de crédit ou de débit",
        "number": "Numéro de carte",
        "submit": "Payer",
        "receipt": "Reçu de paiement",
        "declined": "Paiement refusé",
        "pdf": "Télécharger le reçu (PDF)",
        "paid": "Soldé",
    },
}


def check(page, name: str) -> None:
    screenshot(page, name)
    assert axe_violations(page) == [], name


def world(language: str):
    account = ProgramAccountFactory(business__legal_name="ImporterCompany3084 Inc.")
    user = UserFactory(preferred_language=language, first_name="Test", last_name="Importer")
    EmploymentFactory(
        business=account.business, user=user, role=Employment.Role.BUSINESS_ACCOUNT_MANAGER
    )
    for number, day, amount in [
        ("13409539085999", D(2026, 9, 15), "100.00"),
        ("13409539086005", D(2026, 9, 28), "250.50"),
        ("13409539086062", D(2026, 11, 3), "5.00"),
    ]:
        TransactionFactory(program_account=account, number=number, date=day, amount=Decimal(amount))
    services.transaction_balances_refresh(program_account=account)
    return account, user


def choose_two_debits(page, language: str, name: str) -> None:
    words = WORDS[language]
    page.goto(f"/{language}/finance/transactions/")
    assert page.locator("[data-testid=pay-link]").is_visible()
    # Tick two debits in the history, then "Pay the selected transactions".
    page.locator('input[name="selected"][value="13409539085999"]').check()
    page.locator('input[name="selected"][value="13409539086005"]').check()
    page.locator("[data-testid=pay-selected]").click()
    page.locator("h1", has_text=words["pay"]).wait_for()
    check(page, f"{name}-choose-{language}")
    # A wrong amount: told next to the field, in the page's language; nothing is lost.
    page.get_by_label(words["amount"]).fill("$10")
    page.get_by_role("button", name=words["continue"]).click()
    page.locator(".error-summary").wait_for()
    assert words["no_dollar"] in page.locator("#id_amount-error").inner_text()
    assert page.get_by_label(words["amount"]).input_value() == "$10"
    check(page, f"{name}-error-{language}")
    assert page.get_by_label("13409539085999", exact=False).is_checked()
    assert page.get_by_label("13409539086005", exact=False).is_checked()
    assert not page.get_by_label("13409539086062", exact=False).is_checked()
    page.get_by_label(words["amount"]).fill("")
    page.get_by_role("button", name=words["continue"]).click()
    page.locator("[data-testid=total]").wait_for()
    assert page.locator("[data-testid=total]").inner_text() == words["total"]
    check(page, f"{name}-confirm-{language}")
    page.get_by_role("button", name=words["card"]).click()
    page.locator("input[name=number]").wait_for()  # the processor's hosted page
    assert page.url.startswith("http://127.0.0.1:")
    check(page, f"{name}-processor-{language}")


@pytest.mark.spec("FIN-6", "X-1", "X-2")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_pay_two_debits_by_card_and_get_a_receipt(page, live_server, payment_processor, language):
    words = WORDS[language]
    account, user = world(language)
    sign_in_as(page, live_server, user)
    choose_two_debits(page, language, "payment")
    page.get_by_label(words["number"]).fill(SUCCEEDS)
    page.get_by_role("button", name=words["submit"], exact=True).click()
    page.locator("h1", has_text=words["receipt"]).wait_for()
    assert page.url.startswith(live_server.url)
    check(page, f"payment-receipt-{language}")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 2
    assert all(words["paid"] in rows.nth(i).inner_text() for i in range(2))
    with page.expect_download() as download:
        page.get_by_role("link", name=words["pdf"]).click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    statuses = dict(Transaction.objects.filter(program_account=account).values_list("number", "status"))  # fmt: skip
    assert statuses["13409539085999"] == statuses["13409539086005"] == "paid"
    assert statuses["13409539086062"] == "open"
    assert CardPayment.objects.get().status == "paid"


@pytest.mark.spec("FIN-6", "X-1", "X-2")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_declined_card_leaves_everything_open(page, live_server, payment_processor, language):
    words = WORDS[language]
    account, user = world(language)
    sign_in_as(page, live_server, user)
    choose_two_debits(page, language, "payment-declined")
    page.get_by_label(words["number"]).fill(DECLINED)
    page.get_by_role("button", name=words["submit"], exact=True).click()
    page.locator("h1", has_text=words["declined"]).wait_for()
    check(page, f"payment-declined-{language}")
    assert set(Transaction.objects.filter(program_account=account).values_list("status", flat=True)) == {"open"}  # fmt: skip
    assert CardPayment.objects.get().status == "declined"
