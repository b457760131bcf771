"""The second factor under attack: attempt limits, used codes, secrets at rest,
re-authentication and sign-in without Redis (SEC-1, SEC-2, SEC-4, SEC-5)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client

from accounts.models import SecondFactorFailures, SignInLock, User
from accounts.tests.helpers import GOOD_PASSWORD, activate_second_factor, register, totp
from carm_portal.models import AuditEntry
from notices.models import NoticeRecipient
from tests.html import soup, text

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
CODE_STEP = "/en/account/2fa/authenticate/"
LOCKED = {"en": "locked until", "fr": "verrouillée jusqu'au"}


@pytest.fixture
def enrolled(client, django_capture_on_commit_callbacks):
    """A GCKey with an authenticator app, signed out; returns its secret."""
    register(client, username="jotremblay1")
    with django_capture_on_commit_callbacks(execute=True):
        secret = activate_second_factor(client)
    client.post("/en/account/sign-out/")
    return secret


def wrong_code(secret: str) -> str:
    right = {totp(secret, at=time.time() + step * 30) for step in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def password_step(client, language="en"):
    response = client.post(
        f"/{language}/account/sign-in/", {"login": "jotremblay1", "password": GOOD_PASSWORD}
    )
    assert response.status_code == 302, text(soup(response).main)
    return response


def code(client, value, language="en"):
    return client.post(f"/{language}/account/2fa/authenticate/", {"code": value})


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def error_text(response) -> str:
    return text(soup(response).main)


# --- SEC-1 --------------------------------------------------------------------------------


@pytest.mark.spec("SEC-1")
def test_five_wrong_codes_end_the_pending_sign_in(
    client, enrolled, django_capture_on_commit_callbacks
):
    password_step(client)
    bad = wrong_code(enrolled)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            response = code(client, bad)
            assert response.status_code == 200
            assert "The code is not correct" in error_text(response)
        fifth = code(client, bad)
    assert fifth.status_code == 302 and fifth["Location"] == "/en/account/sign-in/"
    page = client.get(fifth["Location"])
    assert "Too many wrong codes" in text(soup(page))
    # The pending sign-in is gone: the right code alone does not sign in.
    assert code(client, totp(enrolled))["Location"].startswith("/en/account/sign-in/")
    assert not signed_in(client)
    user = User.objects.get(username="jotremblay1")
    assert AuditEntry.objects.filter(action="second_factor.failed", actor=user).count() == 5
    # The person is told: "someone entered your password but not your code".
    notice = NoticeRecipient.objects.filter(user=user).select_related("notice").first()
    assert notice and "not your code" in notice.notice.subject_en
    assert "mais pas votre code" in notice.notice.subject_fr


@pytest.mark.spec("SEC-1")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_ten_wrong_codes_lock_the_credential_and_the_right_code_then_fails(
    client, enrolled, language
):
    """Must show: 10 wrong codes after a right password lock the credential like 5 wrong
    passwords; a sign-in pending elsewhere cannot finish with the right code."""
    elsewhere = Client()
    password_step(elsewhere, language)  # another session, waiting at the code step
    bad = wrong_code(enrolled)
    for _ in range(2):
        password_step(client, language)  # a right password never clears the count
        for _ in range(5):
            last = code(client, bad, language)
    assert last["Location"] == f"/{language}/account/sign-in/"
    assert LOCKED[language] in text(soup(client.get(last["Location"])))
    assert SignInLock.objects.get(username_key="jotremblay1").locked_until
    # The same lock as wrong passwords: the right password is refused with its message...
    refused = client.post(
        f"/{language}/account/sign-in/", {"login": "jotremblay1", "password": GOOD_PASSWORD}
    )
    assert refused.status_code == 200 and LOCKED[language] in error_text(refused)
    # ... and the right code does not sign in.
    response = code(elsewhere, totp(enrolled), language)
    assert not signed_in(elsewhere)
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="sign_in.locked", subject="jotremblay1").exists()
    # Staff unlock as for passwords (the SignInLock row); the failures were reset by the lock.
    SignInLock.objects.all().delete()
    password_step(client, language)
    assert code(client, totp(enrolled, at=time.time() + 30), language).status_code == 302
    assert signed_in(client)


@pytest.mark.spec("SEC-1")
def test_a_right_password_never_clears_second_factor_failures(client, enrolled):
    bad = wrong_code(enrolled)
    password_step(client)
    for _ in range(4):
        code(client, bad)
    password_step(client)
    assert code(client, bad)["Location"] == "/en/account/sign-in/"  # the fifth in a row
    failures = SecondFactorFailures.objects.get(user__username="jotremblay1")
    assert failures.in_window == 5


@pytest.mark.spec("SEC-1")
def test_a_used_code_is_refused_for_its_whole_validity(client, enrolled):
    value = totp(enrolled, at=time.time() + 30)  # valid now thanks to the tolerance
    password_step(client)
    assert code(client, value).status_code == 302 and signed_in(client)
    client.post("/en/account/sign-out/")
    password_step(client)
    again = code(client, value)
    assert again.status_code == 200 and "The code is not correct" in error_text(again)
    assert not signed_in(client)


# --- SEC-2 --------------------------------------------------------------------------------


@pytest.mark.spec("SEC-2")
def test_no_totp_secret_in_clear_in_the_database(client, enrolled):
    """Must show: the raw row holds no secret in clear, nor the recovery-code seed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, data::text FROM mfa_authenticator")
        rows = cursor.fetchall()
    assert {kind for kind, _ in rows} == {"totp", "recovery_codes"}
    raw = " ".join(data for _, data in rows)
    assert enrolled not in raw and enrolled.lower() not in raw
    recovery = Authenticator.objects.get(type="recovery_codes")
    from accounts.mfa import decrypt

    seed = decrypt(recovery.data["seed"])
    assert seed not in raw
    assert decrypt(Authenticator.objects.get(type="totp").data["secret"]) == enrolled


