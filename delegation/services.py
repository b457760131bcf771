"""Delegation writes (SPEC DELEG-1 … DELEG-6): atomic, keyword-only, audited, notified.

Sections: employees (DELEG-1), relationships (DELEG-2), client assignments and groups
(DELEG-4, DELEG-5).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from business.models import Business, ProgramAccount
from carm_portal.audit import audit_record
from delegation.models import (
    ClientAssignment,
    ClientGroup,
    Employment,
    Relationship,
    TransitionError,
)
from notices.services import notice_send


class DelegationError(Exception):
    """A change the rules refuse; the message is translated and shown to the person."""


# --- Employees (DELEG-1) -------------------------------------------------------------------


# --- end of employees ---------------------------------------------------------------------


# --- Relationships (DELEG-2) ---------------------------------------------------------------

RELATIONSHIP_EXPIRY_DAYS = 30


def _relationship_context(relationship: Relationship) -> dict:
    return {
        "provider_name": relationship.provider.display_name,
        "provider_bn9": relationship.provider.bn9,
        "client_name": relationship.client.display_name,
        "client_bn9": relationship.client.bn9,
    }


def _relationship_changes(relationship: Relationship, **extra) -> dict:
    return {
        "relationship": relationship.pk,
        "provider": relationship.provider_id,
        "client": relationship.client_id,
        "status": relationship.status,
        "kind": relationship.kind,
        **extra,
    }


def relationship_request(
    *, provider: Business, client_bn9: str, comment: str, request
) -> Relationship:
    """A service provider asks a client for access (DELEG-2); the client's managers are
    told. The client is found by its BN9 among the businesses on the portal (those with a
    Business Account Manager to answer)."""
    client = Business.objects.filter(
        bn9=client_bn9,
        employments__role=Employment.Role.BUSINESS_ACCOUNT_MANAGER,
        employments__status=Employment.Status.ACTIVE,
    ).first()
    if client is None:
        raise DelegationError(
            _("No business with this business number is registered on the portal.")
        )
    if client.pk == provider.pk:
        raise DelegationError(_("A business cannot have a relationship with itself."))
    with transaction.atomic():
        Business.objects.select_for_update().get(pk=provider.pk)  # one request at a time
        if Relationship.objects.filter(
            provider=provider, client=client, status__in=Relationship.OPEN
        ).exists():
            raise DelegationError(
                _("Your business already has a pending or active relationship with this client.")
            )
        relationship = Relationship.objects.create(
            provider=provider, client=client, comment=comment, requested_by=request.user
        )
        audit_record(
            action="relationship.requested",
            request=request,
            business=provider,
            acting_for=client,
            subject=str(relationship),
            changes=_relationship_changes(relationship),
        )
        notice_send(
            type_code="relationship_requested",
            business=client,
            context=_relationship_context(relationship),
            reference=f"relationship-requested:{relationship.pk}",
        )
    return relationship


def _locked(relationship: Relationship) -> Relationship:
    return (
        Relationship.objects.select_for_update(of=("self",))
        .select_related("provider", "client")
        .get(pk=relationship.pk)
    )


def relationship_approve(
    *,
    relationship: Relationship,
    kind: str,
    program_accounts: Iterable[ProgramAccount] = (),
    request,
) -> Relationship:
    """The client decides the type (and, for program management, the accounts)."""
    accounts = list(program_accounts)
    if kind == Relationship.Kind.PROGRAM and not accounts:
        raise DelegationError(_("Choose at least one program account."))
    if any(a.business_id != relationship.client_id for a in accounts):
        raise DelegationError(_("Choose program accounts of your business."))
    with transaction.atomic():
        locked = _locked(relationship)
        try:
            locked.approve(kind=kind, by=request.user, at=timezone.now())
        except TransitionError:
            raise DelegationError(_("This request has already been answered.")) from None
        locked.save()
        if kind == Relationship.Kind.PROGRAM:
            locked.program_accounts.set(accounts)
        audit_record(
            action="relationship.approved",
            request=request,
            business=locked.client,
            acting_for=locked.provider,
            subject=str(locked),
            changes=_relationship_changes(
                locked, before="pending", program_accounts=[a.pk for a in accounts]
            ),
        )
        notice_send(
            type_code="relationship_answered",
            business=locked.provider,
            context={**_relationship_context(locked), "approved": True},
            reference=f"relationship-answered:{locked.pk}",
        )
    return locked


def relationship_reject(*, relationship: Relationship, reason: str, request) -> Relationship:
    with transaction.atomic():
        locked = _locked(relationship)
        try:
            locked.reject(reason=reason, by=request.user, at=timezone.now())
        except TransitionError:
            raise DelegationError(_("This request has already been answered.")) from None
        locked.save()
        audit_record(
            action="relationship.rejected",
            request=request,
            business=locked.client,
            acting_for=locked.provider,
            subject=str(locked),
            changes=_relationship_changes(locked, before="pending", reason=reason),
        )
        notice_send(
            type_code="relationship_answered",
            business=locked.provider,
            context={**_relationship_context(locked), "approved": False, "reason": reason},
            reference=f"relationship-answered:{locked.pk}",
        )
    return locked


def relationship_end(*, relationship: Relationship, by_business: Business, request) -> Relationship:
    """Either side ends it (a provider may also withdraw its pending request). The
    provider's assignments to that client stay as rows but give nothing once it ends."""
    with transaction.atomic():
        locked = _locked(relationship)
        before = locked.status
        try:
            locked.end(by=request.user, at=timezone.now())
        except TransitionError:
            raise DelegationError(_("This relationship has already ended.")) from None
        locked.save()
        other = locked.client if by_business.pk == locked.provider_id else locked.provider
        audit_record(
            action="relationship.ended",
            request=request,
            business=by_business,
            acting_for=other,
            subject=str(locked),
            changes=_relationship_changes(locked, before=before),
        )
        for side in (locked.provider, locked.client):
            notice_send(
                type_code="relationship_ended",
                business=side,
                context={**_relationship_context(locked), "expired": False},
                reference=f"relationship-ended:{locked.pk}:{side.pk}",
            )
    return locked


