"""Every GCKey and profile rule, with its English and French message (SIGN-4, PROF-1)."""

import pytest
from django.utils import translation

from accounts.forms import PasswordForm, ProfileForm, SecretQuestionsForm, UsernameForm
from accounts.tests.factories import UserFactory
from accounts.tests.helpers import profile_data, questions_data

pytestmark = pytest.mark.django_db


def errors_of(form_factory, language: str, field: str) -> list[str]:
    with translation.override(language):
        form = form_factory()
        form.is_valid()
        return [str(e) for e in form.errors.get(field, [])]


USERNAME_CASES = [
    (
        "short7x",
        "Your username must have 8 to 16 characters.",
        "Votre nom d'utilisateur doit contenir de 8 à 16 caractères.",
    ),
    (
        "a" * 17,
        "Your username must have 8 to 16 characters.",
        "Votre nom d'utilisateur doit contenir de 8 à 16 caractères.",
    ),
    (
        "jo.tremblay",
        "Your username may contain only letters and digits, with no special characters.",
        "Votre nom d'utilisateur ne peut contenir que des lettres et des chiffres, sans caractère spécial.",
    ),
    (
        "joé12345",
        "Your username may contain only letters and digits, with no special characters.",
        "Votre nom d'utilisateur ne peut contenir que des lettres et des chiffres, sans caractère spécial.",
    ),
    (
        "jo12345678",
        "Your username may contain at most 7 digits.",
        "Votre nom d'utilisateur peut contenir au plus 7 chiffres.",
    ),
    (
        "TAKENuser1",
        "This username is already taken. Please choose another one.",
        "Ce nom d'utilisateur est déjà pris. Veuillez en choisir un autre.",
    ),
]


@pytest.mark.spec("SIGN-4")
@pytest.mark.parametrize(("username", "english", "french"), USERNAME_CASES)
def test_username_rules(username, english, french):
    UserFactory(username="takenUSER1")  # unique whatever the letter case
    assert english in errors_of(lambda: UsernameForm({"username": username}), "en", "username")
    assert french in errors_of(lambda: UsernameForm({"username": username}), "fr", "username")


@pytest.mark.spec("SIGN-4")
@pytest.mark.parametrize("username", ["jotremblay", "Jo1234567", "ABCDEFGHI1234567"])
def test_good_usernames(username):
    assert UsernameForm({"username": username}).is_valid()


PASSWORD_CASES = [
    (
        "Ab1defg",
        "Your password must have 8 to 16 characters.",
        "Votre mot de passe doit contenir de 8 à 16 caractères.",
    ),
    (
        "Ab1defghijklmnopq",
        "Your password must have 8 to 16 characters.",
        "Votre mot de passe doit contenir de 8 à 16 caractères.",
    ),
    (
        "xxTREmbla9",
        "Your password must not share 3 consecutive characters with your username.",
        "Votre mot de passe ne doit pas partager 3 caractères consécutifs avec votre nom d'utilisateur.",
    ),
    (
        "Quartz 7Maple",
        "Your password may contain only letters without accents, digits and keyboard symbols, with no spaces.",
        "Votre mot de passe ne peut contenir que des lettres sans accent, des chiffres et des symboles du clavier, sans espace.",
    ),
    (
        "Quartzé7Maple",
        "Your password may contain only letters without accents, digits and keyboard symbols, with no spaces.",
        "Votre mot de passe ne peut contenir que des lettres sans accent, des chiffres et des symboles du clavier, sans espace.",
    ),
    (
        "QUARTZ7MAPLE",
        "Your password must contain at least one lowercase letter.",
        "Votre mot de passe doit contenir au moins une lettre minuscule.",
    ),
    (
        "quartz7maple",
        "Your password must contain at least one uppercase letter.",
        "Votre mot de passe doit contenir au moins une lettre majuscule.",
    ),
    (
        "QuartzMaple",
        "Your password must contain at least one digit.",
        "Votre mot de passe doit contenir au moins un chiffre.",
    ),
    (
        "Password1",
        "This password is too common. Please choose another one.",
        "Ce mot de passe est trop courant. Veuillez en choisir un autre.",
    ),
]


@pytest.mark.spec("SIGN-4")
@pytest.mark.parametrize(("password", "english", "french"), PASSWORD_CASES)
def test_password_rules(password, english, french):
    def form():
        return PasswordForm({"password1": password, "password2": password}, username="jotremblay")

    assert english in errors_of(form, "en", "password1")
    assert french in errors_of(form, "fr", "password1")