@pytest.mark.spec("SEC-2")
def test_keys_rotate_and_the_migration_encrypts_rows_in_clear(client, enrolled, settings):
    from cryptography.fernet import Fernet
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import call_command

    from accounts.mfa import decrypt

    importlib_migration = __import__(
        "accounts.migrations.0006_encrypt_second_factor_secrets", fromlist=["encrypt_secrets"]
    )
    totp_row = Authenticator.objects.get(type="totp")
    Authenticator.objects.filter(pk=totp_row.pk).update(data={"secret": enrolled})
    importlib_migration.encrypt_secrets(apps, None)
    totp_row.refresh_from_db()
    assert totp_row.data["secret"] != enrolled and decrypt(totp_row.data["secret"]) == enrolled

    old = settings.MFA_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_KEYS = [new, old]
    call_command("mfa_keys_rotate")
    settings.MFA_ENCRYPTION_KEYS = [new]  # the old key dropped: everything still reads
    totp_row.refresh_from_db()
    assert decrypt(totp_row.data["secret"]) == enrolled
    settings.MFA_ENCRYPTION_KEYS = [old]
    with pytest.raises(ImproperlyConfigured):
        decrypt(totp_row.data["secret"])


def _production_env(**overrides) -> dict:
    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DJANGO_SETTINGS_MODULE="carm_portal.settings.production",
        SECRET_KEY="k" * 20 + "production-like-secret-for-the-deploy-check-0123456789",
        ALLOWED_HOSTS="portal.example.ca",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        PAD_ENCRYPTION_KEYS="aGVyZS1pcy1hLWRlcGxveS1jaGVjay1rZXktMzJieXQ=",
        MFA_ENCRYPTION_KEYS="bWZhLWtleS1mb3ItdGhlLWRlcGxveS1jaGVjay0zMmI=",
    )
    env.update(overrides)
    return env


@pytest.mark.spec("SEC-2")
@pytest.mark.parametrize(
    ("value", "said"),
    [(None, "MFA_ENCRYPTION_KEYS"), ("", "is empty"), ("not-a-fernet-key", "not a Fernet key")],
)
def test_production_refuses_to_start_without_valid_mfa_keys(value, said):
    env = _production_env()
    if value is None:
        del env["MFA_ENCRYPTION_KEYS"]
    else:
        env["MFA_ENCRYPTION_KEYS"] = value
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert said in result.stderr


