"""Writes of the accounts area (STYLE 1): keyword-only, atomic, audited."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model, login, update_session_auth_hash
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import SecretQuestions, User
from carm_portal.audit import audit_record, username_subject
from carm_portal.tasks import enqueue_on_commit


@transaction.atomic
def gckey_register(
    *, username: str, password_hash: str, questions: dict, language: str, request
) -> User | None:
    """Create a GCKey credential; None when the username was taken meanwhile."""
    try:
        with transaction.atomic():
            user = get_user_model().objects.create(
                username=username,
                password=password_hash,
                credential_kind=User.CredentialKind.GCKEY,
                preferred_language=language if language in ("en", "fr") else "en",
            )
    except IntegrityError:
        return None
    SecretQuestions.objects.create(
        user=user,
        purpose=SecretQuestions.Purpose.RECOVERY,
        question=questions["question"],
        answer_hash=questions["answer_hash"],
        memorable_person_hash=questions["memorable_person_hash"],
        memorable_person_hint=questions["memorable_person_hint"],
        memorable_date_hash=questions["memorable_date_hash"],
        memorable_date_hint=questions["memorable_date_hint"],
    )
    audit_record(action="gckey.registered", request=request, actor=user)
    return user


def user_sign_in_after_registration(*, request, user: User) -> None:
    """The new GCKey signs its owner in; the second-factor enrolment follows."""
    from allauth.account.internal.flows.login import record_authentication

    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    record_authentication(request, user, method="password")  # given just now (SEC-4)
    audit_record(action="sign_in.succeeded", request=request, actor=user)


@transaction.atomic
def secret_questions_save(*, user: User, purpose: str, data: dict, request) -> SecretQuestions:
    questions, created = SecretQuestions.objects.get_or_create(
        user=user,
        purpose=purpose,
        defaults={"question": data["question"]},
    )
    questions.question = data["question"]
    questions.set_answers(
        answer=data["answer"],
        memorable_person=data["memorable_person"],
        memorable_date=data["memorable_date"],
    )
    questions.memorable_person_hint = data.get("memorable_person_hint", "")
    questions.memorable_date_hint = data.get("memorable_date_hint", "")
    questions.failed_attempts, questions.locked_until = 0, None
    questions.save()
    audit_record(
        action=f"secret_questions.{'created' if created else 'changed'}",
        request=request,
        actor=user,
        changes={"purpose": purpose},
    )
    return questions


@transaction.atomic
def user_profile_save(*, user: User, changes: dict, request) -> User:
    """Save the personal profile (PROF-1): ``changes`` holds the fields that changed,
    with their new values (plain data, not the form)."""
    changed = [name for name in changes if name not in ("email_confirmation", "terms")]
    for name in changed:
        setattr(user, name, changes[name])
    now = timezone.now()
    if user.terms_acknowledged_at is None:
        user.terms_acknowledged_at = now
    created = user.profile_completed_at is None
    if created:
        user.profile_completed_at = now
    user.save()
    audit_record(
        action=f"profile.{'created' if created else 'changed'}",
        request=request,
        actor=user,
        changes={"fields": changed},
    )
    return user


def recovery_questions_for(username: str) -> SecretQuestions | None:
    return (
        SecretQuestions.objects.select_related("user")
        .filter(
            user__username__iexact=username,
            user__is_active=True,
            user__credential_kind=User.CredentialKind.GCKEY,
            purpose=SecretQuestions.Purpose.RECOVERY,
        )
        .first()
    )


_DUMMY_HASHES: list[str] = []


def _dummy_hashes() -> list[str]:
    """Three hashes made with the configured hasher, checked for unknown usernames so
    that they cost the same hashing work as real ones (SEC-3)."""
    if not _DUMMY_HASHES:
        from django.contrib.auth.hashers import make_password

        _DUMMY_HASHES.extend(make_password(f"not-an-answer-{i}") for i in range(3))
    return _DUMMY_HASHES


def recovery_locked_until(username: str):
    """When recovery is locked for ``username``, known or not (SEC-3)."""
    from accounts.models import RecoveryLock

    now = timezone.now()
    questions = recovery_questions_for(username)
    if questions is not None:
        until = questions.locked_until
    else:
        lock = RecoveryLock.objects.filter(username_key=username.strip().casefold()[:150]).first()
        until = lock.locked_until if lock else None
    return until if until and until > now else None


def _unknown_recovery_failure(*, username: str, request) -> str:
    """The same 3-strikes lock for a username without recovery questions (SEC-3)."""
    from django.contrib.auth.hashers import check_password

    from accounts.models import RecoveryLock

    for dummy in _dummy_hashes():
        check_password("x", dummy)  # the same hashing work as a real account's 3 answers
    now = timezone.now()
    lock, _ = RecoveryLock.objects.select_for_update().get_or_create(
        username_key=username.strip().casefold()[:150]
    )
    if lock.locked_until and lock.locked_until > now:
        return "locked"
    lock.failures += 1
    result = "wrong"
    if lock.failures >= settings.RECOVERY_MAX_FAILURES:
        lock.locked_until = now + datetime.timedelta(seconds=settings.RECOVERY_LOCK_DURATION)
        lock.failures = 0
        result = "locked"
        audit_record(action="recovery.locked", request=request, subject=username_subject(username))
    else:
        audit_record(action="recovery.failed", request=request, subject=username_subject(username))
    lock.save()
    return result


@transaction.atomic
def recovery_answers_check(*, username: str, data: dict, request) -> str:
    """'ok', 'wrong' or 'locked' (3 wrong sets lock recovery for 24 hours), alike for
    unknown usernames (SEC-3)."""
    questions = recovery_questions_for(username)
    if questions is None:
        return _unknown_recovery_failure(username=username, request=request)
    questions = SecretQuestions.objects.select_for_update().get(pk=questions.pk)
    now = timezone.now()
    if questions.locked_until and questions.locked_until > now:
        return "locked"
    if questions.answers_match(
        answer=data["answer"],
        memorable_person=data["memorable_person"],
        memorable_date=data["memorable_date"],
    ):
        questions.failed_attempts, questions.locked_until = 0, None
        questions.save(update_fields=["failed_attempts", "locked_until"])
        audit_record(action="recovery.verified", request=request, actor=questions.user)
        return "ok"
    questions.failed_attempts += 1
    result = "wrong"
    if questions.failed_attempts >= settings.RECOVERY_MAX_FAILURES:
        questions.locked_until = now + datetime.timedelta(seconds=settings.RECOVERY_LOCK_DURATION)
        questions.failed_attempts = 0
        result = "locked"
        audit_record(action="recovery.locked", request=request, actor=questions.user)
    else:
        audit_record(action="recovery.failed", request=request, actor=questions.user)
    questions.save(update_fields=["failed_attempts", "locked_until"])
    return result


@transaction.atomic
def user_password_change(*, user: User, password: str, request, reason: str) -> None:
    """Set a new password. Every other session of the person ends (their session hash
    no longer matches); the current one continues. The person is told by email."""
    user.set_password(password)
    user.save(update_fields=["password"])
    if request.user.is_authenticated and request.user.pk == user.pk:
        update_session_auth_hash(request, user)
    audit_record(action=f"password.{reason}", request=request, actor=user)
    from accounts.tasks import send_password_changed_email

    enqueue_on_commit(send_password_changed_email, user.pk)


@transaction.atomic
def user_credential_revoke(*, user: User, request) -> None:
    """Disable the GCKey for good: no password, inactive (every session ends)."""
    user.set_unusable_password()
    user.is_active = False
    user.save(update_fields=["password", "is_active"])
    audit_record(action="gckey.revoked", request=request, actor=user)


# --- The second factor (SEC-4, SEC-9) ---------------------------------------------------


@transaction.atomic
def second_factor_replace(*, user: User, secret: str, request) -> None:
    """A new authenticator app replaces the old one; new recovery codes replace the old
    ones (the old app's codes and the old recovery codes stop working). Audited."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
    ).delete()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    audit_record(action="second_factor.replaced", request=request, actor=user)


