"""Reads of the accounts area (STYLE 1)."""

from __future__ import annotations


def has_second_factor(user) -> bool:
    """Whether the person (a user or a user id) has their authenticator app enrolled:
    the second factor every GCKey account and every CBSA staff member must have (SEC-4).
    Recovery codes and passkeys come with it, never instead of it."""
    from allauth.mfa.models import Authenticator

    user_id = getattr(user, "pk", user)
    return Authenticator.objects.filter(user_id=user_id, type=Authenticator.Type.TOTP).exists()