@pytest.mark.spec("SEC-2")
def test_production_starts_with_valid_mfa_keys():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.spec("SEC-2", "SEC-4")
def test_the_admin_never_shows_the_secrets_and_staff_reset_the_second_factor(
    client, enrolled, staff_client
):
    authenticator = Authenticator.objects.get(type="totp", user__username="jotremblay1")
    page = staff_client.get(f"/admin/mfa/authenticator/{authenticator.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert authenticator.data["secret"] not in html and enrolled not in html
    assert "Data" not in text(soup(page).find(id="content"))
    response = staff_client.post(
        "/admin/mfa/authenticator/",
        {"action": "reset_second_factor", "_selected_action": [str(authenticator.pk)]},
    )
    assert response.status_code == 302
    user = User.objects.get(username="jotremblay1")
    assert not Authenticator.objects.filter(user=user).exists()
    entry = AuditEntry.objects.get(action="second_factor.reset")
    assert entry.subject == "jotremblay1" and entry.actor == staff_client.user
    assert NoticeRecipient.objects.filter(
        user=user, notice__type__code="second_factor_reset"
    ).exists()


# --- SEC-4 --------------------------------------------------------------------------------


def _sign_in_long_ago(client, enrolled, monkeypatch):
    """Signed in with both factors, 11 minutes ago."""
    password_step(client)
    code(client, totp(enrolled, at=time.time() + 30))
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] -= 11 * 60
    session.save()


@pytest.mark.spec("SEC-4")
@pytest.mark.parametrize(
    "path",
    [
        "/en/account/password/",
        "/en/account/recovery-questions/",
        "/en/account/revoke/",
        "/en/account/second-factor/replace/",
        "/en/account/security-questions/",
    ],
)
def test_sensitive_changes_need_both_factors_again(client, enrolled, monkeypatch, path):
    from accounts.onboarding import DONE_KEY

    _sign_in_long_ago(client, enrolled, monkeypatch)
    session = client.session
    session[DONE_KEY] = True
    session.save()
    if path.endswith("security-questions/"):
        from accounts.models import SecretQuestions

        user = User.objects.get(username="jotremblay1")
        recovery = SecretQuestions.objects.get(user=user)
        SecretQuestions.objects.create(
            user=user,
            purpose=SecretQuestions.Purpose.IDENTITY,
            question=recovery.question,
            answer_hash=recovery.answer_hash,
            memorable_person_hash=recovery.memorable_person_hash,
            memorable_date_hash=recovery.memorable_date_hash,
        )
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/en/account/confirm/?next=")


@pytest.mark.spec("SEC-4")
def test_a_late_password_change_resumes_after_proving_both_factors(client, enrolled, monkeypatch):
    _sign_in_long_ago(client, enrolled, monkeypatch)
    data = {
        "current_password": GOOD_PASSWORD,
        "password1": "Harbour5Light",
        "password2": "Harbour5Light",
    }
    response = client.post("/en/account/password/", data)
    assert response["Location"] == "/en/account/confirm/?next=%2Fen%2Faccount%2Fpassword%2F"
    page = soup(client.get(response["Location"]))
    assert text(page.h1) == "Confirm it's you"
    # A wrong code counts like at sign-in (SEC-1).
    wrong = client.post(
        response["Location"], {"password": GOOD_PASSWORD, "code": wrong_code(enrolled)}
    )
    assert wrong.status_code == 200 and "The code is not correct" in error_text(wrong)
    assert AuditEntry.objects.filter(
        action="second_factor.failed", changes__step="confirm"
    ).exists()
    done = client.post(
        response["Location"],
        {"password": GOOD_PASSWORD, "code": totp(enrolled, at=time.time() - 30)},
    )
    # The suspended POST was replayed: the password is changed, nothing typed again.
    assert done.status_code == 302 and done["Location"] == "/en/account/welcome/"
    assert User.objects.get(username="jotremblay1").check_password("Harbour5Light")


@pytest.mark.spec("SEC-4")
def test_the_second_factor_is_replaced_never_removed(client, enrolled):
    from accounts.onboarding import DONE_KEY

    password_step(client)
    code(client, totp(enrolled, at=time.time() + 30))
    session = client.session
    session[DONE_KEY] = True
    session.save()
    assert client.get("/en/account/2fa/totp/deactivate/")["Location"] == (
        "/en/account/second-factor/replace/"
    )
    client.post("/en/account/2fa/totp/deactivate/", {})
    assert Authenticator.objects.filter(type="totp").count() == 1
    page = soup(client.get("/en/account/second-factor/replace/"))
    new_secret = page.find(id="authenticator-secret").get_text(strip=True)
    assert new_secret != enrolled
    response = client.post("/en/account/second-factor/replace/", {"code": totp(new_secret)})
    assert response.status_code == 302
    from accounts.mfa import decrypt

    assert decrypt(Authenticator.objects.get(type="totp").data["secret"]) == new_secret
    assert AuditEntry.objects.filter(action="second_factor.replaced").count() == 1


