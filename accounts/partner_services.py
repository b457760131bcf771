"""Writes of the Sign-In Partner sign-in (SPEC SIGN-3, LINK-6; STYLE 1, 11, 12).

A person who signs in through a partner is identified by (issuer, ``sub``) only: never by
email, and nothing else from the provider is stored. Their account has one credential
kind, ``partner``, and no usable password. Every success and failure is audited, with no
token, code, state or session key.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from accounts.models import PartnerIdentity, User
from accounts.partner import FailureReason, PartnerSignInError
from carm_portal.audit import audit_record
from carm_portal.models import AuditEntry

ACTION_SUCCEEDED = "partner_sign_in"
ACTION_FAILED = "partner_sign_in_failed"


def _partner_user_create(*, issuer: str, subject: str, language: str) -> User:
    user = User.objects.create_user(
        username=f"partner-{secrets.token_hex(8)}",  # never derived from the identity
        credential_kind=User.CredentialKind.PARTNER,
        preferred_language=language,
    )  # no password given: unusable, so no local sign-in is possible
    PartnerIdentity.objects.create(user=user, issuer=issuer, subject=subject)
    return user


def partner_user_sign_in(
    *,
    request: HttpRequest | None,
    issuer: str,
    subject: str,
    language: str,
    assurance: dict | None = None,
) -> User:
    """The account of (issuer, subject), created at the first sign-in; audited.

    Refuses (PartnerSignInError) an identity whose account uses another credential kind:
    a partner identity is never attached to, nor signs in to, a GCKey account.
    """
    if language not in User.Language.values:
        language = User.Language.ENGLISH
    with transaction.atomic():
        identity = (
            PartnerIdentity.objects.select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        created = identity is None
        if created:
            try:
                with transaction.atomic():
                    user = _partner_user_create(issuer=issuer, subject=subject, language=language)
            except IntegrityError:  # the same person's first sign-in, at the same moment
                created = False
                user = (
                    PartnerIdentity.objects.select_related("user")
                    .get(issuer=issuer, subject=subject)
                    .user
                )
        else:
            user = identity.user
        if user.credential_kind != User.CredentialKind.PARTNER:
            raise PartnerSignInError(FailureReason.CONFLICT, "account uses another credential")
        if not user.is_active:
            raise PartnerSignInError(FailureReason.INACTIVE, "account disabled")
        audit_record(
            action=ACTION_SUCCEEDED,
            request=request,
            actor=user,
            # The partner's assurance of this sign-in (acr, amr), as it stated them.
            changes={"issuer": issuer, "account_created": created, **(assurance or {})},
        )
    return user


def partner_sign_in_record_failure(
    *, request: HttpRequest | None, reason: FailureReason
) -> AuditEntry:
    """One audit row for a refused partner sign-in: the reason only."""
    return audit_record(action=ACTION_FAILED, request=request, changes={"reason": str(reason)})
