"""What a signed-in person must do before the rest of the portal opens.

Order: the second factor (GCKey only), the portal's terms of use at every sign-in
(SPEC SIGN-7), the personal profile (PROF-1), the security questions (PROF-2).
"""

from __future__ import annotations

from django.urls import reverse

from accounts.models import SecretQuestions, User
from accounts.selectors import has_second_factor

TERMS_KEY = "portal_terms_accepted"
DONE_KEY = "onboarding_done"


def next_url(request) -> str | None:
    """The page the person must see next, or None when nothing is left."""
    session = request.session
    if session.get(DONE_KEY):
        return None
    user = request.user
    if user.credential_kind == User.CredentialKind.GCKEY and not has_second_factor(user):
        return reverse("mfa_activate_totp")
    if not session.get(TERMS_KEY):
        return reverse("accounts:terms")
    if not user.profile_complete:
        return reverse("accounts:profile")
    if not SecretQuestions.objects.filter(
        user=user, purpose=SecretQuestions.Purpose.IDENTITY
    ).exists():
        return reverse("accounts:security_questions")
    session[DONE_KEY] = True
    return None
