"""The finance journeys in Chromium, in both languages: export transactions to CSV,
download a statement PDF, apply a credit, create and cancel a pre-authorized debit;
axe-core on every page (FIN-1 … FIN-5, X-1, X-2)."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.tests.factories import UserFactory
from business.tests.factories import ProgramAccountFactory
from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from finance import services
from finance.models import CreditApplication, PadAgreement, Transaction
from finance.tests.factories import TransactionFactory
from tests.browser.conftest import axe_violations, follow, screenshot, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = datetime.date

WORDS = {
    "en": {
        "history": "Transaction history",
        "export_selected": "Export the selected transactions (CSV)",
        "statement_pdf": "Download the statement (PDF)",
        "apply": "Apply credits as payment",
        "continue": "Continue",
        "apply_credit": "Apply the credit",
        "applied": "Credit applied",
        "setup": "Set up a pre-authorized debit",
        "institution": "Institution number",
        "transit": "Transit number",
        "account": "Account number",
        "holder": "Account holder name",
        "day": "Withdrawal day of the month",
        "terms": "I have read and accept",
        "certify": "I certify",
        "create": "Set up the agreement",
        "cancel": "Cancel the agreement",
        "yes": "Yes, cancel the agreement",
        "none": "has no pre-authorized debit agreement",
        "partial": "does not cover the full amount",
        "amount": "$5.00",
    },
    "fr": {
        "history": "Historique des transactions",
        "export_selected": "Exporter les transactions sélectionnées (CSV)",
        "statement_pdf": "Télécharger le relevé (PDF)",
        "apply": "Appliquer les crédits à titre de paiement",
        "continue": "Continuer",
        "apply_credit": "Appliquer le crédit",
        "applied": "Crédit appliqué",
        "setup": "Mettre en place un débit préautorisé",
        "institution": "Numéro d'institution",
        "transit": "Numéro de transit",
        "account": "Numéro de compte",
        "holder": "Nom du titulaire du compte",
        "day": "Jour du prélèvement dans le mois",
        "terms": "J'ai lu et j'accepte",
        "certify": "J'atteste",
        "create": "Mettre l'accord en place",
        "cancel": "Annuler l'accord",
        "yes": "Oui, annuler l'accord",
        "none": "n'a aucun accord de débit préautorisé",
        "partial": "ne couvre pas le montant total",
        "amount": "5,00\u00a0$",
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
    for number, day, amount, status in [
        ("13409539085999", D(2026, 9, 15), "3000.99", "open"),
        ("13409539086005", D(2026, 9, 28), "562.10", "paid"),
        ("13409539086013", D(2026, 10, 9), "-2000.99", "open_credit"),
        ("13409539086039", D(2026, 10, 26), "-10.00", "open_credit"),
        ("13409539086062", D(2026, 11, 3), "5.00", "open"),
    ]:
        TransactionFactory(
            program_account=account, number=number, date=day, amount=Decimal(amount), status=status
        )
    services.transaction_balances_refresh(program_account=account)
    services.statement_issue(program_account=account, issue_date=D(2026, 10, 25))
    return account, user


@pytest.mark.spec("FIN-1", "FIN-5", "FIN-2", "X-1", "X-2")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_export_transactions_and_download_a_statement(page, live_server, language):
    words = WORDS[language]
    account, user = world(language)
    sign_in_as(page, live_server, user)
    page.goto(f"/{language}/finance/transactions/")
    assert page.locator("h1").inner_text() == words["history"]
    check(page, f"finance-history-{language}")
    page.locator('input[name="selected"][value="13409539086013"]').check()
    page.locator('input[name="selected"][value="13409539085999"]').check()
    with page.expect_download() as download:
        page.get_by_role("button", name=words["export_selected"]).click()
    body = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    # the header in the page's language (English: the codes).
    header = "date,transaction_number," if language == "en" else "date,numéro de transaction,"
    assert body[0].startswith(header)
    assert [line.split(",")[1] for line in body[1:]] == ["13409539086013", "13409539085999"]
    assert "-2000.99" in body[1]
    # Select all on the page (static/js/finance.js), then clear one.
    page.locator("#select-all").check()
    assert page.locator('input[name="selected"]:checked').count() == 5

    page.goto(f"/{language}/finance/statements/")
    check(page, f"finance-statements-{language}")
    follow(page, page.locator("table tbody a").first)
    check(page, f"finance-statement-{language}")
    with page.expect_download() as download:
        page.get_by_role("link", name=words["statement_pdf"]).click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert download.value.suggested_filename.endswith(".pdf")


@pytest.mark.spec("FIN-3", "X-1", "X-2")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_apply_a_credit(page, live_server, language):
    words = WORDS[language]
    account, user = world(language)
    sign_in_as(page, live_server, user)
    page.goto(f"/{language}/finance/payments/apply-credits/")
    check(page, f"finance-apply-{language}")
    # The 3,000.99 debit is more than the credit: refused, clearly.
    page.get_by_label("13409539085999", exact=False).check()
    page.get_by_role("button", name=words["continue"]).click()
    assert words["partial"] in page.locator(".error-summary").inner_text()
    check(page, f"finance-apply-refused-{language}")
    page.get_by_label("13409539085999", exact=False).uncheck()
    page.get_by_label("13409539086062", exact=False).check()
    follow(page, page.get_by_role("button", name=words["continue"]))
    check(page, f"finance-apply-confirm-{language}")
    follow(page, page.get_by_role("button", name=words["apply_credit"]))
    assert page.locator("h1").inner_text() == words["applied"]
    assert words["amount"] in page.locator(".notice-success").inner_text()
    check(page, f"finance-apply-done-{language}")
    assert CreditApplication.objects.count() == 1
    assert Transaction.objects.get(number="13409539086062").status == "paid"


@pytest.mark.spec("FIN-4", "X-1", "X-2")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_create_and_cancel_a_pad(page, live_server, language):
    words = WORDS[language]
    _account, user = world(language)
    sign_in_as(page, live_server, user)
    page.goto(f"/{language}/finance/payments/pad/")
    check(page, f"finance-pad-none-{language}")
    page.get_by_role("link", name=words["setup"]).click()
    page.get_by_role("button", name=words["create"]).click()  # empty: the error summary
    page.locator(".error-summary").wait_for()  # the click does not wait for the new page
    assert page.locator(".error-summary li").count() >= 5
    check(page, f"finance-pad-errors-{language}")
    page.get_by_label(words["institution"]).fill("001")
    page.get_by_label(words["transit"]).fill("12345")
    page.get_by_label(words["account"], exact=False).fill("987654321")
    page.get_by_label(words["holder"]).fill("ImporterCompany3084 Inc.")
    page.get_by_label(words["day"]).select_option("15")
    page.get_by_label(words["terms"], exact=False).check()
    page.get_by_label(words["certify"], exact=False).check()
    page.get_by_role("button", name=words["create"]).click()
    assert page.locator("[data-testid=masked-account]").inner_text() == "••••321"
    assert "987654321" not in page.content()
    check(page, f"finance-pad-{language}")
    follow(page, page.get_by_role("link", name=words["cancel"]))
    check(page, f"finance-pad-cancel-{language}")
    follow(page, page.get_by_role("button", name=words["yes"]))
    assert words["none"] in page.locator("main").inner_text()
    assert PadAgreement.objects.get().status == "cancelled"