@transaction.atomic
def recovery_unlock(*, questions: SecretQuestions, request) -> None:
    """CBSA staff lift a person's password-recovery lock (after checking who they are):
    their failed answers are forgotten. Audited with the staff member as actor."""
    was_locked_until = questions.locked_until
    questions.failed_attempts, questions.locked_until = 0, None
    questions.save(update_fields=["failed_attempts", "locked_until", "updated_at"])
    audit_record(
        action="secret_questions.unlocked",
        request=request,
        subject=questions.user.username,
        changes={
            "user_id": questions.user_id,
            "purpose": questions.purpose,
            "locked_until": was_locked_until.isoformat() if was_locked_until else None,
        },
    )


@transaction.atomic
def second_factor_reset(*, user: User, request) -> None:
    """CBSA staff reset a person's second factor (after checking who they are): the app,
    recovery codes and passkeys go; the person enrols a new app at their next sign-in.
    Audited with the staff member as actor; the person gets a notice."""
    from allauth.mfa.models import Authenticator

    from accounts.models import SecondFactorFailures

    Authenticator.objects.filter(user=user).delete()
    SecondFactorFailures.objects.filter(user=user).delete()
    audit_record(
        action="second_factor.reset",
        request=request,
        subject=user.username,
        changes={"user_id": user.pk},
    )
    from notices.services import notice_send

    notice_send(type_code="second_factor_reset", recipient=user)
