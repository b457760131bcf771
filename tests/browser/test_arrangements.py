"""The payment-arrangement journey in Chromium, in both languages (FIN-7, X-1, X-2):
a manager proposes instalments for an overdue balance, CBSA staff approve it in the
admin (driven in the browser, as staff), one instalment is paid by applying a credit
and the schedule shows it paid; axe-core on every portal page."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from business.tests.factories import ProgramAccountFactory
from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from finance import services
from finance.models import PaymentArrangement
from finance.tests.factories import TransactionFactory
from notices.models import Notice
from tests.browser.conftest import axe_violations, screenshot, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "title": "Payment arrangements",
        "propose": "Propose a payment arrangement",
        "amount": "Amount of each instalment",
        "monthly": "Monthly",
        "start": "Due date of the first instalment",
        "preview": "Show the schedule",
        "send": "Send the proposal to the CBSA",
        "proposed": "Proposed",
        "approved": "Approved",
        "too_long": "at most 12 months",
        "apply": "Apply credits as payment",
        "continue": "Continue",
        "apply_credit": "Apply the credit",
        "states": ["Paid", "Due", "Due"],
        "collections": "Collections",
    },
    "fr": {
        "title": "Arrangements de paiement",
        "propose": "Proposer un arrangement de paiement",
        "amount": "Montant de chaque versement",
        "monthly": "Chaque mois",
        "start": "Date d'échéance du premier versement",
        "preview": "Afficher le calendrier",
        "send": "Envoyer la proposition à l'ASFC",
        "proposed": "Proposé",
        "approved": "Approuvé",
        "too_long": "au plus 12 mois",
        "apply": "Appliquer les crédits à titre de paiement",
        "continue": "Continuer",
        "apply_credit": "Appliquer le crédit",
        "states": ["Soldé", "À payer", "À payer"],
        "collections": "Recouvrements",
    },
}


def check(page, name: str) -> None:
    screenshot(page, name)
    assert axe_violations(page) == [], name


def world(language: str):
    today = timezone.localdate()
    account = ProgramAccountFactory(business__legal_name="ImporterCompany3084 Inc.")
    user = UserFactory(preferred_language=language, first_name="Test", last_name="Importer")
    EmploymentFactory(
        business=account.business, user=user, role=Employment.Role.BUSINESS_ACCOUNT_MANAGER
    )
    for number, days_ago, due_ago, amount in [
        ("13409539085999", 60, 20, "300.00"),
        ("13409539086005", 50, 10, "300.00"),
        ("13409539086013", 1, None, "-300.00"),  # a payment received, not yet applied
    ]:
        TransactionFactory(
            program_account=account,
            number=number,
            date=today - datetime.timedelta(days=days_ago),
            due_date=today - datetime.timedelta(days=due_ago) if due_ago else None,
            amount=Decimal(amount),
        )
    services.transaction_balances_refresh(program_account=account)
    return account, user


def staff_user():
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = UserFactory(staff=True, is_superuser=True)
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.mark.spec("FIN-7", "FIN-8", "X-1", "X-2")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_propose_approve_and_pay_an_instalment(page, browser, live_server, language):
    words = WORDS[language]
    account, user = world(language)
    sign_in_as(page, live_server, user)
    page.goto(f"/{language}/finance/payments/collections/")
    assert page.locator("h1").inner_text() == words["collections"]
    assert page.locator("[data-testid=collections] tbody tr").count() == 2
    check(page, f"arrangement-collections-{language}")

    page.goto(f"/{language}/finance/payments/arrangements/")
    assert page.locator("h1").inner_text() == words["title"]
    check(page, f"arrangement-none-{language}")
    page.get_by_role("link", name=words["propose"]).click()
    page.get_by_label(words["amount"]).wait_for()
    first_due = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    # Too small an instalment: 12 months at most, said next to the field, nothing lost.
    page.get_by_label(words["amount"]).fill("40")
    page.get_by_label(words["monthly"]).check()
    page.get_by_label(words["start"]).fill(first_due)
    page.get_by_role("button", name=words["preview"]).click()
    page.locator(".error-summary, .invalid-feedback").first.wait_for()
    assert words["too_long"] in page.locator("main").inner_text()
    assert page.get_by_label(words["start"]).input_value() == first_due
    check(page, f"arrangement-too-long-{language}")
    page.get_by_label(words["amount"]).fill("200.00")
    page.get_by_role("button", name=words["preview"]).click()
    page.locator("[data-testid=plan]").wait_for()
    assert page.locator("[data-testid=plan] tbody tr").count() == 3
    check(page, f"arrangement-plan-{language}")
    page.get_by_role("button", name=words["send"]).click()
    page.locator("[data-testid=arrangement-status]").wait_for()
    assert page.locator("[data-testid=arrangement-status]").inner_text() == words["proposed"]
    check(page, f"arrangement-proposed-{language}")
    arrangement = PaymentArrangement.objects.get()
    assert arrangement.total == Decimal("600.00")

    # CBSA staff approve it in the admin, in their own browser session.
    staff_context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    staff = staff_context.new_page()
    staff.set_default_timeout(15_000)
    sign_in_as(staff, live_server, staff_user())
    staff.goto(f"/admin/finance/paymentarrangement/{arrangement.pk}/change/")
    staff.locator(".object-tools a").first.click()
    staff.locator("textarea[name=reason]").wait_for()
    staff.locator("textarea[name=reason]").fill("Agreed with the importer.")
    staff.locator("input[type=submit]").click()
    staff.locator(".messagelist").wait_for()
    screenshot(staff, f"arrangement-admin-approved-{language}")
    staff_context.close()
    arrangement.refresh_from_db()
    assert arrangement.status == "approved"
    assert Notice.objects.filter(type__code="arrangement_answered").count() == 1

    # The importer applies the payment received to the oldest debit: instalment 1 paid.
    page.goto(f"/{language}/finance/payments/apply-credits/")
    page.get_by_label("13409539085999", exact=False).check()
    page.get_by_role("button", name=words["continue"]).click()
    page.get_by_role("button", name=words["apply_credit"]).click()
    page.locator(".notice-success").wait_for()
    page.goto(f"/{language}/finance/payments/arrangements/")
    assert page.locator("[data-testid=arrangement-status]").inner_text() == words["approved"]
    states = page.locator("[data-testid=arrangement] tbody tr td:nth-child(5)").all_inner_texts()
    assert states == words["states"]
    assert "Agreed with the importer." in page.locator("main").inner_text()
    check(page, f"arrangement-paid-{language}")
