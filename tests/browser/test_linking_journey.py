"""From a new credential to the home page in Chromium, both languages, axe-core on each
page (LINK-1, LINK-3, LINK-4, HOME-1 … HOME-3, X-2)."""

import json
from pathlib import Path

import pytest

from accounts.tests.helpers import totp
from business.models import Business
from business.reference import reference_data_load
from finance.models import Payment, Transaction
from tests.browser.conftest import axe_violations, follow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FIXTURE = Path(__file__).resolve().parents[2] / "business" / "fixtures" / "demo_reference.json"
PASSWORD = "Maple7Quartz"  # noqa: S105 - test credential


def checked(page, name: str) -> None:
    assert axe_violations(page) == [], name
    screenshot(page, name)


@pytest.mark.spec("LINK-1", "LINK-3", "LINK-4", "HOME-1", "HOME-2", "HOME-3", "X-2")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_new_credential_to_home(page, language):
    reference_data_load(json.loads(FIXTURE.read_text()))
    base = f"/{language}/account"
    username = f"newbam{language}01"
    # A new GCKey, its second factor, the terms, the profile and the security questions.
    page.goto(f"{base}/register/")
    follow(page, "button[name=accept]")
    page.fill("#id_username", username)
    follow(page, "button[name=continue]")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    follow(page, "button[name=continue]")
    page.select_option("#id_question", "first_pet")
    page.fill("#id_answer", "Biscuit")
    page.fill("#id_memorable_person", "Aunt Louise")
    page.fill("#id_memorable_date", "1990-07-14")
    follow(page, "button[name=continue]")
    follow(page, "button[name=continue]")
    secret = page.locator("#authenticator-secret").inner_text().strip()
    page.fill("#id_code", totp(secret))
    follow(page, "form[action$='/2fa/totp/activate/'] button[type=submit]")
    follow(page, "a[href$='/account/continue/']")
    follow(page, "button[name=accept]")
    page.fill("#id_first_name", "Luc")
    page.fill("#id_last_name", "Tremblay")
    page.fill("#id_phone", "514-555-0123")
    page.fill("#id_email", "luc@example.ca")
    page.fill("#id_email_confirmation", "luc@example.ca")
    page.check("#id_email_notices")
    page.check("#id_terms")
    follow(page, "#submit-id-save")
    page.select_option("#id_question", "birth_city")
    page.fill("#id_answer", "Montreal")
    page.fill("#id_memorable_person", "Uncle Ben")
    page.fill("#id_memorable_date", "1985-01-31")
    follow(page, "button[name=continue]")

    # First setup (LINK-1), then register my business (LINK-3) in three steps.
    assert page.url.endswith(f"{base}/first-setup/")
    checked(page, f"{language}-first-setup-linking")
    follow(page, "a[href$='/portal/register/']")
    checked(page, f"{language}-register-business-1")
    page.fill("#id_bn9", "123456782")
    page.fill("#id_program_reference", "RM0001")
    page.check("#id_attestation")
    follow(page, "main form button[type=submit]")
    checked(page, f"{language}-register-business-2")
    # A first try with the punctuation wrong: a clear error, what was typed is kept.
    page.fill("#id_legal_name", "Northern Maple Foods Ltd")
    page.fill("#id_line1", "455 rue Saint-Paul Est")
    page.select_option("#id_country", "CA")
    follow(page, "main form button[type=submit]")
    assert page.locator("[data-error-summary]").is_visible()
    assert page.input_value("#id_line1") == "455 rue Saint-Paul Est"
    checked(page, f"{language}-register-business-2-error")
    page.fill("#id_legal_name", "Northern Maple Foods Ltd.")
    follow(page, "main form button[type=submit]")
    checked(page, f"{language}-register-business-3")
    number = page.locator("#id_total_duties_taxes-hint").inner_text().split()[-1]
    business = Business.objects.get(bn9="123456782")
    page.fill(
        "#id_total_duties_taxes", str(Transaction.objects.get(number=number).total_duties_taxes)
    )
    payment = Payment.objects.filter(program_account__business=business).first()
    page.fill("#id_last_payment", str(payment.amount))
    follow(page, "main form button[type=submit]")

    # Home (HOME-1 … HOME-3).
    assert page.url.endswith(f"/{language}/portal/home/")
    assert "(RM0001)" in page.locator(".signed-in").inner_text()
    assert "123456782" in page.locator(".signed-in").inner_text()
    assert page.locator(".tile").count() >= 1
    assert page.locator("#recent-heading ~ table tbody tr").count() == 3
    checked(page, f"{language}-home")
    page.click("details.menu summary")
    assert page.locator("details.menu a").first.is_visible()