@pytest.mark.spec("SEC-4")
def test_pad_changes_need_both_factors_again(bam_client):
    from accounts.reauth import PROVEN_AT

    session = bam_client.session
    session[PROVEN_AT] = time.time() - 11 * 60
    session.save()
    for path in (
        "/en/finance/payments/pad/new/",
        "/en/finance/payments/pad/change/",
        "/en/finance/payments/pad/cancel/",
    ):
        response = bam_client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/en/account/confirm/"), path


# --- SEC-5 --------------------------------------------------------------------------------


@pytest.fixture
def redis_down(settings):
    """The cache pointed at a closed port, as when Redis is stopped."""
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    yield


@pytest.mark.spec("SEC-5", "SEC-1")
def test_sign_in_works_without_redis(client, enrolled, redis_down):
    """Must show: with Redis stopped, a right sign-in reaches the home page; the lockout
    and the used-code memory keep working (PostgreSQL)."""
    from django.core.cache import cache

    with pytest.raises(ValueError):
        cache.incr("proof-the-cache-is-down")
    value = totp(enrolled, at=time.time() + 30)
    password_step(client)
    response = code(client, value)
    assert response.status_code == 302 and signed_in(client)
    assert client.get(response["Location"], follow=True).status_code == 200
    client.post("/en/account/sign-out/")
    password_step(client)
    assert code(client, value).status_code == 200  # the used code is still refused
    other = Client()
    for _ in range(4):
        other.post("/en/account/sign-in/", {"login": "jotremblay1", "password": "Wrong7Pass"})
    locked = other.post("/en/account/sign-in/", {"login": "jotremblay1", "password": "Wrong7Pa"})
    assert locked.status_code == 200, locked
    assert "locked until" in error_text(locked)


@pytest.mark.spec("SEC-5")
def test_cached_pages_degrade_without_redis(bam_client, redis_down):
    """The calculator's memo, the API throttles and the session-warning endpoint answer
    without Redis (recomputed, not counted, extended)."""
    search = bam_client.get("/api/v1/tariff/", {"q": "coffee", "date": "2026-10-01"})
    assert search.status_code == 200
    assert bam_client.get("/en/calculator/").status_code == 200
    extend = bam_client.post("/en/session/extend/", HTTP_X_REQUESTED_WITH="fetch")
    assert extend.status_code == 204


@pytest.mark.spec("SEC-4")
def test_a_new_email_address_needs_both_factors_again(client, enrolled, monkeypatch):
    from accounts.onboarding import DONE_KEY
    from accounts.tests.helpers import profile_data

    user = User.objects.get(username="jotremblay1")
    user.profile_completed_at = user.date_joined
    user.email = "jo@example.ca"
    user.save()
    _sign_in_long_ago(client, enrolled, monkeypatch)
    session = client.session
    session[DONE_KEY] = True
    session.save()
    # The phone alone: no proof needed.
    same_email = client.post("/en/account/profile/", profile_data(phone="613-555-0199"))
    assert same_email["Location"] == "/en/account/profile/"
    changed = client.post(
        "/en/account/profile/",
        profile_data(email="new@example.ca", email_confirmation="new@example.ca"),
    )
    assert changed["Location"].startswith("/en/account/confirm/?next=")
    user.refresh_from_db()
    assert user.email == "jo@example.ca"
    done = client.post(
        changed["Location"],
        {"password": GOOD_PASSWORD, "code": totp(enrolled, at=time.time() - 30)},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.email == "new@example.ca"


@pytest.mark.spec("SEC-1", "SEC-9")
def test_allauth_reauthentication_page_counts_wrong_codes_and_enrolment_is_audited(
    client, enrolled
):
    user = User.objects.get(username="jotremblay1")
    assert AuditEntry.objects.filter(action="second_factor.enrolled", actor=user).exists()
    password_step(client)
    code(client, totp(enrolled, at=time.time() + 30))
    bad = wrong_code(enrolled)
    for _ in range(4):
        response = client.post("/en/account/2fa/reauthenticate/", {"code": bad})
        assert response.status_code == 200
    fifth = client.post("/en/account/2fa/reauthenticate/", {"code": bad})
    assert fifth["Location"] == "/en/account/sign-in/"
    assert not signed_in(client)  # a session guessing codes ends
    steps = AuditEntry.objects.filter(action="second_factor.failed").values_list(
        "changes__step", flat=True
    )
    assert list(steps) == ["reauthenticate"] * 5
