"""SEC-4: sensitive changes need both factors proven in the last 10 minutes.

GCKey: the password and the second factor, at sign-in or again on the "confirm it's you"
page (accounts.second_factor_views.confirm_identity). Sign-In Partner: a sign-in at the
partner (``auth_time``) within the limit, else the person goes back through the partner
with ``prompt=login`` and ``max_age``.

``@reauth.required`` guards a view; a POST that arrives too late is kept by allauth's
``suspend_request`` and replayed once the person has proven themselves, so nothing typed
is lost.
"""

from __future__ import annotations

import functools
import time
from urllib.parse import urlencode

from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.internal.flows.reauthentication import suspend_request
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.urls import reverse

from accounts.models import User

# Session keys (epoch seconds): when the partner last authenticated the person, and
# when the person last proved both factors on the "confirm it's you" page.
PARTNER_AUTH_TIME = "partner_auth_time"
PROVEN_AT = "reauth_proven_at"


def mark_proven(request) -> None:
    request.session[PROVEN_AT] = time.time()


def recently_proven(request) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    now = time.time()
    max_age = settings.REAUTHENTICATION_MAX_AGE
    proven_at = request.session.get(PROVEN_AT)
    if isinstance(proven_at, (int, float)) and now - proven_at < max_age:
        return True
    if user.credential_kind == User.CredentialKind.PARTNER:
        at = request.session.get(PARTNER_AUTH_TIME)
        return isinstance(at, (int, float)) and now - at < max_age
    records = get_authentication_records(request, user)
    recent = {r.get("method") for r in records if now - r.get("at", 0) < max_age}
    if "password" not in recent:
        return False
    if Authenticator.objects.filter(user=user).exists():
        return "mfa" in recent
    return True


def confirm_url(next_url: str) -> str:
    return f"{reverse('accounts:confirm_identity')}?{urlencode({'next': next_url})}"


def partner_url(next_url: str) -> str:
    return f"{reverse('oidc:authenticate')}?{urlencode({'next': next_url, 'reauth': '1'})}"


def ask(request):
    """Send the person to prove themselves; their request (a POST too) resumes after."""
    # confirm_identity sends Sign-In Partner users on to their partner.
    return suspend_request(request, reverse("accounts:confirm_identity"))


def required(view):
    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if recently_proven(request):
            return view(request, *args, **kwargs)
        return ask(request)

    return wrapper
