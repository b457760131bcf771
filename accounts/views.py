"""Sign-in, GCKey registration and recovery, welcome, terms and personal profile pages."""

from __future__ import annotations

import functools
import hmac

from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View

from accounts import lockout, onboarding, reauth, services
from accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    PasswordForm,
    ProfileForm,
    RecoveryAnswersForm,
    SecretQuestionsForm,
    UsernameForm,
)
from accounts.models import SecretQuestions, User
from carm_portal.audit import audit_record, client_ip
from carm_portal.session_state import SessionState


def landing_url(request) -> str:
    """Where a person goes once onboarding is done: home when linked to a business, else
    the first setup (SPEC LINK-1)."""
    from delegation.selectors import active_employments

    if active_employments(user=request.user).exists():
        return reverse("business:home")
    return reverse("accounts:first_setup")


def too_many_requests(request, retry_after: int) -> HttpResponse:
    response = HttpResponse(render_to_string("429.html", request=request), status=429)
    response["Retry-After"] = str(retry_after)
    return response


class SignInView(allauth_views.LoginView):
    """GCKey sign-in (SPEC SIGN-5) through allauth, so that the second factor follows."""

    template_name = "accounts/sign_in.html"

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            wait = lockout.address_over_limit(client_ip(request))
            if wait:
                audit_record(action="sign_in.rate_limited", request=request)
                return too_many_requests(request, wait)
        return super().dispatch(request, *args, **kwargs)


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]

    def post(self, request, *args, **kwargs):
        """SIGN-8: signed out, and told so; someone who came through a Sign-In Partner is
        reminded that the partner's own session is theirs to end."""
        user = request.user
        if user.is_authenticated:
            audit_record(action="sign_out", request=request)
        response = super().post(request, *args, **kwargs)
        if user.is_authenticated:  # the object keeps its state after logout()
            messages.success(request, _("You have signed out of the CARM Client Portal."))
            if user.credential_kind == User.CredentialKind.PARTNER:
                messages.info(
                    request,
                    _(
                        "You signed in through a Sign-In Partner, whose own session may still "
                        "be open: sign out of its website too, or close your browser."
                    ),
                )
        return response

    def get_success_url(self):
        return reverse("portal:landing")


@login_required
def after_sign_in(request):
    """Where every sign-in lands: the GCKey welcome page, else the next onboarding step."""
    translation.activate(request.user.preferred_language)
    if request.user.credential_kind == User.CredentialKind.GCKEY:
        return redirect("accounts:welcome")
    return redirect(onboarding.next_url(request) or landing_url(request))


@login_required
def next_step(request):
    """Continue onboarding where it stands, or open the first-setup page."""
    return redirect(onboarding.next_url(request) or landing_url(request))


@login_required
def welcome(request):
    """SPEC SIGN-6: last sign-in and the credential's own links."""
    if request.method == "POST":
        return redirect(onboarding.next_url(request) or landing_url(request))
    return render(request, "accounts/welcome.html", {"previous_login": request.user.previous_login})


class TermsView(View):
    """SPEC SIGN-7: the portal's terms of use, at every sign-in."""

    template_name = "accounts/terms.html"

    @method_decorator(login_required)
    def get(self, request):
        return render(request, self.template_name)

    @method_decorator(login_required)
    def post(self, request):
        if "accept" in request.POST:
            request.session[onboarding.TERMS_KEY] = True
            audit_record(action="terms.accepted", request=request)
            return redirect(onboarding.next_url(request) or landing_url(request))
        audit_record(action="terms.declined", request=request)
        logout(request)
        messages.info(
            request,
            _("You did not accept the terms of use, so you were signed out of the portal."),
        )
        return redirect("portal:landing")


