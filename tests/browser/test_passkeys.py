"""Passkeys in Debian's Chromium with a virtual authenticator (Chrome DevTools Protocol
WebAuthn domain): add one, sign out, sign in with it instead of the app's code, in both
languages, axe-core on each page (SEC-10)."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.tests.factories import PASSWORD, UserFactory
from accounts.tests.helpers import totp
from tests.browser.conftest import axe_violations, follow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], (name, violations)
    screenshot(page, name)


def sign_in_with_password(page, language: str, username: str) -> None:
    page.goto(f"/{language}/account/sign-in/")
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    follow(page, "form#sign-in button[type=submit], form#sign-in input[type=submit]")
    assert page.url.endswith(f"/{language}/account/2fa/authenticate/"), page.url


@pytest.mark.spec("SEC-10", "X-1", "X-3")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_add_a_passkey_then_sign_in_with_it(page, live_server, language):
    username = f"passkey{language}1"
    user = UserFactory(username=username, preferred_language=language)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)

    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )

    sign_in_with_password(page, language, username)
    page.fill("#id_code", totp(secret))
    follow(page, "form[action$='/2fa/authenticate/'] button[type=submit]")

    page.goto(f"/{language}/account/2fa/webauthn/add/")
    assert (
        page.locator("h1").inner_text()
        == {"en": "Add a passkey", "fr": "Ajouter une clé d'accès"}[language]
    )
    check(page, f"{language}-passkey-add")
    follow(page, "#mfa_webauthn_add")
    assert Authenticator.objects.filter(user=user, type="webauthn").exists()
    # The app and the recovery codes stay.
    assert Authenticator.objects.filter(user=user, type="totp").exists()

    page.goto(f"/{language}/account/welcome/")
    follow(page, "header form[action$='/account/sign-out/'] button")

    sign_in_with_password(page, language, username)
    button = {"en": "Use my passkey", "fr": "Utiliser ma clé d'accès"}[language]
    assert page.locator("#mfa_webauthn_authenticate").inner_text() == button
    check(page, f"{language}-passkey-sign-in")
    follow(page, "#mfa_webauthn_authenticate")
    page.wait_for_load_state()
    assert "/account/2fa/" not in page.url and "/sign-in/" not in page.url, page.url
    assert page.locator("header form[action$='/account/sign-out/']").count() == 1
