"""Forms of sign-in, GCKey registration and recovery, and the personal profile."""

from __future__ import annotations

import phonenumbers
from allauth.account.forms import LoginForm
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import lockout
from accounts.models import SecretQuestions, User
from accounts.validators import (
    password_errors,
    username_errors,
    validate_answer,
    validate_hint,
    validate_past_date,
)
from carm_portal.audit import audit_record, username_subject


def _helper(form_id: str, *buttons: tuple[str, str]) -> FormHelper:
    helper = FormHelper()
    helper.form_id = form_id
    for name, label in buttons:
        helper.add_input(Submit(name, label))
    return helper


SIGN_IN_FAILED = gettext_lazy(
    "The username or password you entered is not correct. Please try again."
)


class GCKeySignInForm(LoginForm):
    """Username and password (SPEC SIGN-5) with the AC-7 lockout.

    An unknown username and a wrong password get the same answer, and both count
    towards the lock.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = gettext_lazy("Username")
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].label = gettext_lazy("Password")
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""
        self.helper = _helper("sign-in", ("sign-in", gettext_lazy("Sign in")))

    def clean(self):
        username = self.cleaned_data.get("login", "")
        if not username or not self.cleaned_data.get("password"):
            return self.cleaned_data
        until = lockout.locked_until(username)
        if until:
            audit_record(
                action="sign_in.refused_locked",
                request=self.request,
                subject=username_subject(username),
            )
            raise ValidationError(self._locked_message(until), code="locked")
        try:
            super().clean()
        except ValidationError:
            until = lockout.record_failure(username)
            audit_record(
                action="sign_in.failed", request=self.request, subject=username_subject(username)
            )
            if until:
                audit_record(
                    action="sign_in.locked",
                    request=self.request,
                    subject=username_subject(username),
                )
                raise ValidationError(self._locked_message(until), code="locked") from None
            raise ValidationError(SIGN_IN_FAILED, code="invalid") from None
        lockout.record_success(username)
        return self.cleaned_data

    @staticmethod
    def _locked_message(until) -> str:
        local = timezone.localtime(until)
        return _(
            "Too many failed attempts. For your security, sign-in with this username is "
            "locked until %(time)s. Please try again then."
        ) % {"time": formats.date_format(local, "DATETIME_FORMAT")}


class UsernameForm(forms.Form):
    """Registration step 2 (SPEC SIGN-4.2)."""

    username = forms.CharField(
        label=gettext_lazy("Create your username"),
        max_length=150,
        strip=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "data-checklist": "username-checklist"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("username-form")
        self.helper.form_tag = False

    def clean_username(self):
        username = self.cleaned_data["username"]
        errors = username_errors(username)
        if errors:
            raise ValidationError(errors)
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(
                _("This username is already taken. Please choose another one."), code="taken"
            )
        return username


class PasswordForm(forms.Form):
    """Registration step 3, new password after recovery, password change (SPEC SIGN-4.3)."""

    password1 = forms.CharField(
        label=gettext_lazy("Create your password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "new-password", "data-checklist": "password-checklist"}
        ),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Confirm your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, username: str, user: User | None = None, **kwargs):
        self.username = username
        self.user = user
        super().__init__(*args, **kwargs)
        self.helper = _helper("password-form")
        self.helper.form_tag = False

    def clean_password1(self):
        password = self.cleaned_data["password1"]
        errors = password_errors(password, self.username)
        if errors:
            raise ValidationError(errors)
        try:
            CommonPasswordValidator().validate(password)
        except ValidationError:
            raise ValidationError(
                _("This password is too common. Please choose another one."), code="common"
            ) from None
        return password

    def clean(self):
        cleaned = super().clean()
        one, two = cleaned.get("password1"), cleaned.get("password2")
        if one and two is not None and one != two:
            self.add_error(
                "password2",
                ValidationError(_("The two passwords do not match."), code="password_mismatch"),
            )
        return cleaned


class ChangePasswordForm(PasswordForm):
    current_password = forms.CharField(
        label=gettext_lazy("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "password1", "password2"]

    def clean_current_password(self):
        value = self.cleaned_data["current_password"]
        if not self.user.check_password(value):
            raise ValidationError(_("Your current password is not correct."), code="wrong")
        return value


class SecretQuestionsForm(forms.Form):
    """Recovery questions (SPEC SIGN-4.4) and profile security questions (PROF-2)."""

    question = forms.ChoiceField(
        label=gettext_lazy("Select a recovery question"),
        choices=[("", gettext_lazy("Select a question..."))] + SecretQuestions.Question.choices,
    )
    answer = forms.CharField(
        label=gettext_lazy("My recovery answer"), max_length=100, validators=[validate_answer]
    )
    memorable_person = forms.CharField(
        label=gettext_lazy("My memorable person"), max_length=100, validators=[validate_answer]
    )
    memorable_person_hint = forms.CharField(
        label=gettext_lazy("My hint about my memorable person"),
        max_length=100,
        required=False,
        validators=[validate_hint],
    )
    memorable_date = forms.DateField(
        label=gettext_lazy("My memorable date (YYYY-MM-DD)"),
        input_formats=["%Y-%m-%d"],
        validators=[validate_past_date],
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": gettext_lazy(
                "Enter a real date in the form YYYY-MM-DD, for example 1990-07-14."
            )
        },
    )
    memorable_date_hint = forms.CharField(
        label=gettext_lazy("My hint about my memorable date"),
        max_length=100,
        required=False,
        validators=[validate_hint],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("questions-form")
        self.helper.form_tag = False


class RecoveryAnswersForm(forms.Form):
    """Forgotten password, step 2: the answers given at registration."""

    answer = forms.CharField(label=gettext_lazy("My recovery answer"), max_length=100)
    memorable_person = forms.CharField(label=gettext_lazy("My memorable person"), max_length=100)
    memorable_date = forms.DateField(
        label=gettext_lazy("My memorable date (YYYY-MM-DD)"),
        input_formats=["%Y-%m-%d"],
        error_messages={
            "invalid": gettext_lazy(
                "Enter a real date in the form YYYY-MM-DD, for example 1990-07-14."
            )
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("recovery-answers", ("continue", gettext_lazy("Continue")))


class ForgotPasswordForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("forgot-password", ("continue", gettext_lazy("Continue")))


class SubscribedInput(forms.CheckboxInput):
    """The guide's « Abonné » control (SPEC PROF-3): checked means subscribed. Also reads
    the former radio values ``yes``/``no``."""

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        if isinstance(value, str) and value.strip().lower() in ("no", "off", "0", ""):
            return False
        return super().value_from_datadict(data, files, name)


class ProfileForm(forms.ModelForm):
    """The personal profile (SPEC PROF-1, PROF-3)."""

    phone = forms.CharField(
        label=gettext_lazy("Telephone number (with area code)"),
        max_length=25,
        widget=forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "tel"}),
        help_text=gettext_lazy("For example 613-555-0123."),
    )
    phone_extension = forms.RegexField(
        label=gettext_lazy("Extension"),
        regex=r"^\d{1,6}$",
        required=False,
        error_messages={"invalid": gettext_lazy("An extension has only digits (at most 6).")},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_confirmation = forms.EmailField(
        label=gettext_lazy("Confirm the email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_notices = forms.BooleanField(
        label=gettext_lazy("Subscribed"),
        required=False,
        widget=SubscribedInput,
        help_text=gettext_lazy(
            "Emails about notices. Note: you agree to receive emails about urgent notices, "
            "even if you unsubscribe."
        ),
    )
    preferred_language = forms.ChoiceField(
        label=gettext_lazy("Preferred language"),
        choices=User.Language.choices,
        widget=forms.RadioSelect,
    )
    # SPEC NOTE-1; none chosen: the preferred language.
    notice_language = forms.ChoiceField(
        label=gettext_lazy("Language of notice emails"),
        choices=User.Language.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    terms = forms.BooleanField(
        label=gettext_lazy("I have read and understood the terms of use, and I agree to them.")
    )

    class Meta:
        model = User
        fields = [
            "first_name",
            "last_name",
            "phone",
            "phone_extension",
            "email",
            "preferred_language",
            "notice_language",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["first_name"].label = gettext_lazy("First name")
        self.fields["last_name"].required = True
        self.fields["last_name"].label = gettext_lazy("Last name")
        # Bound or not: the saved choice is what an unticked box is compared with, so
        # that unsubscribing counts as a change (changed_data feeds the service).
        self.initial.setdefault("email_notices", self.instance.email_notices)
        if self.instance.profile_complete and not self.is_bound:
            self.initial["email_confirmation"] = self.instance.email
            if self.instance.phone:
                self.initial["phone"] = phonenumbers.format_number(
                    phonenumbers.parse(self.instance.phone, "CA"),
                    phonenumbers.PhoneNumberFormat.NATIONAL,
                )
            self.initial["terms"] = self.instance.terms_acknowledged_at is not None
        if not self.is_bound:
            self.initial["notice_language"] = self.instance.email_language
        self.order_fields(
            [
                "first_name",
                "last_name",
                "phone",
                "phone_extension",
                "email",
                "email_confirmation",
                "email_notices",
                "preferred_language",
                "notice_language",
                "terms",
            ]
        )
        self.helper = _helper("profile-form", ("save", gettext_lazy("Continue")))
        self.helper.layout = Layout(
            Fieldset(
                gettext_lazy("User information"),
                "first_name",
                "last_name",
                css_class="form-section",
            ),
            Fieldset(
                gettext_lazy("Contact information"),
                "phone",
                "phone_extension",
                "email",
                "email_confirmation",
                css_class="form-section",
            ),
            Fieldset(
                gettext_lazy("Settings and preferences"),
                "email_notices",
                "preferred_language",
                "notice_language",
                "terms",
                css_class="form-section",
            ),
        )

    def clean_phone(self):
        raw = self.cleaned_data["phone"]
        try:
            number = phonenumbers.parse(raw, "CA")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or number.country_code != 1 or not phonenumbers.is_valid_number(number):
            raise ValidationError(
                _(
                    "Enter a North American telephone number with its area code, for example 613-555-0123."
                ),
                code="phone_invalid",
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean(self):
        cleaned = super().clean()
        email, confirmation = cleaned.get("email"), cleaned.get("email_confirmation")
        if email and confirmation and email.casefold() != confirmation.casefold():
            self.add_error(
                "email_confirmation",
                ValidationError(_("The two email addresses do not match."), code="email_mismatch"),
            )
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        user.email_notices = self.cleaned_data["email_notices"]
        if commit:
            user.save()
        return user


class ConfirmIdentityForm(forms.Form):
    """SEC-4: prove both factors again before a sensitive change.

    A wrong password counts towards the AC-7 lock; a wrong code counts like the sign-in
    code step (SEC-1, accounts.mfa).
    """

    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app, or a recovery code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, user: User, request, code: bool = True, **kwargs):
        self.user, self.request = user, request
        self.authenticator = None
        self.outcome = None
        super().__init__(*args, **kwargs)
        if not code:
            del self.fields["code"]
        self.helper = _helper("confirm-identity")

    def clean(self):
        from accounts import mfa

        cleaned = super().clean()
        password, code = cleaned.get("password"), cleaned.get("code")
        if not password or ("code" in self.fields and not code):
            return cleaned
        username = self.user.username
        until = lockout.locked_until(username)
        if until:
            self.outcome = mfa.Outcome.LOCKED
            self.add_error(
                "code" if "code" in self.fields else "password",
                ValidationError(GCKeySignInForm._locked_message(until), code="locked"),
            )
            return cleaned
        if not self.user.check_password(password):
            until = lockout.record_failure(username)
            audit_record(action="reauthentication.failed", request=self.request, subject=username)
            if until:
                self.outcome = mfa.Outcome.LOCKED
                audit_record(action="sign_in.locked", request=self.request, subject=username)
                self.add_error(
                    "password",
                    ValidationError(GCKeySignInForm._locked_message(until), code="locked"),
                )
                return cleaned
            self.add_error(
                "password",
                ValidationError(_("Your current password is not correct."), code="wrong"),
            )
            return cleaned
        if "code" not in self.fields:
            return cleaned
        self.authenticator = mfa.code_check(self.user, code)
        if self.authenticator is not None:
            mfa.success_record(user=self.user)
            return cleaned
        self.outcome = mfa.failure_record(user=self.user, request=self.request, step="confirm")
        if self.outcome == mfa.Outcome.LOCKED:
            message = GCKeySignInForm._locked_message(lockout.locked_until(username))
        elif self.outcome == mfa.Outcome.RESTART:
            message = mfa.RESTART_MESSAGE
        else:
            message = mfa.MFAAdapter.error_messages["incorrect_code"]
        self.add_error("code", ValidationError(message, code=self.outcome))
        return cleaned


class ReplaceSecondFactorForm(forms.Form):
    """SEC-4: the code of the new authenticator app, proving it was added."""

    code = forms.CharField(
        label=gettext_lazy("Code from your new authenticator app"),
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("replace-second-factor")
