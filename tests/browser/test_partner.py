"""The Sign-In Partner journey in a real browser against a real OpenID Connect provider,
in both languages, with axe-core on the access page (SIGN-2, SIGN-3, X-1, X-2)."""

import pytest

from accounts import partner
from accounts.models import PartnerIdentity
from tests.browser.conftest import axe_violations, screenshot
from tests.oidc.harness import start_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser_federation(browser, live_server, tmp_path_factory):
    """The federation, with the live server's callback as the client's redirect URI."""
    workdir = tmp_path_factory.mktemp("oidc-browser")
    provider = start_provider(
        workdir=workdir,
        name="browser-federation",
        redirect_uris=[f"{live_server.url}/oidc/callback/"],
        keys=workdir / "keys.json",
    )
    yield provider
    provider.stop()


@pytest.fixture
def federation(settings, browser_federation):
    settings.OIDC_RP_CLIENT_ID = browser_federation.client_id
    settings.OIDC_RP_CLIENT_SECRET = browser_federation.client_secret
    settings.OIDC_OP_DISCOVERY_URL = browser_federation.discovery_url
    partner.clear_configuration_cache()
    yield browser_federation
    partner.clear_configuration_cache()


@pytest.mark.spec("SIGN-2", "SIGN-3", "X-1", "X-2")
@pytest.mark.parametrize(
    ("language", "option", "bank_label", "account_label", "submit", "sign_out"),
    [
        (
            "en",
            "Continue to a Sign-In Partner",
            "Financial institution",
            "Test account name",
            "Sign in",
            "Sign out",
        ),
        (
            "fr",
            "Poursuivre vers un partenaire de connexion",
            "Institution financière",
            "Nom du compte de test",
            "Se connecter",
            "Déconnexion",
        ),
    ],
)
def test_partner_journey_in_a_browser(
    page, live_server, federation, language, option, bank_label, account_label, submit, sign_out
):
    page.goto(f"/{language}/access/")
    screenshot(page, f"access-partner-{language}")
    assert axe_violations(page) == []

    page.get_by_role("link", name=option).click()
    page.wait_for_url(f"{federation.issuer}/interaction/**")  # left the portal for a while
    page.get_by_label(bank_label).select_option(label="Tangerine")
    page.get_by_label(account_label).fill(f"browser-{language}")
    screenshot(page, f"partner-federation-{language}")
    page.get_by_role("button", name=submit, exact=True).click()

    page.wait_for_url(f"{live_server.url}/{language}/account/terms/")  # SIGN-7 next
    assert page.get_by_role("button", name=sign_out).is_visible()
    assert page.evaluate("document.documentElement.lang") == language
    screenshot(page, f"partner-signed-in-{language}")
    assert PartnerIdentity.objects.filter(issuer=federation.issuer).count() == 1

    # Two sites on loopback: each keeps its own cookies, under its own names.
    cookies = {(c["domain"], c["name"]) for c in page.context.cookies()}
    assert ("localhost", "carm_sessionid") in cookies
    provider_cookies = {name for domain, name in cookies if domain == "127.0.0.1"}
    assert provider_cookies and all(name.startswith("partner_op_") for name in provider_cookies)


@pytest.mark.spec("SIGN-3", "X-1", "X-2")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_refusal_page_is_accessible(page, federation, language):
    page.goto(f"/{language}/sign-in-partner/problem/replayed/")
    assert page.get_by_role("alert").is_visible()
    screenshot(page, f"partner-refused-{language}")
    assert axe_violations(page) == []
