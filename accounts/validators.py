"""The GCKey credential rules of the user guide (SPEC SIGN-4), each with its own message.

The server enforces every rule; the checklist beside the field (static/js/portal.js)
only mirrors them live. ADR 0007 says why these rules are kept and what compensates.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

USERNAME_MIN, USERNAME_MAX, USERNAME_MAX_DIGITS = 8, 16, 7
PASSWORD_MIN, PASSWORD_MAX = 8, 16
HINT_PUNCTUATION = set("',-.? ")


def _is_ascii_letter_or_digit(char: str) -> bool:
    return char.isascii() and char.isalnum()


def username_errors(value: str) -> list[ValidationError]:
    errors = []
    if not USERNAME_MIN <= len(value) <= USERNAME_MAX:
        errors.append(
            ValidationError(
                _("Your username must have 8 to 16 characters."), code="username_length"
            )
        )
    if not all(_is_ascii_letter_or_digit(c) for c in value):
        errors.append(
            ValidationError(
                _("Your username may contain only letters and digits, with no special characters."),
                code="username_characters",
            )
        )
    if sum(c.isdigit() for c in value) > USERNAME_MAX_DIGITS:
        errors.append(
            ValidationError(
                _("Your username may contain at most 7 digits."), code="username_digits"
            )
        )
    return errors


def validate_gckey_username(value: str) -> None:
    errors = username_errors(value)
    if errors:
        raise ValidationError(errors)


def shares_three_characters(password: str, username: str) -> bool:
    """True when the password contains 3 consecutive characters of the username."""
    password, username = password.casefold(), username.casefold()
    return any(username[i : i + 3] in password for i in range(len(username) - 2))


def password_errors(password: str, username: str = "") -> list[ValidationError]:
    errors = []
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        errors.append(
            ValidationError(
                _("Your password must have 8 to 16 characters."), code="password_length"
            )
        )
    if username and shares_three_characters(password, username):
        errors.append(
            ValidationError(
                _("Your password must not share 3 consecutive characters with your username."),
                code="password_shares_username",
            )
        )
    if not all(33 <= ord(c) <= 126 for c in password):
        errors.append(
            ValidationError(
                _(
                    "Your password may contain only letters without accents, digits and "
                    "keyboard symbols, with no spaces."
                ),
                code="password_characters",
            )
        )
    if not any(c.islower() for c in password):
        errors.append(
            ValidationError(
                _("Your password must contain at least one lowercase letter."),
                code="password_lowercase",
            )
        )
    if not any(c.isupper() for c in password):
        errors.append(
            ValidationError(
                _("Your password must contain at least one uppercase letter."),
                code="password_uppercase",
            )
        )
    if not any(c.isdigit() for c in password):
        errors.append(
            ValidationError(
                _("Your password must contain at least one digit."), code="password_digit"
            )
        )
    return errors


class GCKeyPasswordValidator:
    """AUTH_PASSWORD_VALIDATORS entry: the guide's password checklist."""

    def validate(self, password: str, user=None) -> None:
        errors = password_errors(password, getattr(user, "username", "") or "")
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return gettext_lazy(
            "8 to 16 characters, with at least one uppercase letter, one lowercase letter and "
            "one digit, and no 3 consecutive characters of your username."
        )


def validate_answer(value: str) -> None:
    """Recovery answers: at least 3 characters, no special characters (SPEC SIGN-4.4)."""
    if len(value.strip()) < 3:
        raise ValidationError(
            _("Your answer must have at least 3 characters."), code="answer_short"
        )
    if not all(c.isalnum() or c == " " for c in value):
        raise ValidationError(
            _(
                "Your answer may contain only letters, digits and spaces, with no special characters."
            ),
            code="answer_characters",
        )


def validate_hint(value: str) -> None:
    """Hints: at least 3 characters; letters, digits and ' , - . ? only."""
    if len(value.strip()) < 3:
        raise ValidationError(_("Your hint must have at least 3 characters."), code="hint_short")
    if not all(c.isalnum() or c in HINT_PUNCTUATION for c in value):
        raise ValidationError(
            _(
                "Your hint may contain only letters, digits, spaces and the characters "
                "' , - . and ?"
            ),
            code="hint_characters",
        )


def validate_past_date(value: datetime.date) -> None:
    if value >= timezone.localdate():
        raise ValidationError(_("Your memorable date must be in the past."), code="date_future")
