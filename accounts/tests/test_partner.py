"""Sign-In Partner against a real OpenID Connect provider on loopback (SPEC SIGN-2, SIGN-3,
LINK-6, X-1, X-4; ADR 0006).

Django's side goes through the test client; the provider (tests/oidc/provider.mjs, the npm
package oidc-provider) is reached over real HTTP, and the portal's token request and JWKS
fetch are real HTTP too. Nothing of mozilla-django-oidc is mocked.
"""

import json
import logging

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client, RequestFactory
from django.utils import translation

from accounts.models import PartnerIdentity, User
from accounts.partner import PartnerAuthenticationBackend
from accounts.partner_services import ACTION_FAILED, ACTION_SUCCEEDED
from accounts.tests.factories import UserFactory
from carm_portal.models import AuditEntry
from tests.html import soup, text
from tests.oidc.harness import AtProvider, query_of, subject_for, with_query

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "fr"]

# The failure page: its heading and, per reason, a telling part of the message.
HEADING = {
    "en": "We could not sign you in with a Sign-In Partner",
    "fr": "Nous n'avons pas pu vous connecter avec un partenaire de connexion",
}
MESSAGES = {
    "state": {
        "en": "does not match the sign-in you started on this device",
        "fr": "ne correspond pas à la connexion que vous avez commencée sur cet appareil",
    },
    "replayed": {
        "en": "has already been used",
        "fr": "a déjà été utilisée",
    },
    "nonce": {
        "en": "belongs to another sign-in",
        "fr": "appartient à une autre connexion",
    },
    "issuer": {
        "en": "did not come from the sign-in partner service that the CBSA uses",
        "fr": "ne provient pas du service de partenaires de connexion qu'utilise l'ASFC",
    },
    "cancelled": {
        "en": "The sign-in was cancelled at your sign-in partner",
        "fr": "La connexion a été annulée auprès de votre partenaire de connexion",
    },
    "provider-error": {
        "en": "Your sign-in partner reported a problem",
        "fr": "Votre partenaire de connexion a signalé un problème",
    },
    "conflict": {
        "en": "each account has a single credential",
        "fr": "chaque compte n'a qu'un seul justificatif d'identité",
    },
    "unavailable": {
        "en": "Sign-in partners are not available right now",
        "fr": "Les partenaires de connexion ne sont pas disponibles pour le moment",
    },
}
TRY_AGAIN = {
    "en": "Try again with a Sign-In Partner",
    "fr": "Réessayer avec un partenaire de connexion",
}
GCKEY = {"en": "Continue to GCKey", "fr": "Passer à CléGC"}
SIGN_OUT = {"en": "Sign out", "fr": "Déconnexion"}


def begin(client, language="en") -> str:
    """The person chooses "Continue to a Sign-In Partner": the provider's URL."""
    response = client.get(f"/oidc/authenticate/?language={language}")
    assert response.status_code == 302
    return response["Location"]


def sign_in(client, *, language="en", bank="tangerine", account="alice", email=""):
    """A whole journey; returns the portal's answer to the callback."""
    authorization = begin(client, language)
    return client.get(AtProvider().sign_in(authorization, bank=bank, account=account, email=email))


def signed_in_user(client):
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


def assert_refused(client, response, reason, language, signed_in=None):
    """The refusal page, in the person's language, with its message and next steps."""
    assert response.status_code == 302
    assert response["Location"] == f"/{language}/sign-in-partner/problem/{reason}/"
    # Then the portal's terms of use, as at every sign-in (SIGN-7).
    page = soup(client.get(response["Location"], follow=True))
    assert page.html["lang"] == language
    assert text(page.h1) == HEADING[language]
    assert MESSAGES[reason][language] in text(page.select_one("[role=alert]"))
    links = [text(a) for a in page.main.find_all("a")]
    assert TRY_AGAIN[language] in links and GCKEY[language] in links
    assert signed_in_user(client) == signed_in
    entry = AuditEntry.objects.filter(action=ACTION_FAILED).latest("created_at")
    assert entry.changes == {"reason": reason}


# --- The journey --------------------------------------------------------------------


