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
from carm_portal.audit import AuditContext, audit_record
from delegation.access import DelegationError, Reach, employment_scope, is_manager
from delegation.models import (
    ClientAssignment,
    ClientGroup,
    Employment,
    Relationship,
    TransitionError,
)
from notices.services import notice_send

# --- Employees (DELEG-1) -------------------------------------------------------------------


def _grantable(*, reach: Reach, role: str, accounts) -> list[ProgramAccount]:
    """The program accounts to grant, checked against the manager's reach: a role they may
    give, accounts of the business within their reach (a Business Account Manager covers
    every account: no scope)."""
    if role not in reach.roles():
        raise DelegationError(_("You may not give this role."))
    if role == Employment.Role.BUSINESS_ACCOUNT_MANAGER:
        return []
    accounts = list(accounts)
    allowed = set(reach.accounts().values_list("pk", flat=True))
    if any(a.pk not in allowed for a in accounts):
        raise DelegationError(_("You may only give access to your own program accounts."))
    if reach.restricted and not accounts:
        raise DelegationError(_("Choose at least one program account."))
    return sorted(accounts, key=lambda a: a.pk)


def _state(employment: Employment, accounts=None) -> dict:
    """What the audit entry keeps of an employment: status, role and scope."""
    if accounts is None:
        accounts = employment.program_accounts.select_related("business")
    return {
        "status": employment.status,
        "role": employment.role,
        "accounts": sorted(a.full_reference for a in accounts) or ["all"],
    }


def _person(employment: Employment) -> str:
    return employment.user.display_name


