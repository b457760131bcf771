"""Sign-In Partner views (SPEC SIGN-3, X-1, X-4).

The start and callback views sit outside the language prefix (/oidc/…, STYLE 6); the
language the person started in is kept in the session so that they land back in it.
Every refusal is audited and ends on a page in the person's language that says what
happened and offers to try again or to use GCKey.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.generic import View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from accounts import partner
from accounts.partner import FailureReason, PartnerSignInError
from accounts.partner_services import partner_sign_in_record_failure

logger = logging.getLogger(__name__)

USED_STATES_KEPT = 20

FAILURE_MESSAGES = {
    FailureReason.UNAVAILABLE: _(
        "Sign-in partners are not available right now. Try again later, or use GCKey."
    ),
    FailureReason.CANCELLED: _(
        "The sign-in was cancelled at your sign-in partner, or your sign-in partner did not "
        "allow it. You have not been signed in."
    ),
    FailureReason.PROVIDER_ERROR: _(
        "Your sign-in partner reported a problem and could not sign you in."
    ),
    FailureReason.INVALID: _("The answer from your sign-in partner was incomplete."),
    FailureReason.STATE: _(
        "The answer from your sign-in partner does not match the sign-in you started on "
        "this device. For your security, it was refused."
    ),
    FailureReason.REPLAYED: _(
        "This answer from your sign-in partner has already been used. For your security, "
        "each answer can be used only once."
    ),
    FailureReason.NONCE: _(
        "The answer from your sign-in partner belongs to another sign-in. For your "
        "security, it was refused."
    ),
    FailureReason.ISSUER: _(
        "The answer did not come from the sign-in partner service that the CBSA uses. For "
        "your security, it was refused."
    ),
    FailureReason.TOKEN: _(
        "The answer from your sign-in partner could not be verified. For your security, it "
        "was refused."
    ),
    FailureReason.CONFLICT: _(
        "This sign-in partner identity cannot be used with the account it points to: each "
        "account has a single credential. Sign in with GCKey instead."
    ),
    FailureReason.INACTIVE: _("Your account is disabled. Contact the CBSA to have it reactivated."),
    FailureReason.ASSURANCE: _(
        "Your sign-in partner signed you in with a lower level of assurance than the CARM "
        "Client Portal requires. Sign in again at your sign-in partner with a stronger "
        "method (for example with a second factor), or use GCKey."
    ),
}


def _language(value: str | None) -> str:
    """A supported language code: the one asked for, else the request's."""
    supported = dict(settings.LANGUAGES)
    if value in supported:
        return value
    current = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return current if current in supported else settings.LANGUAGE_CODE


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def _remember_used(session, state: str) -> None:
    """Keep a digest of a used state: its replay is then told apart from a forgery."""
    used = session.get(partner.SESSION_USED_STATES, [])[-(USED_STATES_KEPT - 1) :]
    session[partner.SESSION_USED_STATES] = [*used, _digest(state)]


def _refuse(request, reason: FailureReason, language: str) -> HttpResponseRedirect:
    """Audit the refusal and show the failure page in the person's language."""
    partner_sign_in_record_failure(request=request, reason=reason)
    logger.info("Sign-in partner refused: %s", reason)
    with translation.override(language):
        return HttpResponseRedirect(reverse("partner:failed", kwargs={"reason": reason.value}))


class PartnerSignInStartView(OIDCAuthenticationRequestView):
    """Sends the person to the partner federation: code flow with PKCE, state and nonce.

    GET /oidc/authenticate/?language=fr[&next=/fr/…]
    """

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the endpoint is read on use, not at construction
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.language = settings.LANGUAGE_CODE

    def get(self, request):
        self.language = _language(request.GET.get("language"))
        # SEC-4: a signed-in partner user proves themselves again at the partner.
        self.reauthenticate = (
            request.GET.get("reauth") == "1"
            and request.user.is_authenticated
            and request.user.credential_kind == "partner"
        )
        if request.user.is_authenticated and not self.reauthenticate:
            with translation.override(self.language):
                return HttpResponseRedirect(resolve_url(settings.LOGIN_REDIRECT_URL))
        try:
            self.OIDC_OP_AUTH_ENDPOINT = partner.provider_configuration().authorization_endpoint
        except PartnerSignInError as exc:
            return _refuse(request, exc.reason, self.language)
        request.session[partner.SESSION_LANGUAGE] = self.language
        return super().get(request)

    def get_extra_params(self, request):
        params = {"ui_locales": f"{self.language}-CA"}
        if getattr(self, "reauthenticate", False):
            params.update(prompt="login", max_age=str(settings.REAUTHENTICATION_MAX_AGE))
        return params


class PartnerSignInCallbackView(OIDCAuthenticationCallbackView):
    """The partner's answer: checked here (error, state, iss) and in the backend (token)."""

    def get(self, request):
        session = request.session
        self.language = _language(session.get(partner.SESSION_LANGUAGE))
        self.reason = FailureReason.TOKEN
        states = session.get("oidc_states")
        states = states if isinstance(states, dict) else {}
        state = request.GET.get("state", "")

        if request.GET.get("error"):
            if state in states:  # the attempt is over: its state cannot serve again
                self._forget(state)
            cancelled = request.GET["error"] == "access_denied"
            reason = FailureReason.CANCELLED if cancelled else FailureReason.PROVIDER_ERROR
            return _refuse(request, reason, self.language)
        if not state or not request.GET.get("code"):
            return _refuse(request, FailureReason.INVALID, self.language)
        if state not in states:
            used = _digest(state) in session.get(partner.SESSION_USED_STATES, [])
            reason = FailureReason.REPLAYED if used else FailureReason.STATE
            return _refuse(request, reason, self.language)
        # RFC 9207: a provider that names itself must be the expected one (mix-up attacks).
        issuer = request.GET.get("iss")
        if issuer is not None and issuer != partner.expected_issuer():
            self._forget(state)
            return _refuse(request, FailureReason.ISSUER, self.language)

        _remember_used(session, state)  # saved by the library with the state's removal
        try:
            return super().get(request)
        except PartnerSignInError as exc:
            return _refuse(request, exc.reason, self.language)

    def _forget(self, state: str) -> None:
        session = self.request.session
        del session["oidc_states"][state]
        _remember_used(session, state)
        session.modified = True

    def login_failure(self):
        return _refuse(self.request, self.reason, self.language)

    @property
    def success_url(self):
        next_url = self.request.session.pop("oidc_login_next", None)  # checked at start
        if next_url:
            return next_url
        with translation.override(self.language):
            return resolve_url(settings.LOGIN_REDIRECT_URL)


@require_GET
def partner_sign_in_failed(request, reason: str):
    """Why a partner sign-in was refused, and what the person can do (X-4)."""
    try:
        reason = FailureReason(reason)
    except ValueError:
        raise Http404 from None
    return render(
        request,
        "accounts/partner_failed.html",
        {
            "message": FAILURE_MESSAGES[reason],
            "partner_available": partner.is_configured(),
        },
    )