@login_required
def profile(request):
    """SPEC PROF-1 (first sign-in) and PROF-3 (later changes)."""
    first_time = not request.user.profile_complete
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        # SEC-4: a new email address needs both factors again (the POST resumes after).
        if not first_time and "email" in form.changed_data and not reauth.recently_proven(request):
            return reauth.ask(request)
        services.user_profile_save(
            user=request.user,
            changes={name: form.cleaned_data.get(name) for name in form.changed_data},
            request=request,
        )
        translation.activate(request.user.preferred_language)
        if first_time:
            return redirect(onboarding.next_url(request) or landing_url(request))
        messages.success(request, _("Your personal profile was saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "first_time": first_time})


@login_required
def security_questions(request):
    """SPEC PROF-2: security questions for later identity checks."""
    existing = SecretQuestions.objects.filter(
        user=request.user, purpose=SecretQuestions.Purpose.IDENTITY
    ).first()
    if existing and not reauth.recently_proven(request):
        return reauth.ask(request)  # SEC-4: changing them needs both factors again
    form = SecretQuestionsForm(request.POST or None)
    if request.method == "POST" and "clear" in request.POST:
        form = SecretQuestionsForm()
    elif request.method == "POST" and form.is_valid():
        services.secret_questions_save(
            user=request.user,
            purpose=SecretQuestions.Purpose.IDENTITY,
            data=form.cleaned_data,
            request=request,
        )
        if existing:
            messages.success(request, _("Your security questions were changed."))
        return redirect(onboarding.next_url(request) or landing_url(request))
    return render(
        request,
        "accounts/security_questions.html",
        {"form": form, "changing": existing is not None},
    )


@login_required
def first_setup(request):
    """SPEC LINK-1: the two ways to link oneself to a business, and pending requests."""
    from delegation.selectors import pending_requests_for

    return render(
        request, "accounts/first_setup.html", {"pending": pending_requests_for(user=request.user)}
    )


# --- GCKey registration wizard (SPEC SIGN-4) -------------------------------------------

REGISTRATION_KEY = "gckey_registration"
REGISTRATION = SessionState(REGISTRATION_KEY)
STEPS = ["terms", "username", "password", "questions", "confirm"]


def _state(request) -> dict:
    return REGISTRATION.update(request)


def _save_state(request, **values) -> None:
    REGISTRATION.update(request, **values)


def _first_missing_step(state: dict) -> str:
    if not state.get("terms"):
        return "terms"
    if not state.get("username"):
        return "username"
    if not state.get("password_hash"):
        return "password"
    if not state.get("questions"):
        return "questions"
    return "confirm"


def register(request, step: str = "terms"):
    """One view for the five steps; the state lives in the session, never a password."""
    if request.user.is_authenticated:
        return redirect("accounts:after_sign_in")
    if step not in STEPS:
        return redirect("accounts:register")
    state = _state(request)
    if STEPS.index(step) > STEPS.index(_first_missing_step(state)):
        return redirect("accounts:register_step", step=_first_missing_step(state))
    if request.method == "POST" and "cancel" in request.POST:
        REGISTRATION.clear(request)
        messages.info(request, _("You cancelled the creation of your GCKey. Nothing was saved."))
        return redirect("accounts:sign_in")
    handler = {
        "terms": _register_terms,
        "username": _register_username,
        "password": _register_password,
        "questions": _register_questions,
        "confirm": _register_confirm,
    }[step]
    return handler(request, state)


def _render_step(request, step: str, context: dict) -> HttpResponse:
    context.update(
        step=step,
        steps=[
            ("terms", _("Notice")),
            ("username", _("Username")),
            ("password", _("Password")),
            ("questions", _("Questions and answers")),
        ],
        step_number=min(STEPS.index(step) + 1, 4),
        previous_step=STEPS[STEPS.index(step) - 1] if STEPS.index(step) > 0 else None,
    )
    return render(request, f"accounts/register/{step}.html", context)


def _register_terms(request, state):
    if request.method == "POST":
        if "accept" in request.POST:
            _save_state(request, terms=True)
            return redirect("accounts:register_step", step="username")
        REGISTRATION.clear(request)
        messages.info(
            request,
            _("You did not accept the terms and conditions of use, so no GCKey was created."),
        )
        return redirect("portal:access")
    return _render_step(request, "terms", {})


def _register_username(request, state):
    form = UsernameForm(request.POST or None, initial={"username": state.get("username", "")})
    if request.method == "POST" and "clear" in request.POST:
        form = UsernameForm()
    elif request.method == "POST" and (limited := _lookup_limited(request, "register_username")):
        # Registration must say "taken" (SIGN-4): asking many times is what is limited.
        return limited
    elif request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        if username != state.get("username"):
            # A new username may break the password's "3 characters" rule: ask again.
            _save_state(request, username=username, password_hash=None)
        return redirect("accounts:register_step", step="password")
    return _render_step(request, "username", {"form": form})


def _register_password(request, state):
    form = PasswordForm(request.POST or None, username=state["username"])
    kept = bool(state.get("password_hash"))
    if request.method == "POST" and "clear" in request.POST:
        form = PasswordForm(username=state["username"])
    elif request.method == "POST":
        if kept and not request.POST.get("password1") and not request.POST.get("password2"):
            return redirect("accounts:register_step", step="questions")
        if form.is_valid():
            _save_state(request, password_hash=make_password(form.cleaned_data["password1"]))
            return redirect("accounts:register_step", step="questions")
    return _render_step(
        request, "password", {"form": form, "kept": kept, "username": state["username"]}
    )


def _register_questions(request, state):
    saved = state.get("questions") or {}
    form = SecretQuestionsForm(request.POST or None, initial=saved.get("display", {}))
    if request.method == "POST" and "clear" in request.POST:
        form = SecretQuestionsForm()
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _save_state(
            request,
            questions={
                "question": data["question"],
                **SecretQuestions.hashed_answers(
                    answer=data["answer"],
                    memorable_person=data["memorable_person"],
                    memorable_date=data["memorable_date"],
                ),
                "memorable_person_hint": data["memorable_person_hint"],
                "memorable_date_hint": data["memorable_date_hint"],
                # What may be shown again when going back: the choice and the hints.
                "display": {
                    "question": data["question"],
                    "memorable_person_hint": data["memorable_person_hint"],
                    "memorable_date_hint": data["memorable_date_hint"],
                },
            },
        )
        return redirect("accounts:register_step", step="confirm")
    return _render_step(request, "questions", {"form": form, "kept": bool(saved)})


def _register_confirm(request, state):
    if request.method == "POST" and "continue" in request.POST:
        user = services.gckey_register(
            username=state["username"],
            password_hash=state["password_hash"],
            questions=state["questions"],
            language=translation.get_language(),
            request=request,
        )
        if user is None:
            _save_state(request, username=None)
            messages.error(
                request, _("This username was taken meanwhile. Please choose another one.")
            )
            return redirect("accounts:register_step", step="username")
        REGISTRATION.clear(request)
        services.user_sign_in_after_registration(request=request, user=user)
        return redirect("accounts:next_step")
    question = dict(SecretQuestions.Question.choices)[state["questions"]["question"]]
    return _render_step(request, "confirm", {"username": state["username"], "question": question})


# --- Forgotten password and username (SPEC SIGN-5) --------------------------------------

RECOVERY_KEY = "gckey_recovery"
RECOVERY = SessionState(RECOVERY_KEY)


def _decoy_digest(username: str) -> bytes:
    """Keyed (SECRET_KEY), so that nobody can compute an unknown username's decoy."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, b"recovery-decoy:" + username.casefold().encode(), "sha256").digest()


def _decoy_question(username: str) -> str:
    """A stable question for unknown usernames, so that existence is not revealed."""
    choices = SecretQuestions.Question.values
    return choices[_decoy_digest(username)[0] % len(choices)]


# Hints invented for unknown usernames (SEC-3): stable per username, like real ones,
# sometimes empty as real ones may be.
DECOY_PERSON_HINTS = ["", "", "my aunt", "family", "a friend", "teacher", "grandparent"]
DECOY_DATE_HINTS = ["", "", "summer", "a birthday", "graduation", "a wedding", "winter"]


def _decoy_hints(username: str) -> dict[str, str]:
    digest = _decoy_digest(username)
    return {
        "person": DECOY_PERSON_HINTS[digest[1] % len(DECOY_PERSON_HINTS)],
        "date": DECOY_DATE_HINTS[digest[2] % len(DECOY_DATE_HINTS)],
    }


def _lookup_limited(request, scope: str) -> HttpResponse | None:
    """SEC-3: 429 once an address (or person) asks a step that reveals existence too
    often."""
    wait = lockout.lookup_over_limit(request, scope)
    if wait:
        audit_record(action="lookup.rate_limited", request=request, changes={"step": scope})
        return too_many_requests(request, wait)
    return None


def forgot_password(request):
    form = ForgotPasswordForm(request.POST or None)
    if request.method == "POST" and (limited := _lookup_limited(request, "forgot_password")):
        return limited
    if request.method == "POST" and form.is_valid():
        RECOVERY.set(request, {"username": form.cleaned_data["username"]})
        return redirect("accounts:forgot_password_answers")
    return render(request, "accounts/forgot_password.html", {"form": form})


def forgot_password_answers(request):
    state = RECOVERY.get(request)
    if not state:
        return redirect("accounts:forgot_password")
    username = state["username"]
    questions = services.recovery_questions_for(username)
    until = services.recovery_locked_until(username)  # known or not (SEC-3)
    if until:
        return render(request, "accounts/recovery_locked.html", {"until": until})
    form = RecoveryAnswersForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.recovery_answers_check(
            username=username, data=form.cleaned_data, request=request
        )
        if result == "ok":
            state["verified"] = True
            RECOVERY.changed(request)
            return redirect("accounts:forgot_password_new")
        if result == "locked":
            return redirect("accounts:forgot_password_answers")
        form.add_error(
            None, _("The answers do not match what you gave when you created your GCKey.")
        )
    question_code = questions.question if questions else _decoy_question(username)
    if questions:
        hints = {
            "person": questions.memorable_person_hint,
            "date": questions.memorable_date_hint,
        }
    else:
        hints = _decoy_hints(username)
    return render(
        request,
        "accounts/forgot_password_answers.html",
        {
            "form": form,
            "question": dict(SecretQuestions.Question.choices)[question_code],
            "hints": hints,
        },
    )


def forgot_password_new(request):
    state = RECOVERY.get(request)
    if not state.get("verified"):
        return redirect("accounts:forgot_password")
    user = get_user_model().objects.get(username__iexact=state["username"])
    form = PasswordForm(request.POST or None, username=user.username)
    if request.method == "POST" and form.is_valid():
        services.user_password_change(
            user=user, password=form.cleaned_data["password1"], request=request, reason="recovery"
        )
        RECOVERY.clear(request)
        messages.success(request, _("Your password was changed. You can now sign in with it."))
        return redirect("accounts:sign_in")
    return render(
        request, "accounts/forgot_password_new.html", {"form": form, "username": user.username}
    )


def forgot_username(request):
    if limited := _lookup_limited(request, "forgot_username"):
        return limited
    return render(request, "accounts/forgot_username.html")


# --- Credential management from the welcome page (SPEC SIGN-6) --------------------------


def gckey_required(view):
    """Pages of the GCKey credential itself: signed in, and with a GCKey (not a partner)."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if request.user.credential_kind != User.CredentialKind.GCKEY:
            return redirect("accounts:profile")
        return view(request, *args, **kwargs)

    return wrapper


@gckey_required
@reauth.required
def change_password(request):
    form = ChangePasswordForm(
        request.POST or None, username=request.user.username, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        services.user_password_change(
            user=request.user,
            password=form.cleaned_data["password1"],
            request=request,
            reason="change",
        )
        messages.success(request, _("Your password was changed. Your other sessions were ended."))
        return redirect("accounts:welcome")
    return render(request, "accounts/change_password.html", {"form": form})


@gckey_required
@reauth.required
def change_recovery_questions(request):
    form = SecretQuestionsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.secret_questions_save(
            user=request.user,
            purpose=SecretQuestions.Purpose.RECOVERY,
            data=form.cleaned_data,
            request=request,
        )
        messages.success(request, _("Your recovery questions were changed."))
        return redirect("accounts:welcome")
    return render(request, "accounts/change_recovery_questions.html", {"form": form})


@gckey_required
@reauth.required
def revoke(request):
    if request.method == "POST" and "confirm" in request.POST:
        services.user_credential_revoke(user=request.user, request=request)
        logout(request)
        messages.info(request, _("Your GCKey was revoked. It can no longer be used to sign in."))
        return redirect("portal:landing")
    return render(request, "accounts/revoke.html")
