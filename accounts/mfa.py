"""The second factor (allauth MFA), hardened (SEC-1, SEC-2, SEC-4; ADR 0007).

- ``MFAAdapter`` encrypts the authenticator secrets and recovery-code seeds with the
  Fernet keys of ``MFA_ENCRYPTION_KEYS`` (SEC-2) and refuses to remove a second factor
  (SEC-4: it can only be replaced, or reset by CBSA staff).
- ``AuthenticateForm`` / ``ReauthenticateForm`` (``MFA_FORMS``) check codes with attempt
  limits counted per person in PostgreSQL, and remember used codes there (SEC-1, SEC-5).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

from allauth.core import context
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base import forms as allauth_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts import lockout
from accounts.models import SecondFactorFailures, UsedSecondFactorCode, User
from accounts.selectors import has_second_factor
from carm_portal.audit import audit_record
from carm_portal.tasks import enqueue_on_commit

# --- SEC-2: secrets encrypted at rest --------------------------------------------------


def _fernet() -> MultiFernet:
    keys = [key for key in settings.MFA_ENCRYPTION_KEYS if key]
    if not keys:
        raise ImproperlyConfigured("MFA_ENCRYPTION_KEYS is not set: second factors cannot be kept.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A second-factor secret cannot be decrypted with MFA_ENCRYPTION_KEYS "
            "(a key is missing, or the row was never encrypted: run the migrations)."
        ) from exc


def is_encrypted(value: str) -> bool:
    try:
        _fernet().decrypt(value.encode())
    except (InvalidToken, ValueError, TypeError):
        return False
    return True


# The fields of Authenticator.data that hold secrets, per type.
SECRET_FIELDS = {
    Authenticator.Type.TOTP: ["secret"],
    Authenticator.Type.RECOVERY_CODES: ["seed"],
}


def rotate_data(type_: str, data: dict) -> tuple[dict, bool]:
    """``data`` with its secrets encrypted with the first key; whether anything changed.

    Values in clear (rows written before SEC-2) are encrypted; encrypted ones are
    re-encrypted with the first key (rotation).
    """
    fernet = _fernet()
    data = dict(data)
    changed = False
    for field in SECRET_FIELDS.get(type_, []):
        value = data.get(field)
        if not value:
            continue
        if is_encrypted(value):
            data[field] = fernet.rotate(value.encode()).decode()
        else:
            data[field] = encrypt(value)
        changed = True
    migrated = data.get("migrated_codes")
    if type_ == Authenticator.Type.RECOVERY_CODES and migrated:
        data["migrated_codes"] = [
            fernet.rotate(c.encode()).decode() if is_encrypted(c) else encrypt(c) for c in migrated
        ]
        changed = True
    return data, changed


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": gettext_lazy("The code is not correct. Please try again."),
        "cannot_delete_authenticator": gettext_lazy(
            "Your second factor cannot be removed, only replaced."
        ),
    }

    def encrypt(self, text: str) -> str:
        return encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # SEC-4: the app and the recovery codes are replaced, never removed; a passkey
        # may go as long as the authenticator app stays.
        if authenticator.type == Authenticator.Type.WEBAUTHN:
            return has_second_factor(authenticator.user_id)
        return False


# --- SEC-1: attempt limits and used codes ------------------------------------------------


def _code_hash(user: User, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{user.pk}:{code.strip()}".encode(), hashlib.sha256).hexdigest()


def code_mark_used(user: User, code: str) -> bool:
    """Remember ``code`` for as long as it could be accepted; False when it already was."""
    now = timezone.now()
    lifetime = mfa_settings.TOTP_PERIOD * (2 * mfa_settings.TOTP_TOLERANCE + 1)
    expires_at = now + datetime.timedelta(seconds=lifetime)
    digest = _code_hash(user, code)
    UsedSecondFactorCode.objects.filter(user=user, expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            UsedSecondFactorCode.objects.create(user=user, code_hash=digest, expires_at=expires_at)
    except IntegrityError:
        return False
    return True


def code_check(user: User, code: str) -> Authenticator | None:
    """The authenticator that accepts ``code`` (app code or unused recovery code)."""
    code = code.strip().replace(" ", "")
    authenticators = Authenticator.objects.filter(user=user).exclude(
        type=Authenticator.Type.WEBAUTHN
    )
    for authenticator in authenticators:
        if authenticator.type == Authenticator.Type.TOTP:
            secret = decrypt(authenticator.data["secret"])
            if validate_totp_code(secret, code) and code_mark_used(user, code):
                return authenticator
        elif authenticator.wrap().validate_code(code):
            return authenticator
    return None


class Outcome:
    WRONG, RESTART, LOCKED = "wrong", "restart", "locked"


@transaction.atomic
def failure_record(*, user: User, request, step: str) -> str:
    """Count a wrong code; audit it; lock the credential or end the pending sign-in."""
    now = timezone.now()
    window = datetime.timedelta(seconds=settings.SIGN_IN_FAILURE_WINDOW)
    failures, _ = SecondFactorFailures.objects.select_for_update().get_or_create(
        user=user, defaults={"window_started_at": now}
    )
    if now - failures.window_started_at > window:
        failures.in_window, failures.window_started_at = 0, now
    failures.in_a_row += 1
    failures.in_window += 1
    outcome = Outcome.WRONG
    audit_record(
        action="second_factor.failed",
        request=request,
        actor=user,
        subject=user.username,
        changes={"step": step, "in_a_row": failures.in_a_row, "in_window": failures.in_window},
    )
    if failures.in_window >= settings.SECOND_FACTOR_MAX_FAILURES:
        lockout.lock(user.username)
        failures.in_window, failures.in_a_row, failures.window_started_at = 0, 0, now
        outcome = Outcome.LOCKED
        audit_record(
            action="sign_in.locked",
            request=request,
            actor=user,
            subject=user.username,
            changes={"cause": "second_factor"},
        )
    elif failures.in_a_row % settings.SECOND_FACTOR_MAX_PENDING_FAILURES == 0:
        outcome = Outcome.RESTART
    failures.save()
    if outcome != Outcome.WRONG or failures.in_a_row == 1:
        # The first wrong code after a right password, and every restart or lock: tell
        # the person (notice, and email per their preferences).
        from accounts.tasks import send_second_factor_failed_notice

        enqueue_on_commit(send_second_factor_failed_notice, user.pk, outcome == Outcome.LOCKED)
    return outcome


def success_record(*, user: User) -> None:
    SecondFactorFailures.objects.filter(user=user).update(in_a_row=0)


RESTART_MESSAGE = gettext_lazy(
    "Too many wrong codes. For your security, please sign in again with your username and password."
)


class _LimitedCodeMixin:
    """The code step with SEC-1's limits, for sign-in and re-authentication."""

    step = "sign_in"
    outcome: str | None = None

    def clean_code(self) -> str:
        from accounts.forms import GCKeySignInForm

        code = self.cleaned_data["code"]
        request = context.request
        until = lockout.locked_until(self.user.username)
        if until:
            self.outcome = Outcome.LOCKED
            audit_record(
                action="sign_in.refused_locked",
                request=request,
                actor=self.user,
                subject=self.user.username,
            )
            raise ValidationError(GCKeySignInForm._locked_message(until), code="locked")
        authenticator = code_check(self.user, code)
        if authenticator is not None:
            authenticator.user = self.user
            self.authenticator = authenticator
            success_record(user=self.user)
            return code
        self.outcome = failure_record(user=self.user, request=request, step=self.step)
        if self.outcome == Outcome.LOCKED:
            until = lockout.locked_until(self.user.username)
            raise ValidationError(GCKeySignInForm._locked_message(until), code="locked")
        if self.outcome == Outcome.RESTART:
            raise ValidationError(RESTART_MESSAGE, code="restart")
        raise ValidationError(MFAAdapter.error_messages["incorrect_code"], code="incorrect_code")


class AuthenticateForm(_LimitedCodeMixin, allauth_forms.AuthenticateForm):
    step = "sign_in"


class ReauthenticateForm(_LimitedCodeMixin, allauth_forms.ReauthenticateForm):
    step = "reauthenticate"


def on_authenticator_added(sender, request, user, authenticator, **kwargs) -> None:
    """A second factor enrolled: audited (SEC-9), and its code, just typed, proves it for
    SEC-4's 10 minutes like a sign-in would."""
    from allauth.account.internal.flows.login import record_authentication

    if request is not None and user.is_authenticated:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    audit_record(
        action="second_factor.enrolled",
        request=request,
        actor=user,
        changes={"type": authenticator.type},
    )