def relationships_expire(*, now=None) -> int:
    """Pending requests unanswered for 30 days expire (DELEG-2); both sides are told.
    Idempotent: run by the beat daily."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=RELATIONSHIP_EXPIRY_DAYS)
    expired = 0
    for pk in Relationship.objects.filter(
        status=Relationship.Status.PENDING, created_at__lte=cutoff
    ).values_list("pk", flat=True):
        with transaction.atomic():
            locked = (
                Relationship.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("provider", "client")
                .filter(pk=pk, status=Relationship.Status.PENDING)
                .first()
            )
            if locked is None:
                continue
            locked.expire(at=now)
            locked.save()
            audit_record(
                action="relationship.expired",
                business=locked.client,
                acting_for=locked.provider,
                subject=str(locked),
                changes=_relationship_changes(locked, before="pending"),
            )
            for side in (locked.provider, locked.client):
                notice_send(
                    type_code="relationship_ended",
                    business=side,
                    context={**_relationship_context(locked), "expired": True},
                    reference=f"relationship-ended:{locked.pk}:{side.pk}",
                )
            expired += 1
    return expired


# --- end of relationships -----------------------------------------------------------------


# --- Client assignments and client groups (DELEG-4, DELEG-5) -------------------------------


def _active_clients(provider: Business, clients: Iterable[Business]) -> list[Business]:
    """The clients among ``clients`` with an active relationship with ``provider``."""
    ids = {c.pk for c in clients}
    return list(
        Business.objects.filter(
            pk__in=ids,
            provider_relationships__provider=provider,
            provider_relationships__status=Relationship.Status.ACTIVE,
        ).distinct()
    )


def _provider_employments(provider: Business, employments: Iterable[Employment]) -> list:
    ids = {e.pk for e in employments}
    return list(
        Employment.objects.filter(
            pk__in=ids, business=provider, status=Employment.Status.ACTIVE
        ).select_related("user")
    )


def _tell_employee(employment: Employment, client: Business, *, granted: bool, key: str) -> None:
    notice_send(
        type_code="client_access_changed",
        recipient=employment.user,
        context={"client_name": client.display_name, "client_bn9": client.bn9, "granted": granted},
        reference=key,
    )


def clients_assign(
    *, provider: Business, clients: Iterable[Business], employments: Iterable[Employment], request
) -> int:
    """Assign many clients to many of the provider's employees (DELEG-4, bulk for
    brokers); pairs already assigned are left alone. Returns how many were added."""
    clients = _active_clients(provider, clients)
    employments = _provider_employments(provider, employments)
    if not clients or not employments:
        raise DelegationError(_("Choose at least one client and one employee."))
    added = 0
    with transaction.atomic():
        for employment in employments:
            for client in clients:
                assignment, created = ClientAssignment.objects.get_or_create(
                    employment=employment, client=client
                )
                if not created:
                    continue
                added += 1
                audit_record(
                    action="client_assignment.created",
                    request=request,
                    business=provider,
                    acting_for=client,
                    subject=f"{employment.user} → {client}",
                    changes={"employment": employment.pk, "client": client.pk},
                )
                _tell_employee(
                    employment, client, granted=True, key=f"client-assigned:{assignment.pk}"
                )
    return added


def client_unassign(*, assignment: ClientAssignment, request) -> None:
    with transaction.atomic():
        locked = (
            ClientAssignment.objects.select_for_update(of=("self",))
            .select_related("employment__business", "employment__user", "client")
            .filter(pk=assignment.pk)
            .first()
        )
        if locked is None:
            raise DelegationError(_("This assignment has already been removed."))
        audit_record(
            action="client_assignment.removed",
            request=request,
            business=locked.employment.business,
            acting_for=locked.client,
            subject=f"{locked.employment.user} → {locked.client}",
            changes={"employment": locked.employment_id, "client": locked.client_id},
        )
        _tell_employee(
            locked.employment,
            locked.client,
            granted=False,
            key=f"client-unassigned:{locked.pk}:{timezone.now().timestamp()}",
        )
        locked.delete()


def _group_name_taken(provider: Business, name: str, *, excluding: int | None = None) -> bool:
    # Deleted groups count too: their names are never reused (DELEG-5).
    return (
        ClientGroup.objects.filter(provider=provider, name__iexact=name.strip())
        .exclude(pk=excluding)
        .exists()
    )


NAME_TAKEN = _("A client group with this name exists or existed before. Choose another name.")


def client_group_create(*, provider: Business, name: str, request) -> ClientGroup:
    name = name.strip()
    with transaction.atomic():
        Business.objects.select_for_update().get(pk=provider.pk)
        if _group_name_taken(provider, name):
            raise DelegationError(NAME_TAKEN)
        group = ClientGroup.objects.create(provider=provider, name=name)
        audit_record(
            action="client_group.created",
            request=request,
            business=provider,
            subject=name,
            changes={"group": group.pk, "name": name},
        )
    return group


def _locked_group(group: ClientGroup) -> ClientGroup:
    locked = ClientGroup.objects.select_for_update().get(pk=group.pk)
    if locked.deleted_at is not None:
        raise DelegationError(_("This client group has been deleted."))
    return locked


def client_group_rename(*, group: ClientGroup, name: str, request) -> ClientGroup:
    name = name.strip()
    with transaction.atomic():
        Business.objects.select_for_update().get(pk=group.provider_id)
        locked = _locked_group(group)
        if name.lower() == locked.name.lower() and name == locked.name:
            return locked
        if _group_name_taken(locked.provider, name, excluding=locked.pk):
            raise DelegationError(NAME_TAKEN)
        before, locked.name = locked.name, name
        locked.save(update_fields=["name"])
        audit_record(
            action="client_group.renamed",
            request=request,
            business=locked.provider,
            subject=name,
            changes={"group": locked.pk, "before": before, "after": name},
        )
    return locked


def client_group_delete(*, group: ClientGroup, request) -> None:
    """Deleted groups keep their row and name; their employees lose the group's clients
    at once (the grants read only groups not deleted)."""
    with transaction.atomic():
        locked = _locked_group(group)
        locked.deleted_at = timezone.now()
        locked.save(update_fields=["deleted_at"])
        audit_record(
            action="client_group.deleted",
            request=request,
            business=locked.provider,
            subject=locked.name,
            changes={"group": locked.pk, "name": locked.name},
        )


def client_group_update(
    *,
    group: ClientGroup,
    add_clients: Iterable[Business] = (),
    remove_clients: Iterable[Business] = (),
    add_members: Iterable[Employment] = (),
    remove_members: Iterable[Employment] = (),
    request,
) -> ClientGroup:
    """Add or remove clients and employees (DELEG-5); members are told about the
    clients they gain or lose."""
    with transaction.atomic():
        locked = _locked_group(group)
        provider = locked.provider
        add_clients = _active_clients(provider, add_clients)
        add_members = _provider_employments(provider, add_members)
        remove_clients = [c for c in remove_clients]
        remove_members = [m for m in remove_members]
        locked.clients.add(*add_clients)
        locked.clients.remove(*remove_clients)
        locked.members.add(*add_members)
        locked.members.remove(*remove_members)
        changes = {
            "group": locked.pk,
            "clients_added": [c.pk for c in add_clients],
            "clients_removed": [c.pk for c in remove_clients],
            "members_added": [m.pk for m in add_members],
            "members_removed": [m.pk for m in remove_members],
        }
        if not any(v for k, v in changes.items() if k != "group"):
            return locked
        audit_record(
            action="client_group.changed",
            request=request,
            business=provider,
            subject=locked.name,
            changes=changes,
        )
        stamp = timezone.now().timestamp()
        members = list(locked.members.select_related("user"))
        clients = list(locked.clients.all())
        for member in add_members:
            for client in clients:
                _tell_employee(
                    member,
                    client,
                    granted=True,
                    key=f"group:{locked.pk}:{member.pk}:{client.pk}:{stamp}",
                )
        for member in members:
            if member in add_members:
                continue
            for client in add_clients:
                _tell_employee(
                    member,
                    client,
                    granted=True,
                    key=f"group:{locked.pk}:{member.pk}:{client.pk}:{stamp}",
                )
    return locked


# --- end of client assignments and client groups ------------------------------------------