def _lock(employment: Employment, *, reach: Reach, actor, bams: bool = False) -> Employment:
    """Lock the employment (and first, in a fixed order, the business's active Business
    Account Managers, for the last-manager rule), check it is the manager's business and
    that the manager still is one (two managers removing each other at the same time)."""
    if employment.business_id != reach.business_id:
        raise DelegationError(_("This person is not an employee of this business."))
    if bams:
        list(
            Employment.objects.select_for_update()
            .filter(
                business_id=employment.business_id,
                status=Employment.Status.ACTIVE,
                role=Employment.Role.BUSINESS_ACCOUNT_MANAGER,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    locked = (
        Employment.objects.select_for_update(of=("self",))
        .select_related("user", "business")
        .get(pk=employment.pk)
    )
    if not is_manager(actor, reach.business_id):
        raise _out_of_date()
    return locked


def _check_not_last_bam(employment: Employment) -> None:
    """DELEG-0: the last active Business Account Manager is never removed or demoted."""
    if employment.role != Employment.Role.BUSINESS_ACCOUNT_MANAGER:
        return
    others = (
        Employment.objects.filter(
            business_id=employment.business_id,
            status=Employment.Status.ACTIVE,
            role=Employment.Role.BUSINESS_ACCOUNT_MANAGER,
        )
        .exclude(pk=employment.pk)
        .exists()
    )
    if not others:
        raise DelegationError(
            _(
                "This person is the business's only Business Account Manager. Name another "
                "Business Account Manager first."
            )
        )


def _out_of_date() -> DelegationError:
    return DelegationError(
        _("This change is no longer possible: the page was out of date. Nothing was changed.")
    )


def _transition(step, **kwargs) -> None:
    try:
        step(**kwargs)
    except TransitionError as exc:
        raise _out_of_date() from exc


def _check_pending(employment: Employment) -> None:
    """A request already answered or cancelled (a double submit, an old page) is refused
    before anything else is looked at."""
    if employment.status != Employment.Status.PENDING:
        raise _out_of_date()


def _notify(*, employment: Employment, action: str, reason: str = "") -> None:
    """The person concerned and the business's managers (DELEG-1, DELEG-6)."""
    business = employment.business
    facts = {"business_name": business.display_name, "bn9": business.bn9}
    if action in ("approved", "rejected"):
        notice_send(
            type_code="access_request_answered",
            recipient=employment.user,
            business=business,
            context={**facts, "approved": action == "approved", "reason": reason},
            reference=f"access-request-answered:{employment.pk}",
        )
    else:
        notice_send(
            type_code="access_changed",
            recipient=employment.user,
            business=business,
            context={
                **facts,
                "removed": action == "removed",
                "role": Employment.Role(employment.role).label,
            },
        )
    notice_send(
        type_code="employees_changed",
        business=business,
        context={
            **facts,
            "person": _person(employment),
            "action": action,
            "role": Employment.Role(employment.role).label,
        },
    )


def employment_approve(
    *, employment: Employment, role: str, program_accounts, reach: Reach, audit: AuditContext
) -> Employment:
    """Approve a pending access request (LINK-2) in ``role`` for ``program_accounts``
    (none: every program account of the business)."""
    with transaction.atomic():
        locked = _lock(employment, reach=reach, actor=audit.actor)
        _check_pending(locked)
        accounts = _grantable(reach=reach, role=role, accounts=program_accounts)
        before = {"status": locked.status}
        _transition(locked.approve, role=role, by=audit.actor)
        locked.save(update_fields=["status", "role", "updated_at"])
        locked.program_accounts.set(accounts)
        audit_record(
            action="employment.approved",
            audit=audit,
            business=locked.business,
            changes={
                "employment": locked.pk,
                "person": _person(locked),
                "before": before,
                "after": _state(locked, accounts=accounts),
            },
        )
        _notify(employment=locked, action="approved")
    return locked


def employments_bulk_approve(
    *, employments, role: str, program_accounts, reach: Reach, audit: AuditContext
) -> int:
    """DELEG-5 (bulk for brokers): approve many pending requests in one role; all or none."""
    employments = sorted(employments, key=lambda e: e.pk)
    if not employments:
        raise DelegationError(_("Select at least one request."))
    program_accounts = list(program_accounts)
    with transaction.atomic():
        for employment in employments:
            employment_approve(
                employment=employment,
                role=role,
                program_accounts=program_accounts,
                reach=reach,
                audit=audit,
            )
    return len(employments)


def employment_reject(
    *, employment: Employment, reason: str, reach: Reach, audit: AuditContext
) -> Employment:
    reason = reason.strip()
    with transaction.atomic():
        locked = _lock(employment, reach=reach, actor=audit.actor)
        _check_pending(locked)
        if not reason:
            raise DelegationError(_("Give the reason for the refusal."))
        _transition(locked.reject, by=audit.actor)
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            action="employment.rejected",
            audit=audit,
            business=locked.business,
            changes={
                "employment": locked.pk,
                "person": _person(locked),
                "before": {"status": Employment.Status.PENDING},
                "after": {"status": locked.status},
                "reason": reason,
            },
        )
        _notify(employment=locked, action="rejected", reason=reason)
    return locked


def employment_change(
    *, employment: Employment, role: str, program_accounts, reach: Reach, audit: AuditContext
) -> Employment:
    """Change an active employee's role and program accounts (DELEG-1)."""
    with transaction.atomic():
        locked = _lock(employment, reach=reach, actor=audit.actor, bams=True)
        if not reach.manages(role=locked.role, account_ids=employment_scope(locked)):
            raise DelegationError(_("You may not change this person's access."))
        accounts = _grantable(reach=reach, role=role, accounts=program_accounts)
        before = _state(locked)
        if role != locked.role:
            _check_not_last_bam(locked)
        _transition(locked.change_role, role=role)
        after = _state(locked, accounts=accounts)
        if after == before:
            return locked
        locked.save(update_fields=["role", "updated_at"])
        locked.program_accounts.set(accounts)
        audit_record(
            action="employment.role_changed",
            audit=audit,
            business=locked.business,
            changes={
                "employment": locked.pk,
                "person": _person(locked),
                "before": before,
                "after": after,
            },
        )
        _notify(employment=locked, action="role_changed")
    return locked


def employment_remove(*, employment: Employment, reach: Reach, audit: AuditContext) -> Employment:
    """Remove an employee's access; it ends on their very next request (DELEG-1)."""
    with transaction.atomic():
        locked = _lock(employment, reach=reach, actor=audit.actor, bams=True)
        if not reach.manages(role=locked.role, account_ids=employment_scope(locked)):
            raise DelegationError(_("You may not change this person's access."))
        _check_not_last_bam(locked)
        before = _state(locked)
        _transition(locked.remove)
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            action="employment.removed",
            audit=audit,
            business=locked.business,
            changes={
                "employment": locked.pk,
                "person": _person(locked),
                "before": before,
                "after": {**before, "status": locked.status},
            },
        )
        _notify(employment=locked, action="removed")
    return locked


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
    *, provider: Business, client_bn9: str, comment: str, audit: AuditContext
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
            provider=provider, client=client, comment=comment, requested_by=audit.actor
        )
        audit_record(
            action="relationship.requested",
            audit=audit,
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


def _tell_both_sides_ended(relationship: Relationship, *, expired: bool) -> None:
    for side in (relationship.provider, relationship.client):
        notice_send(
            type_code="relationship_ended",
            business=side,
            context={**_relationship_context(relationship), "expired": expired},
            reference=f"relationship-ended:{relationship.pk}:{side.pk}",
        )


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
    audit: AuditContext,
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
            locked.approve(kind=kind, by=audit.actor, at=timezone.now())
        except TransitionError:
            raise DelegationError(_("This request has already been answered.")) from None
        locked.save()
        if kind == Relationship.Kind.PROGRAM:
            locked.program_accounts.set(accounts)
        audit_record(
            action="relationship.approved",
            audit=audit,
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


def relationship_reject(
    *, relationship: Relationship, reason: str, audit: AuditContext
) -> Relationship:
    with transaction.atomic():
        locked = _locked(relationship)
        try:
            locked.reject(reason=reason, by=audit.actor, at=timezone.now())
        except TransitionError:
            raise DelegationError(_("This request has already been answered.")) from None
        locked.save()
        audit_record(
            action="relationship.rejected",
            audit=audit,
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


def relationship_end(
    *, relationship: Relationship, by_business: Business, audit: AuditContext
) -> Relationship:
    """Either side ends it (a provider may also withdraw its pending request). The
    provider's assignments to that client stay as rows but give nothing once it ends."""
    with transaction.atomic():
        locked = _locked(relationship)
        before = locked.status
        try:
            locked.end(by=audit.actor, at=timezone.now())
        except TransitionError:
            raise DelegationError(_("This relationship has already ended.")) from None
        locked.save()
        other = locked.client if by_business.pk == locked.provider_id else locked.provider
        audit_record(
            action="relationship.ended",
            audit=audit,
            business=by_business,
            acting_for=other,
            subject=str(locked),
            changes=_relationship_changes(locked, before=before),
        )
        _tell_both_sides_ended(locked, expired=False)
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
            _tell_both_sides_ended(locked, expired=True)
            expired += 1
    return expired


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
    *,
    provider: Business,
    clients: Iterable[Business],
    employments: Iterable[Employment],
    audit: AuditContext,
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
                    audit=audit,
                    business=provider,
                    acting_for=client,
                    subject=f"{employment.user} → {client}",
                    changes={"employment": employment.pk, "client": client.pk},
                )
                _tell_employee(
                    employment, client, granted=True, key=f"client-assigned:{assignment.pk}"
                )
    return added


def _locked_assignment(assignment: ClientAssignment) -> ClientAssignment:
    """The assignment, locked for this transaction; refused when already removed."""
    locked = (
        ClientAssignment.objects.select_for_update(of=("self",))
        .select_related("employment__business", "employment__user", "client")
        .filter(pk=assignment.pk)
        .first()
    )
    if locked is None:
        raise DelegationError(_("This assignment has already been removed."))
    return locked


def client_unassign(*, assignment: ClientAssignment, audit: AuditContext) -> None:
    with transaction.atomic():
        locked = _locked_assignment(assignment)
        audit_record(
            action="client_assignment.removed",
            audit=audit,
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


def assignable_accounts(assignment: ClientAssignment):
    """The client's program accounts an assignment may name: those its relationship with
    the provider covers (all of them for a business relationship)."""
    relationship = (
        Relationship.objects.filter(
            provider_id=assignment.employment.business_id,
            client_id=assignment.client_id,
            status=Relationship.Status.ACTIVE,
        )
        .prefetch_related("program_accounts")
        .first()
    )
    accounts = ProgramAccount.objects.filter(business_id=assignment.client_id)
    if relationship is not None and relationship.kind != Relationship.Kind.BUSINESS:
        accounts = accounts.filter(pk__in=[a.pk for a in relationship.program_accounts.all()])
    return accounts.order_by("program_identifier", "reference_number")


def client_assignment_accounts(
    *,
    assignment: ClientAssignment,
    program_accounts: Iterable[ProgramAccount],
    audit: AuditContext,
) -> ClientAssignment:
    """DELEG-1, DELEG-4: limit an employee's assignment to some of the client's program
    accounts (none chosen: all the relationship covers). Audited; the employee is told."""
    with transaction.atomic():
        locked = _locked_assignment(assignment)
        allowed = set(assignable_accounts(locked).values_list("pk", flat=True))
        chosen = [a for a in program_accounts if a.pk in allowed]
        before = sorted(a.full_reference for a in locked.program_accounts.all()) or ["all"]
        after = sorted(a.full_reference for a in chosen) or ["all"]
        if before == after:
            return locked
        locked.program_accounts.set(chosen)
        audit_record(
            action="client_assignment.accounts_changed",
            audit=audit,
            business=locked.employment.business,
            acting_for=locked.client,
            subject=f"{locked.employment.user} → {locked.client}",
            changes={"assignment": locked.pk, "before": before, "after": after},
        )
        _tell_employee(
            locked.employment,
            locked.client,
            granted=True,
            key=f"client-accounts:{locked.pk}:{timezone.now().timestamp()}",
        )
    return locked


def _group_name_taken(provider: Business, name: str, *, excluding: int | None = None) -> bool:
    # Deleted groups count too: their names are never reused (DELEG-5).
    return (
        ClientGroup.objects.filter(provider=provider, name__iexact=name.strip())
        .exclude(pk=excluding)
        .exists()
    )


NAME_TAKEN = _("A client group with this name exists or existed before. Choose another name.")


def client_group_create(*, provider: Business, name: str, audit: AuditContext) -> ClientGroup:
    name = name.strip()
    with transaction.atomic():
        Business.objects.select_for_update().get(pk=provider.pk)
        if _group_name_taken(provider, name):
            raise DelegationError(NAME_TAKEN)
        group = ClientGroup.objects.create(provider=provider, name=name)
        audit_record(
            action="client_group.created",
            audit=audit,
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


def client_group_rename(*, group: ClientGroup, name: str, audit: AuditContext) -> ClientGroup:
    name = name.strip()
    with transaction.atomic():
        Business.objects.select_for_update().get(pk=group.provider_id)
        locked = _locked_group(group)
        if name == locked.name:
            return locked
        if _group_name_taken(locked.provider, name, excluding=locked.pk):
            raise DelegationError(NAME_TAKEN)
        before, locked.name = locked.name, name
        locked.save(update_fields=["name"])
        audit_record(
            action="client_group.renamed",
            audit=audit,
            business=locked.provider,
            subject=name,
            changes={"group": locked.pk, "before": before, "after": name},
        )
    return locked


def _tell_losses(group: ClientGroup, pairs: set) -> None:
    """Notify each (employment, client) pair that lost its access through ``group`` and
    has no other way to it (a direct assignment, another group not deleted)."""
    stamp = timezone.now().timestamp()
    for member, client in sorted(pairs, key=lambda pair: (pair[0].pk, pair[1].pk)):
        still = (
            ClientAssignment.objects.filter(employment=member, client=client).exists()
            or ClientGroup.objects.filter(deleted_at=None, members=member, clients=client).exists()
        )
        if not still:
            _tell_employee(
                member,
                client,
                granted=False,
                key=f"group-lost:{group.pk}:{member.pk}:{client.pk}:{stamp}",
            )


def client_group_delete(*, group: ClientGroup, audit: AuditContext) -> None:
    """Deleted groups keep their row and name; their employees lose the group's clients
    at once (the grants read only groups not deleted)."""
    with transaction.atomic():
        locked = _locked_group(group)
        locked.deleted_at = timezone.now()
        locked.save(update_fields=["deleted_at"])
        audit_record(
            action="client_group.deleted",
            audit=audit,
            business=locked.provider,
            subject=locked.name,
            changes={"group": locked.pk, "name": locked.name},
        )
        # DELEG-6: its members are told about the clients they lose with it.
        members = list(locked.members.select_related("user"))
        _tell_losses(
            locked,
            {(member, client) for member in members for client in locked.clients.all()},
        )


def client_group_update(
    *,
    group: ClientGroup,
    add_clients: Iterable[Business] = (),
    remove_clients: Iterable[Business] = (),
    add_members: Iterable[Employment] = (),
    remove_members: Iterable[Employment] = (),
    audit: AuditContext,
) -> ClientGroup:
    """Add or remove clients and employees (DELEG-5). The change is audited; members
    who lose or gain clients are told (DELEG-6)."""
    with transaction.atomic():
        locked = _locked_group(group)
        provider = locked.provider
        add_clients = _active_clients(provider, add_clients)
        add_members = _provider_employments(provider, add_members)
        remove_clients, remove_members = list(remove_clients), list(remove_members)
        before = {
            (member, client)
            for member in locked.members.select_related("user")
            for client in locked.clients.all()
        }
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
            audit=audit,
            business=provider,
            subject=locked.name,
            changes=changes,
        )
        # DELEG-6: members removed, and members of clients removed, are told about the
        # clients they lose (unless another assignment or group still gives them).
        after = {
            (member, client)
            for member in locked.members.select_related("user")
            for client in locked.clients.all()
        }
        _tell_losses(locked, before - after)
        # New members get every client of the group; the others get the new clients.
        stamp = timezone.now().timestamp()
        clients = list(locked.clients.all())
        gained = {
            (member, client)
            for member in locked.members.select_related("user")
            for client in (clients if member in add_members else add_clients)
        }
        for member, client in sorted(gained, key=lambda pair: (pair[0].pk, pair[1].pk)):
            _tell_employee(
                member,
                client,
                granted=True,
                key=f"group:{locked.pk}:{member.pk}:{client.pk}:{stamp}",
            )
    return locked
