"""Wrong second-factor codes in Debian's Chromium: after 5 the sign-in starts again from
the password, after 10 the credential is locked with the same bilingual message as wrong
passwords, and the right code then does not sign in; axe-core on each page (SEC-1)."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.tests.factories import PASSWORD, UserFactory
from accounts.tests.helpers import totp
from tests.browser.conftest import axe_violations, follow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESTART = {"en": "Too many wrong codes", "fr": "Trop de codes erronés"}
LOCKED = {"en": "locked until", "fr": "verrouillée jusqu'au"}


def check(page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], (name, violations)
    screenshot(page, name)


def password(page, language, username):
    page.goto(f"/{language}/account/sign-in/")
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    follow(page, "form#sign-in [type=submit]")


def wrong_codes(page, count, secret):
    right = {totp(secret, at=time.time() + step * 30) for step in (-1, 0, 1)}
    bad = next(c for c in ("000000", "111111", "222222") if c not in right)
    for _ in range(count):
        page.fill("#id_code", bad)
        follow(page, "form[action$='/2fa/authenticate/'] button[type=submit]")


@pytest.mark.spec("SEC-1", "SIGN-5", "X-1", "X-3")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_wrong_codes_restart_then_lock_the_credential(page, live_server, language):
    username = f"lockme{language}12"
    user = UserFactory(username=username, preferred_language=language)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)

    password(page, language, username)
    assert page.url.endswith("/account/2fa/authenticate/")
    wrong_codes(page, 5, secret)
    assert page.url.endswith(f"/{language}/account/sign-in/")
    assert RESTART[language] in page.locator("main").inner_text()
    check(page, f"{language}-second-factor-restart")

    password(page, language, username)  # the right password clears nothing
    wrong_codes(page, 5, secret)
    assert page.url.endswith(f"/{language}/account/sign-in/")
    assert LOCKED[language] in page.locator("main").inner_text()
    check(page, f"{language}-second-factor-locked")

    # The right password is refused with the lock's message; no code step is reached.
    password(page, language, username)
    assert page.url.endswith(f"/{language}/account/sign-in/")
    assert LOCKED[language] in page.locator("main").inner_text()
