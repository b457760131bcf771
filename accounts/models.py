from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person with one credential and one personal profile (SPEC LINK-6, PROF-1)."""

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        FRENCH = "fr", _("French")

    class CredentialKind(models.TextChoices):
        GCKEY = "gckey", _("GCKey")
        PARTNER = "partner", _("Sign-In Partner")

    # Exactly one credential kind per account (SPEC SIGN-2, LINK-6).
    credential_kind = models.CharField(
        _("credential"),
        max_length=10,
        choices=CredentialKind.choices,
        default=CredentialKind.GCKEY,
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=Language.choices,
        default=Language.ENGLISH,
    )
    # Personal profile (SPEC PROF-1). The phone number is stored in E.164 form.
    phone = models.CharField(_("telephone number"), max_length=20, blank=True)
    phone_extension = models.CharField(_("extension"), max_length=10, blank=True)
    email_notices = models.BooleanField(_("email notices"), default=False)
    # The language of notice emails (SPEC NOTE-1); empty: the preferred language.
    notice_language = models.CharField(
        _("language of notice emails"),
        max_length=2,
        choices=Language.choices,
        blank=True,
        default="",
    )
    terms_acknowledged_at = models.DateTimeField(
        _("terms of use acknowledged"), null=True, blank=True
    )
    profile_completed_at = models.DateTimeField(_("profile completed"), null=True, blank=True)
    # The sign-in before the current one, shown on the welcome page (SPEC SIGN-6).
    previous_login = models.DateTimeField(_("previous sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(preferred_language__in=["en", "fr"]),
                name="user_preferred_language_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(notice_language__in=["", "en", "fr"]),
                name="user_notice_language_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(credential_kind__in=["gckey", "partner"]),
                name="user_credential_kind_valid",
            ),
            # Usernames are unique whatever their letter case (SPEC SIGN-4).
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    @property
    def display_name(self) -> str:
        """How the portal names the person: their full name, else their username."""
        return self.get_full_name() or self.get_username()

    @property
    def profile_complete(self) -> bool:
        return self.profile_completed_at is not None

    @property
    def email_language(self) -> str:
        """The language of the notice emails this person receives (SPEC NOTE-1)."""
        return self.notice_language or self.preferred_language


class PartnerIdentity(models.Model):
    """A person who signs in through a Sign-In Partner (SPEC SIGN-3).

    Identified by the provider's issuer and the opaque subject identifier only: never by
    email, and no banking data is stored.
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="partner_identity", verbose_name=_("user")
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject identifier"), max_length=255)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-in partner identity")
        verbose_name_plural = _("sign-in partner identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="partner_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject[:8]}…"


def normalize_answer(value: str) -> str:
    """Recovery answers compare case- and space-insensitively (SPEC SIGN-4)."""
    return "".join(value.split()).casefold()


class SecretQuestions(models.Model):
    """Questions and answers that prove a person's identity later (SPEC SIGN-4.4, PROF-2).

    ``recovery`` belongs to the GCKey credential (forgotten password); ``identity`` is the
    portal profile's security questions. Answers are stored hashed, never in clear.
    """

    class Purpose(models.TextChoices):
        RECOVERY = "recovery", _("GCKey recovery")
        IDENTITY = "identity", _("Portal identity check")

    class Question(models.TextChoices):
        FIRST_PET = "first_pet", _("What was the name of your first pet?")
        BIRTH_CITY = "birth_city", _("In what city were you born?")
        FIRST_SCHOOL = "first_school", _("What was the name of your first school?")
        CHILDHOOD_FRIEND = (
            "childhood_friend",
            _("What is the first name of your childhood best friend?"),
        )
        FIRST_CAR = "first_car", _("What was the make of your first car?")
        MOTHER_BIRTH_CITY = "mother_birth_city", _("In what city was your mother born?")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="secret_questions", verbose_name=_("user")
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    question = models.CharField(_("question"), max_length=30, choices=Question.choices)
    answer_hash = models.CharField(max_length=128)
    memorable_person_hash = models.CharField(max_length=128)
    memorable_person_hint = models.CharField(
        _("hint about the memorable person"), max_length=100, blank=True
    )
    memorable_date_hash = models.CharField(max_length=128)
    memorable_date_hint = models.CharField(
        _("hint about the memorable date"), max_length=100, blank=True
    )
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("secret questions")
        verbose_name_plural = _("secret questions")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose"], name="secret_questions_one_per_purpose"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_purpose_display()})"

    @staticmethod
    def hashed_answers(*, answer: str, memorable_person: str, memorable_date) -> dict[str, str]:
        """The stored form of the answers: hashed, never in clear."""
        return {
            "answer_hash": make_password(normalize_answer(answer)),
            "memorable_person_hash": make_password(normalize_answer(memorable_person)),
            "memorable_date_hash": make_password(memorable_date.isoformat()),
        }

    def set_answers(self, *, answer: str, memorable_person: str, memorable_date) -> None:
        for name, value in self.hashed_answers(
            answer=answer, memorable_person=memorable_person, memorable_date=memorable_date
        ).items():
            setattr(self, name, value)

    def answers_match(self, *, answer: str, memorable_person: str, memorable_date) -> bool:
        results = [
            check_password(normalize_answer(answer), self.answer_hash),
            check_password(normalize_answer(memorable_person), self.memorable_person_hash),
            check_password(memorable_date.isoformat(), self.memorable_date_hash),
        ]
        return all(results)


class SignInLock(models.Model):
    """Failed sign-ins per username, known or not (ITSG-33 AC-7, SPEC SIGN-5).

    Keyed on the lower-cased username typed, so that an unknown username and a wrong
    password behave the same way, lock included.
    """

    username_key = models.CharField(max_length=150, primary_key=True)
    failures = models.PositiveSmallIntegerField(default=0)
    window_started_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in lock")
        verbose_name_plural = _("sign-in locks")

    def __str__(self) -> str:
        return self.username_key


class SecondFactorFailures(models.Model):
    """Wrong second-factor codes of one person, across sessions and addresses (SEC-1).

    ``in_a_row`` ends the pending sign-in at SECOND_FACTOR_MAX_PENDING_FAILURES;
    ``in_window`` locks the credential (the SignInLock of its username) at
    SECOND_FACTOR_MAX_FAILURES within SIGN_IN_FAILURE_WINDOW. A right password clears
    neither; a right code clears ``in_a_row`` only.
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="second_factor_failures"
    )
    in_a_row = models.PositiveSmallIntegerField(default=0)
    in_window = models.PositiveSmallIntegerField(default=0)
    window_started_at = models.DateTimeField()

    class Meta:
        verbose_name = _("second-factor failures")
        verbose_name_plural = _("second-factor failures")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.in_a_row}/{self.in_window}"


class UsedSecondFactorCode(models.Model):
    """A code accepted once, refused again until ``expires_at`` (SEC-1, SEC-5).

    Kept in PostgreSQL (not the cache) so that the memory holds without Redis. Only a
    keyed hash of the code is stored.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="used_code_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} until {self.expires_at:%H:%M:%S}"


class RecoveryLock(models.Model):
    """Wrong recovery answers for a username that has no GCKey recovery questions (SEC-3):
    the lock after 3 wrong sets is kept for unknown usernames as well."""

    username_key = models.CharField(max_length=150, primary_key=True)
    failures = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.username_key
