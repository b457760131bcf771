"""Pages of the second factor: its sign-in step and re-authentication with SEC-1's limits,
proving both factors again before a sensitive change (SEC-4), and replacing the
authenticator app (SEC-4: it can be replaced, never removed)."""

from __future__ import annotations

import base64

from allauth.account.internal.flows.login import record_authentication
from allauth.account.internal.flows.reauthentication import resume_request
from allauth.account.internal.stagekit import clear_login
from allauth.account.utils import get_next_redirect_url
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base import views as allauth_views
from allauth.mfa.base.internal.flows import post_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret, validate_totp_code
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import reauth, services
from accounts.forms import ConfirmIdentityForm, ReplaceSecondFactorForm
from accounts.mfa import Outcome
from accounts.models import User
from carm_portal.audit import audit_record


def _end_and_restart(request, form) -> HttpResponseRedirect:
    """SEC-1: the pending sign-in (or the session) ends; the person starts again from
    the password, told why."""
    clear_login(request)
    if request.user.is_authenticated:
        logout(request)
    field = "code" if "code" in form.errors else next(iter(form.errors), None)
    messages.error(request, " ".join(form.errors.get(field, [])))
    return redirect("accounts:sign_in")


class AuthenticateView(allauth_views.AuthenticateView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # SEC-10: the passkey option shows only to people who added one.
        context["has_passkey"] = Authenticator.objects.filter(
            user=self.stage.login.user, type=Authenticator.Type.WEBAUTHN
        ).exists()
        return context

    def form_invalid(self, form):
        if getattr(form, "outcome", None) in (Outcome.RESTART, Outcome.LOCKED):
            return _end_and_restart(self.request, form)
        return super().form_invalid(form)


class ReauthenticateView(allauth_views.ReauthenticateView):
    def form_invalid(self, form):
        if getattr(form, "outcome", None) in (Outcome.RESTART, Outcome.LOCKED):
            return _end_and_restart(self.request, form)
        return super().form_invalid(form)


authenticate = AuthenticateView.as_view()
reauthenticate = ReauthenticateView.as_view()


@login_required
def confirm_identity(request):
    """SEC-4: prove both factors again (GCKey: password and code), then go on to ``next``.

    Sign-In Partner users go back through the partner (accounts.reauth).
    """
    next_url = get_next_redirect_url(request) or reverse("accounts:welcome")
    if request.user.credential_kind == User.CredentialKind.PARTNER:
        return redirect(reauth.partner_url(next_url))
    user = request.user
    has_code = Authenticator.objects.filter(user=user).exists()
    form = ConfirmIdentityForm(request.POST or None, user=user, request=request, code=has_code)
    if request.method == "POST":
        if form.is_valid():
            record_authentication(request, user, method="password", reauthenticated=True)
            if form.authenticator is not None:
                post_authentication(request, form.authenticator, reauthenticated=True)
            reauth.mark_proven(request)
            audit_record(action="reauthentication.succeeded", request=request)
            return resume_request(request) or redirect(next_url)
        if form.outcome in (Outcome.RESTART, Outcome.LOCKED):
            return _end_and_restart(request, form)
    return render(request, "accounts/confirm_identity.html", {"form": form, "next": next_url})


@reauth.required
def replace_second_factor(request):
    """SEC-4: a new authenticator app replaces the old one (the old codes stop working),
    with new recovery codes. Only after proving both factors again."""
    user = request.user
    if user.credential_kind != User.CredentialKind.GCKEY:
        return redirect("accounts:profile")
    secret = request.session.get("replace_totp_secret")
    if not secret or request.method == "GET":
        secret = request.session["replace_totp_secret"] = generate_totp_secret()
    form = ReplaceSecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if validate_totp_code(secret, form.cleaned_data["code"]):
            services.second_factor_replace(user=user, secret=secret, request=request)
            request.session.pop("replace_totp_secret", None)
            messages.success(
                request,
                _("Your authenticator app was replaced. Save your new recovery codes."),
            )
            return redirect("mfa_view_recovery_codes")
        form.add_error(
            "code",
            ValidationError(_("The code is not correct. Please try again."), code="incorrect"),
        )
    adapter = get_mfa_adapter()
    url = adapter.build_totp_url(user, secret)
    svg = adapter.build_totp_svg(url)
    return render(
        request,
        "accounts/replace_second_factor.html",
        {
            "form": form,
            "secret": secret,
            "totp_svg_data_uri": "data:image/svg+xml;base64,"
            + base64.b64encode(svg.encode()).decode(),
        },
    )


def deactivate_totp(request):
    """allauth's removal page: the second factor is replaced, never removed (SEC-4)."""
    return redirect("accounts:replace_second_factor")
