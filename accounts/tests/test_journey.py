"""The whole GCKey journey through the Django test client (SIGN-4 … SIGN-7, PROF-1, PROF-2)."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import SecretQuestions, User
from accounts.tests.helpers import (
    GOOD_PASSWORD,
    activate_second_factor,
    profile_data,
    questions_data,
    register,
    totp,
)
from carm_portal.models import AuditEntry
from tests.html import soup, text

pytestmark = pytest.mark.django_db


@pytest.mark.spec("SIGN-4", "SIGN-6", "SIGN-7", "PROF-1", "PROF-2", "LINK-1")
def test_register_then_second_factor_terms_profile_questions_first_setup(client):
    response = register(client, username="jotremblay1")
    assert response.status_code == 302
    user = User.objects.get(username="jotremblay1")
    assert user.credential_kind == User.CredentialKind.GCKEY
    assert user.check_password(GOOD_PASSWORD)
    recovery = SecretQuestions.objects.get(user=user, purpose="recovery")
    assert "Biscuit" not in recovery.answer_hash  # stored hashed

    # Nothing else opens before the second factor.
    assert client.get("/en/account/first-setup/")["Location"] == "/en/account/2fa/totp/activate/"
    secret = activate_second_factor(client)
    # Then the portal's terms, the profile and the security questions, in that order.
    assert client.get("/en/account/first-setup/")["Location"] == "/en/account/terms/"
    response = client.post("/en/account/terms/", {"accept": ""})
    assert response["Location"] == "/en/account/profile/"
    response = client.post("/en/account/profile/", profile_data(preferred_language="fr"))
    assert response.status_code == 302, soup(response).select_one("[data-error-summary]")
    assert response["Location"] == "/fr/account/security-questions/"
    response = client.post("/fr/account/security-questions/", questions_data(answer="Rex"))
    assert response["Location"] == "/fr/account/first-setup/"
    page = soup(client.get(response["Location"]))
    assert text(page.h1) == "Première configuration"
    assert "Demander l'accès à mon employeur" in text(page.main)

    user.refresh_from_db()
    assert user.phone == "+16135550123" and user.preferred_language == "fr"
    assert user.email_notices is True and user.profile_complete

    # Sign out, then sign in again: second factor, welcome, and the terms again.
    client.post("/fr/account/sign-out/")
    response = client.post(
        "/en/account/sign-in/", {"login": "jotremblay1", "password": GOOD_PASSWORD}
    )
    assert response.status_code == 302, text(soup(response).main)
    assert response["Location"] == "/en/account/2fa/authenticate/"
    response = client.post("/en/account/2fa/authenticate/", {"code": totp(secret, at=_later())})
    assert response["Location"] == "/en/account/after-sign-in/"
    welcome = client.get(client.get(response["Location"])["Location"])
    assert "Dernière" in text(soup(welcome).main) or "last sign-in" in text(soup(welcome).main)
    response = client.post("/fr/account/welcome/")
    assert response["Location"] == "/fr/account/terms/"
    response = client.post("/fr/account/terms/", {"accept": ""})
    assert response["Location"] == "/fr/account/first-setup/"

    actions = list(AuditEntry.objects.filter(actor=user).values_list("action", flat=True))
    for action in ("gckey.registered", "terms.accepted", "profile.created", "sign_in.succeeded"):
        assert action in actions


def _later() -> float:
    """A time step after the one used at activation: a TOTP code is accepted once."""
    import time

    return time.time() + 30


@pytest.mark.spec("SIGN-7")
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "You did not accept the terms of use, so you were signed out of the portal."),
        (
            "fr",
            "Vous n'avez pas accepté les conditions d'utilisation; votre session a donc été fermée.",
        ),
    ],
)
def test_declining_the_terms_signs_out(language, message):
    from django.test import Client

    from accounts.tests.factories import UserFactory

    user = UserFactory(credential_kind=User.CredentialKind.PARTNER)
    client = Client()
    client.force_login(user)
    assert (
        client.get(f"/{language}/account/first-setup/")["Location"] == f"/{language}/account/terms/"
    )
    response = client.post(f"/{language}/account/terms/", {"decline": ""}, follow=True)
    assert message in text(soup(response).main)
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="terms.declined", actor=user).exists()


@pytest.mark.spec("PROF-3", "NOTE-1")
def test_the_profile_is_editable_later(bam_client):
    page = soup(bam_client.get("/en/account/profile/"))
    assert text(page.h1) == "Personal profile"
    assert page.find("input", id="id_email_confirmation")["value"] == bam_client.user.email
    response = bam_client.post(
        "/en/account/profile/",
        profile_data(
            email_notices="no",
            preferred_language="fr",
            email=bam_client.user.email,
            email_confirmation=bam_client.user.email,
        ),
    )
    assert response["Location"] == "/fr/account/profile/"
    bam_client.user.refresh_from_db()
    assert bam_client.user.email_notices is False
    assert bam_client.user.preferred_language == "fr"


@pytest.mark.spec("PROF-3")
def test_the_preferred_language_applies_at_sign_in(client):
    from accounts.tests.factories import UserFactory

    UserFactory(
        username="francophone1",
        preferred_language="fr",
        credential_kind=User.CredentialKind.PARTNER,
    )
    user = User.objects.get(username="francophone1")
    user.credential_kind = User.CredentialKind.GCKEY
    user.save()
    response = client.post(
        "/en/account/sign-in/", {"login": "francophone1", "password": GOOD_PASSWORD}
    )
    # No second factor yet: straight on, and in French.
    response = client.get(response["Location"])
    assert response["Location"] == "/fr/account/welcome/"


@pytest.mark.spec("STAFF-1")
def test_staff_unlock_a_sign_in_lock_in_the_admin(staff_client):
    from django.utils import timezone

    from accounts.models import SignInLock

    SignInLock.objects.create(
        username_key="jotremblay",
        failures=0,
        window_started_at=timezone.now(),
        locked_until=timezone.now(),
    )
    assert staff_client.get("/admin/accounts/signinlock/").status_code == 200
    response = staff_client.post(
        "/admin/accounts/signinlock/",
        {"action": "delete_selected", "_selected_action": ["jotremblay"], "post": "yes"},
    )
    assert response.status_code == 302
    assert not SignInLock.objects.exists()
    assert staff_client.get("/admin/accounts/user/").status_code == 200
    assert staff_client.get("/admin/accounts/secretquestions/").status_code == 200


@pytest.mark.spec("STAFF-1", "SEC-9")
def test_staff_unlock_password_recovery_in_the_admin_audited(staff_client):
    """Lifting a recovery lock is the admin's only change to a person's questions, and it
    is audited with the staff member as actor (the lock's end in the entry)."""
    from accounts.tests.factories import UserFactory

    user = UserFactory(username="mlavoie")
    questions = SecretQuestions(
        user=user,
        purpose=SecretQuestions.Purpose.RECOVERY,
        question=SecretQuestions.Question.FIRST_PET,
        failed_attempts=2,
        locked_until=timezone.now() + datetime.timedelta(hours=1),
    )
    questions.set_answers(
        answer="Rex", memorable_person="Ana", memorable_date=datetime.date(2000, 1, 1)
    )
    questions.save()
    change = staff_client.get(f"/admin/accounts/secretquestions/{questions.pk}/change/")
    assert change.status_code == 200
    assert not soup(change).select('input[name="failed_attempts"], input[name="locked_until_0"]')
    response = staff_client.post(
        "/admin/accounts/secretquestions/",
        {"action": "unlock", "_selected_action": [str(questions.pk)]},
    )
    assert response.status_code == 302
    questions.refresh_from_db()
    assert questions.failed_attempts == 0 and questions.locked_until is None
    entry = AuditEntry.objects.get(action="secret_questions.unlocked")
    assert entry.subject == "mlavoie" and entry.actor == staff_client.user
    assert entry.changes["locked_until"]


@pytest.mark.spec("SIGN-8")
@pytest.mark.parametrize(("language", "label"), [("en", "Sign out"), ("fr", "Déconnexion")])
def test_sign_out_on_every_signed_in_page(bam_client, language, label):
    for path in ("/", "/faq/", "/portal/home/", "/account/profile/", "/portal/program-accounts/"):
        page = soup(bam_client.get(f"/{language}{path}"))
        form = page.select_one(".signed-in form[action$='/account/sign-out/']")
        assert text(form.button) == label, path
    response = bam_client.post(f"/{language}/account/sign-out/")
    assert response["Location"] == f"/{language}/"
    assert "_auth_user_id" not in bam_client.session


@pytest.mark.spec("SIGN-8", "X-1")
@pytest.mark.parametrize(
    ("language", "kind", "said"),
    [
        ("en", "gckey", ["You have signed out of the CARM Client Portal."]),
        ("fr", "gckey", ["Vous avez fermé votre session dans le portail client de la GCRA."]),
        (
            "en",
            "partner",
            [
                "You have signed out of the CARM Client Portal.",
                "You signed in through a Sign-In Partner, whose own session may still be open: "
                "sign out of its website too, or close your browser.",
            ],
        ),
        (
            "fr",
            "partner",
            [
                "Vous avez fermé votre session dans le portail client de la GCRA.",
                "Vous vous êtes connecté par un partenaire de connexion, dont la session peut "
                "être encore ouverte : fermez-la aussi sur son site Web, ou fermez votre "
                "navigateur.",
            ],
        ),
    ],
)
def test_signing_out_says_so(language, kind, said, client_for):
    """SIGN-8: the landing page confirms the sign-out; a Sign-In Partner user is reminded
    that the partner's session is theirs to end."""
    from accounts.tests.factories import UserFactory

    client = client_for(UserFactory(credential_kind=kind))
    response = client.post(f"/{language}/account/sign-out/", follow=True)
    assert "_auth_user_id" not in client.session
    shown = [text(m) for m in soup(response).select(".messages [role=status]")]
    assert shown == said


@pytest.mark.spec("STAFF-1")
def test_the_admin_needs_the_portal_sign_in_and_a_second_factor(client, client_for):
    from accounts.tests.factories import UserFactory

    response = client.get("/admin/")
    assert response["Location"].startswith("/admin/login/")
    assert client.get(response["Location"])["Location"] == "/en/account/sign-in/?next=%2Fadmin%2F"
    # A staff account without an authenticator app is sent to enrol one.
    staff = client_for(UserFactory(staff=True))
    assert staff.get("/admin/login/?next=/admin/")["Location"] == "/en/account/2fa/totp/activate/"
    assert staff.get("/admin/").status_code == 302


@pytest.mark.spec("SIGN-7")
@pytest.mark.parametrize(
    ("language", "portal", "gckey"),
    [
        ("en", ["Accept the terms", "I do not accept"], ["I accept", "I do not accept"]),
        ("fr", ["Accepter les conditions", "Je n'accepte pas"], ["J'accepte", "Je refuse"]),
    ],
)
def test_terms_buttons_read_as_in_the_guide(client, language, portal, gckey):
    """SIGN-7 (guide 1.3): the portal's terms buttons read « Accepter les conditions » and
    « Je n'accepte pas »; the GCKey terms keep « J'accepte » / « Je refuse »."""
    from accounts.tests.factories import UserFactory

    user = UserFactory(credential_kind=User.CredentialKind.PARTNER)
    client.force_login(user)
    page = soup(client.get(f"/{language}/account/terms/"))
    assert [text(b) for b in page.select("main form button")] == portal
    client.logout()
    page = soup(client.get(f"/{language}/account/register/"))
    assert [text(b) for b in page.select("main form button")] == gckey


@pytest.mark.spec("PROF-3")
@pytest.mark.parametrize(("language", "label"), [("en", "Subscribed"), ("fr", "Abonné")])
def test_notice_subscription_is_the_guides_subscribed_control(bam_client, language, label):
    """PROF-3 (guide: « Sélectionnez le bouton Abonné »): one checkbox, not Yes/No radios;
    unchecking it unsubscribes."""
    page = soup(bam_client.get(f"/{language}/account/profile/"))
    box = page.select_one("input#id_email_notices")
    assert box["type"] == "checkbox" and box.has_attr("checked")
    assert text(page.select_one("label[for=id_email_notices]")) == label
    assert not page.select("input[type=radio][name=email_notices]")
    data = profile_data(email=bam_client.user.email, email_confirmation=bam_client.user.email)
    del data["email_notices"]
    assert bam_client.post(f"/{language}/account/profile/", data).status_code == 302
    bam_client.user.refresh_from_db()
    assert bam_client.user.email_notices is False
