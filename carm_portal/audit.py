"""Write audit entries (STYLE 11). The one way every service records what it did."""

from __future__ import annotations

from typing import Any

from django.utils.crypto import salted_hmac

from carm_portal import request_id
from carm_portal.models import AuditEntry


def client_ip(request) -> str | None:
    """The client's address (SEC-6): REMOTE_ADDR, which TrustedProxyMiddleware has set
    from the trusted proxies' X-Forwarded-For entry, or left as the peer's address."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def username_subject(username: str) -> str:
    """What a failed sign-in or recovery stores as its subject (SEC-9): the account's
    username when the typed one names an account; otherwise a keyed hash, since a mistyped username is often
    a password typed in the wrong field. The hash still groups repeated attempts."""
    from accounts.models import User

    typed = (username or "").strip()[:150]
    known = User.objects.filter(username__iexact=typed).values_list("username", flat=True)
    if typed and (name := known.first()):
        return name
    digest = salted_hmac("carm.audit.unknown-username", typed.casefold()).hexdigest()
    return f"unknown:{digest[:32]}"


def audit_record(
    *,
    action: str,
    request=None,
    actor=None,
    subject: str = "",
    business=None,
    acting_for=None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEntry.objects.create(
        action=action,
        actor=actor,
        subject=subject[:150],
        business=business,
        acting_for=acting_for,
        changes=changes or {},
        ip_address=client_ip(request),
        request_id=getattr(request, "request_id", "") or request_id.current(),
    )
