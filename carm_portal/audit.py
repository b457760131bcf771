"""Write audit entries (STYLE 11). The one way every service records what it did."""

from __future__ import annotations

from dataclasses import dataclass, replace
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


@dataclass(frozen=True)
class AuditContext:
    """Who acts, from where, and in whose name: what every service receives as ``audit=``
    (STYLE 11) and writes into its audit entries.

    ``@requires`` builds it from the request (``request.audit``); a task or a command
    builds it with ``AuditContext.system()`` (or with the person it acts for). Business
    fields are ids, so building it costs no query:

    - ``business_id``: the business whose person acts: their own business, or the
      service provider when a provider's employee acts for a client;
    - ``acting_for_id``: the client a provider's employee acts for; ``None`` when a
      business acts on its own affairs.
    """

    actor: Any = None
    ip: str | None = None
    request_id: str = ""
    business_id: int | None = None
    acting_for_id: int | None = None

    @classmethod
    def from_request(cls, request, *, business_id=None, acting_for_id=None) -> AuditContext:
        user = getattr(request, "user", None)
        return cls(
            actor=user if user is not None and user.is_authenticated else None,
            ip=client_ip(request),
            request_id=getattr(request, "request_id", "") or request_id.current(),
            business_id=business_id,
            acting_for_id=acting_for_id,
        )

    @classmethod
    def system(cls, *, actor=None) -> AuditContext:
        """A task or a command (no address; the request id of the task, if any)."""
        return cls(actor=actor, request_id=request_id.current())

    @classmethod
    def of(cls, audit: AuditContext | None, actor=None) -> AuditContext:
        """``audit`` as given by a view, or a task's context for ``actor``."""
        return audit if audit is not None else cls.system(actor=actor)

    @property
    def for_client(self) -> bool:
        """Whether a service provider's employee acts for a client."""
        return self.acting_for_id is not None

    def about(self, business) -> AuditContext:
        """This context for an action on ``business`` (the business whose data changes):
        a provider acting for that client keeps its pair; anyone else acts for their own
        business, which is ``business``."""
        target = getattr(business, "pk", business)
        if self.for_client and self.acting_for_id == target:
            return self
        return replace(self, business_id=target, acting_for_id=None)


def audit_record(
    *,
    action: str,
    request=None,
    audit: AuditContext | None = None,
    actor=None,
    subject: str = "",
    business=None,
    acting_for=None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """One audit entry. ``audit`` (a service's context) gives who, from where and, unless
    ``business``/``acting_for`` are given, in whose name; ``request`` is for the sign-in
    flows, which run before any business is chosen."""
    if audit is None:
        audit = AuditContext.from_request(request) if request is not None else AuditContext()
        if request is None:
            audit = replace(audit, request_id=request_id.current())
    if actor is None:
        actor = audit.actor
    if business is None and acting_for is None:
        business_id, acting_for_id = audit.business_id, audit.acting_for_id
    else:  # a pair named by the service (a delegation change between two businesses)
        business_id = getattr(business, "pk", None)
        acting_for_id = getattr(acting_for, "pk", None)
    return AuditEntry.objects.create(
        action=action,
        actor=actor,
        subject=subject[:150],
        business_id=business_id,
        acting_for_id=acting_for_id,
        changes=changes or {},
        ip_address=audit.ip,
        request_id=audit.request_id,
    )