@pytest.mark.spec("SIGN-3", "LINK-6", "X-1")
@pytest.mark.parametrize("language", LANGUAGES)
def test_partner_journey_creates_an_account_keyed_on_issuer_and_subject(
    client, partner_settings, oidc_provider, language
):
    """SIGN-3: pick a bank at the federation, come back signed in, in the language the
    person started in; the account is (issuer, sub) with a partner credential only."""
    authorization = query_of(begin(client, language))
    assert authorization["response_type"] == "code"
    assert authorization["scope"] == "openid"  # no email, no banking data asked
    assert authorization["code_challenge_method"] == "S256"  # PKCE
    assert authorization["state"] and authorization["nonce"]
    assert authorization["ui_locales"] == f"{language}-CA"

    response = sign_in(client, language=language, bank="desjardins", account="Alice")
    assert response.status_code == 302
    assert response["Location"] == f"/{language}/account/after-sign-in/"
    user = signed_in_user(client)
    assert user.credential_kind == User.CredentialKind.PARTNER
    assert not user.has_usable_password()  # one credential: no local password (LINK-6)
    assert user.email == "" and user.first_name == "" and user.last_name == ""
    assert user.preferred_language == language
    assert not user.username.startswith(subject_for("desjardins", "alice")[:8])
    identity = PartnerIdentity.objects.get(user=user)
    assert identity.issuer == oidc_provider.issuer
    assert identity.subject == subject_for("desjardins", "alice")

    # Then the portal's terms of use, as at every sign-in (SIGN-7).
    page = soup(client.get(response["Location"], follow=True))
    assert page.html["lang"] == language
    assert page.find("button", string=SIGN_OUT[language])


@pytest.mark.spec("SIGN-3")
def test_second_sign_in_finds_the_same_account(partner_settings):
    """SIGN-3: the same bank login is the same person; another bank login is another."""
    first, second, other = Client(), Client(), Client()
    sign_in(first, bank="bmo", account="bob")
    sign_in(second, bank="bmo", account="bob")
    sign_in(other, bank="td", account="bob")
    assert signed_in_user(first) == signed_in_user(second)
    assert signed_in_user(other) != signed_in_user(first)
    assert User.objects.count() == 2 and PartnerIdentity.objects.count() == 2


@pytest.mark.spec("SIGN-3", "X-4")
def test_email_from_the_federation_never_identifies_anyone(partner_settings):
    """STYLE 12: even when the federation sends an email claim, it neither matches a GCKey
    account with that email, nor switches accounts when it changes, nor is stored."""
    partner_settings.OIDC_RP_SCOPES = "openid email"  # a federation that sends email
    gckey_user = UserFactory(email="carol@example.com")

    first = Client()
    callback = AtProvider().sign_in(begin(first), account="carol", email="carol@example.com")
    first.get(callback)
    partner_user = signed_in_user(first)
    assert partner_user != gckey_user
    assert partner_user.credential_kind == User.CredentialKind.PARTNER

    second = Client()
    callback = AtProvider().sign_in(begin(second), account="carol", email="new@example.com")
    second.get(callback)
    assert signed_in_user(second) == partner_user
    partner_user.refresh_from_db()
    gckey_user.refresh_from_db()
    assert partner_user.email == ""
    assert gckey_user.email == "carol@example.com"
    assert not PartnerIdentity.objects.filter(user=gckey_user).exists()


@pytest.mark.spec("SIGN-2", "LINK-6")
def test_partner_sign_in_never_attaches_to_a_signed_in_gckey_account(partner_settings):
    """LINK-6: a GCKey account signed in while a partner sign-in is under way gets no
    partner identity; the partner's person gets their own account."""
    gckey_user = UserFactory()
    client = Client()
    callback = AtProvider().sign_in(begin(client), account="dave")
    client.force_login(gckey_user)
    response = client.get(callback)
    assert response.status_code == 302
    assert signed_in_user(client) != gckey_user
    assert signed_in_user(client).credential_kind == User.CredentialKind.PARTNER
    assert not PartnerIdentity.objects.filter(user=gckey_user).exists()
    gckey_user.refresh_from_db()
    assert gckey_user.credential_kind == User.CredentialKind.GCKEY
    assert gckey_user.has_usable_password()


