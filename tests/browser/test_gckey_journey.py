"""The GCKey journey in Debian's Chromium, keyboard only, axe-core on every page
(SIGN-4 … SIGN-7, PROF-1, PROF-2, X-2, X-3)."""

import time

import pytest

from accounts.tests.helpers import totp
from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Maple7Quartz"  # noqa: S105 - test credential


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the keyboard")


def fill(page, selector: str, value: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(value)


def press(page, selector: str) -> None:
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def check_page(page, name: str, seen: list) -> None:
    violations = axe_violations(page)
    assert violations == [], (name, violations)
    seen.append(name)
    screenshot(page, name)


@pytest.mark.spec("SIGN-4", "SIGN-5", "SIGN-6", "SIGN-7", "PROF-1", "PROF-2", "X-2", "X-3")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_register_enrol_accept_profile_questions_then_sign_in_again(page, language):
    seen: list[str] = []
    username = f"journey{language}1"
    page.goto(f"/{language}/account/sign-in/")
    check_page(page, f"{language}-sign-in", seen)
    press(page, "a[href$='/account/register/']")

    # Registration: terms, username (with the live checklist), password, questions.
    check_page(page, f"{language}-register-terms", seen)
    press(page, "button[name=accept]")
    check_page(page, f"{language}-register-username", seen)
    fill(page, "#id_username", username)
    assert page.locator("#username-checklist li[data-met=true]").count() == 3
    press(page, "button[name=continue]")
    fill(page, "#id_password1", PASSWORD)
    fill(page, "#id_password2", PASSWORD)
    assert page.locator("#password-checklist li[data-met=true]").count() == 7
    check_page(page, f"{language}-register-password", seen)
    press(page, "button[name=continue]")
    tab_to(page, "#id_question")
    page.keyboard.press("ArrowDown")
    fill(page, "#id_answer", "Biscuit")
    fill(page, "#id_memorable_person", "Aunt Louise")
    fill(page, "#id_memorable_date", "1990-07-14")
    check_page(page, f"{language}-register-questions", seen)
    press(page, "button[name=continue]")
    check_page(page, f"{language}-register-confirm", seen)
    press(page, "button[name=continue]")

    # Second factor.
    check_page(page, f"{language}-second-factor", seen)
    secret = page.locator("#authenticator-secret").inner_text().strip()
    fill(page, "#id_code", totp(secret))
    press(page, "form[action$='/2fa/totp/activate/'] button[type=submit]")
    check_page(page, f"{language}-recovery-codes", seen)
    press(page, "a[href$='/account/continue/']")

    # Portal terms, profile, security questions, first setup.
    check_page(page, f"{language}-terms", seen)
    press(page, "button[name=accept]")
    check_page(page, f"{language}-profile", seen)
    fill(page, "#id_first_name", "Jo")
    fill(page, "#id_last_name", "Tremblay")
    fill(page, "#id_phone", "613-555-0123")
    fill(page, "#id_email", "jo@example.ca")
    fill(page, "#id_email_confirmation", "jo@example.ca")
    tab_to(page, "#id_email_notices")
    page.keyboard.press("Space")
    tab_to(page, f"#id_preferred_language_{0 if language == 'en' else 1}")
    page.keyboard.press("Space")
    tab_to(page, "#id_terms")
    page.keyboard.press("Space")
    press(page, "#submit-id-save")
    check_page(page, f"{language}-security-questions", seen)
    tab_to(page, "#id_question")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    fill(page, "#id_answer", "Ottawa")
    fill(page, "#id_memorable_person", "Uncle Ben")
    fill(page, "#id_memorable_date", "1985-01-31")
    press(page, "button[name=continue]")
    assert page.url.endswith(f"/{language}/account/first-setup/")
    check_page(page, f"{language}-first-setup", seen)

    # Sign out, sign in again: second factor, welcome, and the terms again.
    press(page, ".signed-in button[type=submit]")
    page.goto(f"/{language}/account/sign-in/")
    fill(page, "#id_login", username)
    fill(page, "#id_password", PASSWORD)
    press(page, "#submit-id-sign-in")
    check_page(page, f"{language}-authenticate", seen)
    fill(page, "#id_code", totp(secret, at=time.time() + 30))
    press(page, "form[action$='/2fa/authenticate/'] button[type=submit]")
    check_page(page, f"{language}-welcome", seen)
    press(page, "main form button[type=submit]")
    assert page.url.endswith(f"/{language}/account/terms/")
    press(page, "button[name=accept]")
    assert page.url.endswith(f"/{language}/account/first-setup/")
    assert len(seen) == 14