@pytest.mark.spec("SIGN-4")
def test_password_confirmation_must_match():
    def form():
        return PasswordForm(
            {"password1": "Quartz7Maple", "password2": "Quartz7Mapl"}, username="jotremblay"
        )

    assert errors_of(form, "en", "password2") == ["The two passwords do not match."]
    assert errors_of(form, "fr", "password2") == ["Les deux mots de passe ne sont pas identiques."]


@pytest.mark.spec("SIGN-4")
def test_a_good_password_passes():
    form = PasswordForm(
        {"password1": "Quartz7Maple", "password2": "Quartz7Maple"}, username="jotremblay"
    )
    assert form.is_valid(), form.errors


QUESTION_CASES = [
    (
        "answer",
        "ab",
        "Your answer must have at least 3 characters.",
        "Votre réponse doit contenir au moins 3 caractères.",
    ),
    (
        "answer",
        "Rex!",
        "Your answer may contain only letters, digits and spaces, with no special characters.",
        "Votre réponse ne peut contenir que des lettres, des chiffres et des espaces, sans caractère spécial.",
    ),
    (
        "memorable_person",
        "Al",
        "Your answer must have at least 3 characters.",
        "Votre réponse doit contenir au moins 3 caractères.",
    ),
    (
        "memorable_person_hint",
        "ab",
        "Your hint must have at least 3 characters.",
        "Votre indice doit contenir au moins 3 caractères.",
    ),
    (
        "memorable_person_hint",
        "my #1 aunt",
        "Your hint may contain only letters, digits, spaces and the characters ' , - . and ?",
        "Votre indice ne peut contenir que des lettres, des chiffres, des espaces et les caractères ' , - . et ?",
    ),
    (
        "memorable_date",
        "14/07/1990",
        "Enter a real date in the form YYYY-MM-DD, for example 1990-07-14.",
        "Entrez une date réelle sous la forme AAAA-MM-JJ, par exemple 1990-07-14.",
    ),
    (
        "memorable_date",
        "1990-02-30",
        "Enter a real date in the form YYYY-MM-DD, for example 1990-07-14.",
        "Entrez une date réelle sous la forme AAAA-MM-JJ, par exemple 1990-07-14.",
    ),
    (
        "memorable_date",
        "2999-01-01",
        "Your memorable date must be in the past.",
        "Votre date mémorable doit être dans le passé.",
    ),
]


@pytest.mark.spec("SIGN-4", "PROF-2")
@pytest.mark.parametrize(("field", "value", "english", "french"), QUESTION_CASES)
def test_recovery_question_rules(field, value, english, french):
    def form():
        return SecretQuestionsForm(questions_data(**{field: value}))

    assert errors_of(form, "en", field) == [english]
    assert errors_of(form, "fr", field) == [french]


@pytest.mark.spec("SIGN-4")
def test_hints_accept_the_allowed_punctuation():
    assert SecretQuestionsForm(
        questions_data(memorable_person_hint="Aunt Lou's, eh? - yes.")
    ).is_valid()


PROFILE_CASES = [
    (
        "phone",
        "555-0123",
        "Enter a North American telephone number with its area code, for example 613-555-0123.",
        "Entrez un numéro de téléphone nord-américain avec son indicatif régional, par exemple 613-555-0123.",
    ),
    (
        "phone",
        "+33 1 23 45 67 89",
        "Enter a North American telephone number with its area code, for example 613-555-0123.",
        "Entrez un numéro de téléphone nord-américain avec son indicatif régional, par exemple 613-555-0123.",
    ),
    (
        "phone_extension",
        "12a",
        "An extension has only digits (at most 6).",
        "Une extension ne contient que des chiffres (6 au plus).",
    ),
    (
        "email_confirmation",
        "other@example.ca",
        "The two email addresses do not match.",
        "Les deux adresses courriel ne sont pas identiques.",
    ),
]


@pytest.mark.spec("PROF-1")
@pytest.mark.parametrize(("field", "value", "english", "french"), PROFILE_CASES)
def test_profile_rules(field, value, english, french):
    user = UserFactory()

    def form():
        return ProfileForm(profile_data(**{field: value}), instance=user)

    assert errors_of(form, "en", field) == [english]
    assert errors_of(form, "fr", field) == [french]


@pytest.mark.spec("PROF-1")
@pytest.mark.parametrize(
    "missing",
    ["first_name", "last_name", "phone", "email", "preferred_language", "terms"],
)
def test_profile_required_fields(missing):
    data = profile_data()
    del data[missing]
    form = ProfileForm(data, instance=UserFactory())
    assert not form.is_valid()
    assert missing in form.errors


@pytest.mark.spec("PROF-1")
def test_phone_is_stored_in_e164():
    user = UserFactory()
    form = ProfileForm(profile_data(phone="(819) 555-0199"), instance=user)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "+18195550199"