@pytest.mark.spec("SIGN-2", "LINK-6", "X-1")
@pytest.mark.parametrize("language", LANGUAGES)
def test_identity_pointing_at_a_gckey_account_is_refused(
    client, partner_settings, oidc_provider, language
):
    """LINK-6: one credential per account: an identity that points at a GCKey account
    (say, written by hand) never signs in to it."""
    gckey_user = UserFactory()
    PartnerIdentity.objects.create(
        user=gckey_user, issuer=oidc_provider.issuer, subject=subject_for("rbc", "erin")
    )
    response = sign_in(client, language=language, bank="rbc", account="erin")
    assert_refused(client, response, "conflict", language)
    assert User.objects.count() == 1


@pytest.mark.spec("SIGN-2")
def test_a_signed_in_person_is_not_sent_to_the_partner(partner_settings):
    gckey_user = UserFactory()
    client = Client()
    client.force_login(gckey_user)
    response = client.get("/oidc/authenticate/?language=fr")
    assert response.status_code == 302 and response["Location"] == "/fr/account/after-sign-in/"


def test_password_sign_in_never_reaches_the_partner_backend(partner_settings):
    """The backend answers only the partner callback, whatever the URL carries."""
    request = RequestFactory().post("/en/account/sign-in/?code=abc&state=def")
    backend = PartnerAuthenticationBackend()
    assert backend.authenticate(request, username="someone", password="Secret123") is None


# --- Refusals -----------------------------------------------------------------------


@pytest.mark.spec("SIGN-3", "X-4", "X-1")
@pytest.mark.parametrize("language", LANGUAGES)
def test_tampered_state_is_refused(client, partner_settings, language):
    callback = AtProvider().sign_in(begin(client, language), account="frank")
    response = client.get(with_query(callback, state="forged-" + query_of(callback)["state"]))
    assert_refused(client, response, "state", language)


@pytest.mark.spec("SIGN-3", "X-4", "X-1")
@pytest.mark.parametrize("language", LANGUAGES)
def test_replayed_callback_is_refused(client, partner_settings, language):
    """The same code, state and nonce a second time: refused in the browser that used them
    (which stays as it was), and in another browser, which never started that sign-in."""
    callback = AtProvider().sign_in(begin(client, language), account="grace")
    assert client.get(callback)["Location"] == f"/{language}/account/after-sign-in/"
    user = signed_in_user(client)
    assert_refused(client, client.get(callback), "replayed", language, signed_in=user)

    elsewhere = Client()
    elsewhere.cookies[partner_settings.LANGUAGE_COOKIE_NAME] = language
    assert_refused(elsewhere, elsewhere.get(callback), "state", language)
    assert PartnerIdentity.objects.count() == 1


@pytest.mark.spec("SIGN-3", "X-4", "X-1")
@pytest.mark.parametrize("language", LANGUAGES)
def test_replayed_nonce_is_refused(client, partner_settings, language):
    """An ID token that carries the nonce of an earlier sign-in is refused, even with the
    right state and PKCE verifier: the attacker replays an old nonce in the request."""
    earlier = begin(Client(), language)
    old_nonce = query_of(earlier)["nonce"]
    authorization = with_query(begin(client, language), nonce=old_nonce)
    callback = AtProvider().sign_in(authorization, account="heidi")
    assert_refused(client, client.get(callback), "nonce", language)


@pytest.fixture
def mixed_up(partner_settings, other_issuer_provider):
    """The portal expects the federation's issuer and keys, but its authorization and token
    requests reach another issuer that has the same keys (an OAuth mix-up)."""
    partner_settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{other_issuer_provider.issuer}/auth"
    partner_settings.OIDC_OP_TOKEN_ENDPOINT = f"{other_issuer_provider.issuer}/token"
    return partner_settings


@pytest.mark.spec("SIGN-3", "X-4", "X-1")
@pytest.mark.parametrize("language", LANGUAGES)
def test_answer_from_the_wrong_issuer_is_refused(client, mixed_up, other_issuer_provider, language):
    """RFC 9207: the answer names its issuer; another one is refused before any token."""
    callback = AtProvider().sign_in(begin(client, language), account="ivan")
    assert query_of(callback)["iss"] == other_issuer_provider.issuer
    assert_refused(client, client.get(callback), "issuer", language)


