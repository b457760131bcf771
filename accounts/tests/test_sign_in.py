"""Sign-in limits, recovery, revocation and session endings (SIGN-5, SIGN-6, AC-7)."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import SecretQuestions, User
from accounts.tests.factories import UserFactory
from accounts.tests.helpers import GOOD_PASSWORD, questions_data, register
from carm_portal.audit import username_subject
from carm_portal.models import AuditEntry
from tests.html import soup, text

pytestmark = pytest.mark.django_db
SIGN_IN = "/en/account/sign-in/"


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr("accounts.lockout.timezone.now", fake)
    monkeypatch.setattr("accounts.services.timezone.now", fake)
    return fake


def sign_in(client, username, password, language="en"):
    return client.post(f"/{language}/account/sign-in/", {"login": username, "password": password})


def summary(response) -> str:
    node = soup(response).select_one("[data-error-summary]")
    return text(node) if node else ""


def body_without_tokens(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@pytest.mark.spec("SIGN-5")
def test_unknown_username_and_wrong_password_get_the_same_answer(client):
    UserFactory(username="jotremblay")
    unknown = sign_in(client, "nosuchuser", "Wrong7Password")
    wrong = sign_in(client, "jotremblay", "Wrong7Password")
    assert unknown.status_code == wrong.status_code == 200
    assert body_without_tokens(unknown).replace("nosuchuser", "X") == body_without_tokens(
        wrong
    ).replace("jotremblay", "X")
    assert "The username or password you entered is not correct." in summary(wrong)


@pytest.mark.spec("SIGN-5")
@pytest.mark.parametrize("known", [True, False])
def test_five_failures_lock_the_username_for_15_minutes(client, clock, known):
    if known:
        UserFactory(username="jotremblay")
    for _ in range(4):
        assert "not correct" in summary(sign_in(client, "jotremblay", "Wrong7Password"))
    fifth = sign_in(client, "jotremblay", "Wrong7Password")
    assert "locked until" in summary(fifth)
    # The right password is refused meanwhile, with the time to retry.
    locked = sign_in(client, "JoTremblay", GOOD_PASSWORD, language="fr")
    assert "verrouillée jusqu'au" in summary(locked)
    assert locked.status_code == 200
    clock.now += datetime.timedelta(minutes=15, seconds=1)
    after = sign_in(client, "jotremblay", GOOD_PASSWORD)
    if known:
        assert after.status_code == 302
    else:
        assert "not correct" in summary(after)
    # SEC-9: an unknown username is stored as a keyed hash (it may be a password)
    subject = "jotremblay" if known else username_subject("jotremblay")
    assert subject.startswith("unknown:") != known
    assert AuditEntry.objects.filter(action="sign_in.locked", subject=subject).count() == 1
    assert not AuditEntry.objects.exclude(subject="").exclude(subject=subject).exists()


@pytest.mark.spec("SIGN-5")
def test_failures_spread_over_more_than_15_minutes_do_not_lock(client, clock):
    UserFactory(username="jotremblay")
    for _ in range(8):
        sign_in(client, "jotremblay", "Wrong7Password")
        clock.now += datetime.timedelta(minutes=4)
    assert sign_in(client, "jotremblay", GOOD_PASSWORD).status_code == 302


@pytest.mark.spec("SIGN-5")
def test_more_than_20_attempts_a_minute_from_one_address_get_429(client, settings):

    address = "203.0.113.7"
    statuses = [
        client.post(
            SIGN_IN, {"login": f"user{i}abc", "password": "x"}, REMOTE_ADDR=address
        ).status_code
        for i in range(21)
    ]
    assert 429 not in statuses[:20]
    last = client.post(SIGN_IN, {"login": "another1", "password": "x"}, REMOTE_ADDR=address)
    assert last.status_code == 429
    assert 0 < int(last["Retry-After"]) <= 60
    assert "Too many sign-in attempts" in text(soup(last).main)
    other = client.post(SIGN_IN, {"login": "another1", "password": "x"}, REMOTE_ADDR="203.0.113.8")
    assert other.status_code == 200


@pytest.mark.spec("SIGN-5", "SIGN-4")
def test_forgot_password_with_the_recovery_answers(client, django_capture_on_commit_callbacks):
    register(client, username="jotremblay1")
    client.logout()
    user = User.objects.get(username="jotremblay1")
    user.email = "jo@example.ca"
    user.preferred_language = "fr"
    user.save()
    client.post("/en/account/forgot-password/", {"username": "JOTREMBLAY1"})
    page = soup(client.get("/en/account/forgot-password/answers/"))
    assert "What was the name of your first pet?" in text(page.main)
    # Case and spaces do not count in the answers.
    response = client.post(
        "/en/account/forgot-password/answers/",
        {"answer": " BISCUIT ", "memorable_person": "auntlouise", "memorable_date": "1990-07-14"},
    )
    assert response["Location"] == "/en/account/forgot-password/new/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/account/forgot-password/new/",
            {"password1": "Harbour5Light", "password2": "Harbour5Light"},
        )
    assert response["Location"] == "/en/account/sign-in/"
    user.refresh_from_db()
    assert user.check_password("Harbour5Light")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Le mot de passe de votre CléGC a été modifié"
    assert "Harbour5Light" not in mail.outbox[0].body


@pytest.mark.spec("SIGN-5")
def test_three_wrong_sets_lock_recovery_for_24_hours(client, clock):
    register(client, username="jotremblay1")
    client.logout()
    client.post("/en/account/forgot-password/", {"username": "jotremblay1"})
    wrong = {"answer": "Rex", "memorable_person": "Aunt Louise", "memorable_date": "1990-07-14"}
    for _ in range(2):
        response = client.post("/en/account/forgot-password/answers/", wrong)
        assert "do not match" in summary(response)
    client.post("/en/account/forgot-password/answers/", wrong)
    page = soup(client.get("/fr/account/forgot-password/answers/"))
    assert text(page.h1) == "La récupération du mot de passe est verrouillée"
    right = {**wrong, "answer": "Biscuit"}
    assert client.post("/en/account/forgot-password/answers/", right).status_code == 200
    clock.now += datetime.timedelta(hours=24, seconds=1)
    # A day later (the session has expired too), the person starts again.
    client.post("/en/account/forgot-password/", {"username": "jotremblay1"})
    response = client.post("/en/account/forgot-password/answers/", right)
    assert response["Location"] == "/en/account/forgot-password/new/"


@pytest.mark.spec("SIGN-5")
def test_unknown_username_recovery_reveals_nothing(client):
    client.post("/en/account/forgot-password/", {"username": "nosuchuser1"})
    page = soup(client.get("/en/account/forgot-password/answers/"))
    assert "?" in text(page.select_one(".summary dd"))
    response = client.post(
        "/en/account/forgot-password/answers/",
        {"answer": "Rex", "memorable_person": "Someone", "memorable_date": "1990-07-14"},
    )
    assert "do not match" in summary(response)


@pytest.mark.spec("SIGN-5")
def test_forgot_username_page(client):
    page = soup(client.get("/fr/account/forgot-username/"))
    assert "ne peut pas être récupéré" in text(page.main)
    assert page.find("a", href="/fr/account/register/")


@pytest.mark.spec("SIGN-6")
def test_password_change_ends_the_other_sessions(client):
    register(client, username="jotremblay1")
    user = User.objects.get(username="jotremblay1")
    other = Client()
    other.force_login(user)
    assert other.get("/en/account/welcome/").status_code == 200
    response = client.post(
        "/en/account/password/",
        {
            "current_password": GOOD_PASSWORD,
            "password1": "Harbour5Light",
            "password2": "Harbour5Light",
        },
    )
    assert response["Location"] == "/en/account/welcome/"
    assert client.get("/en/account/welcome/").status_code == 200  # this one continues
    assert other.get("/en/account/welcome/").status_code == 302  # the other one ended
    assert "_auth_user_id" not in other.session


@pytest.mark.spec("SIGN-6")
def test_revoking_the_gckey_disables_it_for_good(client):
    register(client, username="jotremblay1")
    user = User.objects.get(username="jotremblay1")
    other = Client()
    other.force_login(user)
    page = soup(client.get("/en/account/revoke/"))
    assert "cannot be undone" in text(page.main)
    client.post("/en/account/revoke/", {"confirm": ""})
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert other.get("/en/account/welcome/").status_code == 302
    assert "not correct" in summary(sign_in(Client(), "jotremblay1", GOOD_PASSWORD))
    assert AuditEntry.objects.filter(action="gckey.revoked", actor=user).exists()


@pytest.mark.spec("SIGN-6")
def test_recovery_questions_can_be_changed(client):
    register(client, username="jotremblay1")
    client.post("/en/account/recovery-questions/", questions_data(answer="Rex"))
    questions = SecretQuestions.objects.get(user__username="jotremblay1", purpose="recovery")
    assert questions.answers_match(
        answer="rex", memorable_person="Aunt Louise", memorable_date=datetime.date(1990, 7, 14)
    )


@pytest.mark.spec("SIGN-4")
def test_going_back_in_the_registration_keeps_what_was_typed(client):
    base = "/en/account/register"
    client.post(f"{base}/", {"accept": ""})
    client.post(f"{base}/username/", {"username": "jotremblay1", "continue": ""})
    page = soup(client.get(f"{base}/username/"))
    assert page.find("input", id="id_username")["value"] == "jotremblay1"
    client.post(f"{base}/password/", {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    # Back to the password step: it is kept; empty fields keep it.
    page = soup(client.get(f"{base}/password/"))
    assert "Your password is kept" in text(page.main)
    assert (
        client.post(f"{base}/password/", {"password1": "", "password2": ""})["Location"]
        == f"{base}/questions/"
    )
    client.post(f"{base}/questions/", {**questions_data(), "continue": ""})
    page = soup(client.get(f"{base}/questions/"))
    assert page.find("option", selected=True)["value"] == "first_pet"
    assert page.find("input", id="id_memorable_person_hint")["value"] == "my aunt"
    # A step cannot be skipped before the earlier ones are done.
    assert Client().get(f"{base}/password/")["Location"] == f"{base}/terms/"


@pytest.mark.spec("SIGN-4")
def test_declining_the_gckey_terms_creates_nothing(client):
    response = client.post("/fr/account/register/", {"decline": ""}, follow=True)
    assert "aucune CléGC n'a donc été créée" in text(soup(response).main)
    assert not User.objects.exists()


def test_audit_rows_hold_no_secrets(client):
    register(client, username="jotremblay1")
    client.logout()
    sign_in(client, "jotremblay1", "Wrong7Password")
    dump = str(list(AuditEntry.objects.values()))
    for secret in (
        GOOD_PASSWORD,
        "Wrong7Password",
        "Biscuit",
        client.cookies.get("carm_sessionid").value
        if client.cookies.get("carm_sessionid")
        else "zz-none",
    ):
        assert secret not in dump