@pytest.mark.spec("SIGN-3", "X-4", "X-1")
@pytest.mark.parametrize("language", LANGUAGES)
def test_token_from_the_wrong_issuer_is_refused(client, mixed_up, language):
    """Without the answer's iss, the ID token's issuer is checked: its signature verifies
    with the federation's keys, its nonce is right, only its issuer is wrong."""
    callback = AtProvider().sign_in(begin(client, language), account="judy")
    assert_refused(client, client.get(with_query(callback, iss=None)), "issuer", language)
    assert not PartnerIdentity.objects.exists()


@pytest.mark.spec("SIGN-3", "X-1")
@pytest.mark.parametrize("language", LANGUAGES)
def test_cancel_at_the_partner_is_explained(client, partner_settings, language):
    """The person cancels at the federation: access_denied comes back, in their language."""
    callback = AtProvider().sign_in(begin(client, language), cancel=True)
    assert query_of(callback)["error"] == "access_denied"
    assert_refused(client, client.get(callback), "cancelled", language)
    # The cancelled attempt's state cannot serve again.
    assert client.session["oidc_states"] == {}


@pytest.mark.spec("SIGN-3", "X-1")
@pytest.mark.parametrize("language", LANGUAGES)
def test_provider_error_is_explained(client, partner_settings, language):
    state = query_of(begin(client, language))["state"]
    response = client.get(f"/oidc/callback/?error=server_error&state={state}")
    assert_refused(client, response, "provider-error", language)


@pytest.mark.spec("SIGN-2", "X-1")
@pytest.mark.parametrize("language", LANGUAGES)
def test_unavailable_partner_is_explained(client, partner_settings, language):
    """Not configured, or the provider does not answer: a clear page, no crash."""
    partner_settings.OIDC_OP_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    response = client.get(f"/oidc/authenticate/?language={language}")
    assert_refused(client, response, "unavailable", language)
    partner_settings.OIDC_RP_CLIENT_ID = ""
    response = client.get(f"/oidc/authenticate/?language={language}")
    assert response["Location"] == f"/{language}/sign-in-partner/problem/unavailable/"
    page = soup(client.get(response["Location"]))
    assert TRY_AGAIN[language] not in text(page.main)  # nothing to try again


def test_unknown_failure_reason_is_not_found(client, db):
    assert client.get("/en/sign-in-partner/problem/whatever/").status_code == 404


@pytest.mark.spec("X-1")
def test_failure_page_toggles_language(client, db):
    page = soup(client.get("/fr/sign-in-partner/problem/state/"))
    toggle = page.select_one(".lang-toggle a")
    assert toggle["href"] == "/en/sign-in-partner/problem/state/"


# --- Audit and logs -----------------------------------------------------------------


@pytest.mark.spec("SIGN-3", "X-4")
def test_every_sign_in_is_audited_without_secrets(client, partner_settings, caplog):
    """AU-3: one row per success and per failure; no token, code, state, nonce, verifier or
    session key in audit rows or logs."""
    caplog.set_level(logging.DEBUG)
    portal_logs = []
    authorization = begin(client)
    portal_logs.append(caplog.text)
    callback = AtProvider().sign_in(authorization, account="kim")  # the browser's part
    caplog.clear()
    response = client.get(callback)
    user = signed_in_user(client)
    replay = client.get(callback)  # refused: replayed
    forged = client.get(with_query(callback, state="forged"))  # refused: state
    portal_logs.append(caplog.text)
    assert "POST /token" in portal_logs[-1]  # the portal's own requests are in the logs
    assert response.status_code == replay.status_code == forged.status_code == 302

    success = AuditEntry.objects.get(action=ACTION_SUCCEEDED)
    assert success.actor == user
    assert success.changes == {
        "issuer": partner_settings.OIDC_OP_DISCOVERY_URL.removesuffix(
            "/.well-known/openid-configuration"
        ),
        "account_created": True,
        "acr": "urn:carm:test:loa2",
        "amr": ["pwd"],
    }
    assert success.ip_address == "127.0.0.1"
    failures = AuditEntry.objects.filter(action=ACTION_FAILED).order_by("created_at")
    assert [entry.changes["reason"] for entry in failures] == ["replayed", "state"]

    secrets = [
        query_of(callback)["code"],
        query_of(callback)["state"],
        query_of(authorization)["nonce"],
        query_of(authorization)["code_challenge"],
        client.session.session_key,
    ]
    rows = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert [s for s in secrets if s in rows] == []
    logs = "\n".join(portal_logs)
    assert [s for s in secrets if s in logs] == []
    assert "eyJ" not in rows and "eyJ" not in logs  # no JWT


# --- The access page ----------------------------------------------------------------


@pytest.mark.spec("SIGN-2", "X-1")
@pytest.mark.parametrize(
    ("language", "label", "leave"),
    [
        ("en", "Continue to a Sign-In Partner", "You will temporarily leave the CBSA website"),
        ("fr", "Poursuivre vers un partenaire de connexion", "Vous quitterez temporairement"),
    ],
)
def test_access_page_offers_the_partner_when_configured(
    client, partner_settings, language, label, leave
):
    """SIGN-2: option 1 is a real link to the partner, warning that the person leaves."""
    page = soup(client.get(f"/{language}/access/"))
    link = page.find("a", string=label)
    assert link["href"] == f"/oidc/authenticate/?language={language}"
    warning = page.find(id=link["aria-describedby"])
    assert leave in text(warning)
    assert not page.select(".notice-warning")


@pytest.mark.spec("SIGN-2", "X-1")
@pytest.mark.parametrize("language", LANGUAGES)
def test_access_page_explains_when_no_partner_is_configured(client, db, settings, language):
    settings.OIDC_RP_CLIENT_ID = ""
    page = soup(client.get(f"/{language}/access/"))
    assert page.select_one(".notice-warning")
    assert not page.select('a[href^="/oidc/"]')
    with translation.override(language):
        assert translation.gettext("Continue to a Sign-In Partner") in text(page.main)


# --- Partner assurance (acr/amr) ---------------------------------------------------------


@pytest.mark.spec("SEC-4", "SIGN-3", "X-1")
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_sign_in_below_the_required_acr_is_refused(client, partner_settings, language):
    partner_settings.OIDC_REQUIRED_ACR = ["urn:carm:test:loa3"]
    response = sign_in(client, language=language, account="alice")
    assert response["Location"] == f"/{language}/sign-in-partner/problem/assurance/"
    page = soup(client.get(response["Location"]))
    assert page.html["lang"] == language
    said = {"en": "lower level of assurance", "fr": "niveau d'assurance inférieur"}[language]
    assert said in text(page.select_one("[role=alert]"))
    assert signed_in_user(client) is None
    entry = AuditEntry.objects.filter(action=ACTION_FAILED).latest("created_at")
    assert entry.changes == {"reason": "assurance"}
    # A stronger sign-in at the partner is accepted, and its acr/amr are audited.
    strong = sign_in(Client(), language=language, account="mfa-alice")
    assert strong["Location"] == f"/{language}/account/after-sign-in/"
    success = AuditEntry.objects.filter(action=ACTION_SUCCEEDED).latest("created_at")
    assert success.changes["acr"] == "urn:carm:test:loa3"
    assert success.changes["amr"] == ["pwd", "otp"]


@pytest.mark.spec("SEC-4")
def test_a_partner_user_proves_themselves_again_at_the_partner(client, partner_settings):
    """prompt=login and max_age; the change goes through once the partner answers."""
    import time

    from accounts.reauth import PARTNER_AUTH_TIME

    sign_in(client, account="alice")
    session = client.session
    session[PARTNER_AUTH_TIME] = time.time() - 11 * 60
    session.save()
    from accounts.onboarding import DONE_KEY

    session = client.session
    session[DONE_KEY] = True
    session.save()
    from accounts.models import SecretQuestions

    SecretQuestions.objects.create(
        user=signed_in_user(client),
        purpose=SecretQuestions.Purpose.IDENTITY,
        question="first_pet",
        answer_hash="x",
        memorable_person_hash="x",
        memorable_date_hash="x",
    )
    response = client.get("/en/account/security-questions/")
    assert response["Location"].startswith("/en/account/confirm/?next=")
    to_partner = client.get(response["Location"])
    assert to_partner["Location"].startswith("/oidc/authenticate/?")
    authorization = client.get(to_partner["Location"])
    assert authorization.status_code == 302
    params = query_of(authorization["Location"])
    assert params["prompt"] == "login" and params["max_age"] == "600"
    back = client.get(AtProvider().sign_in(authorization["Location"], account="alice"))
    assert back["Location"] == "/en/account/security-questions/"
    assert client.get(back["Location"]).status_code == 200
