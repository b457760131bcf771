"""Delegation writes (SPEC DELEG-1 … DELEG-6): atomic, keyword-only, audited, notified.

Sections: employees (DELEG-1), relationships (DELEG-2), client assignments and groups
(DELEG-4, DELEG-5).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction  # noqa: F401
from django.db.models import QuerySet
from django.utils import timezone  # noqa: F401
from django.utils.translation import gettext as _

from business.models import ProgramAccount
from carm_portal.audit import audit_record  # noqa: F401
from delegation.models import Employment, TransitionError  # noqa: F401
from notices.services import notice_send


class DelegationError(Exception):
    """A change the rules refuse; the message is translated and shown to the person."""


# --- Employees (DELEG-1) -------------------------------------------------------------------


# Who may delegate what (DELEG-0, DELEG-1): a Business Account Manager the whole business
# and every role; a Program Account Manager only within their program accounts, never the
# Business Account Manager role, never a Business Account Manager's access.


@dataclass(frozen=True)
class Reach:
    """What one manager may delegate in one business (from their ``Grant``)."""

    business_id: int
    role: str
    account_ids: frozenset[int] | None  # None: the whole business

    @classmethod
    def of(cls, grant) -> Reach:
        if grant.is_provider:  # DELEG-3: never a service provider
            raise DelegationError(_("Only the business's own managers manage its employees."))
        return cls(business_id=grant.business_id, role=grant.role, account_ids=grant.account_ids)

    @property
    def is_bam(self) -> bool:
        return self.role == Employment.Role.BUSINESS_ACCOUNT_MANAGER

    @property
    def restricted(self) -> bool:
        return self.account_ids is not None

    def roles(self) -> list[str]:
        if self.is_bam:
            return list(Employment.Role.values)
        return [r for r in Employment.Role.values if r != Employment.Role.BUSINESS_ACCOUNT_MANAGER]

    def accounts(self) -> QuerySet[ProgramAccount]:
        accounts = ProgramAccount.objects.filter(business_id=self.business_id)
        if self.restricted:
            accounts = accounts.filter(pk__in=self.account_ids)
        return accounts.order_by("program_identifier", "reference_number")

    def sees(self, *, role: str, account_ids: set[int]) -> bool:
        """Whether the employee shows in this manager's list: their access covers one of
        the manager's program accounts."""
        if not self.restricted or role == Employment.Role.BUSINESS_ACCOUNT_MANAGER:
            return True
        return not account_ids or bool(account_ids & self.account_ids)

    def manages(self, *, role: str, account_ids: set[int]) -> bool:
        """Whether this manager may change an employee with ``role`` and scope
        ``account_ids`` (empty: every program account of the business)."""
        if role == Employment.Role.BUSINESS_ACCOUNT_MANAGER:
            return self.is_bam
        if not self.restricted:
            return True
        return bool(account_ids) and account_ids <= self.account_ids


def _scope_ids(employment: Employment) -> set[int]:
    return set(employment.program_accounts.values_list("pk", flat=True))


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
    return employment.user.get_full_name() or employment.user.get_username()


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
    still_manager = Employment.objects.filter(
        user=actor,
        business_id=reach.business_id,
        status=Employment.Status.ACTIVE,
        role__in=[
            Employment.Role.BUSINESS_ACCOUNT_MANAGER,
            Employment.Role.PROGRAM_ACCOUNT_MANAGER,
        ],
    ).exists()
    if not still_manager:
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
    *, employment: Employment, role: str, program_accounts, reach: Reach, request
) -> Employment:
    """Approve a pending access request (LINK-2) in ``role`` for ``program_accounts``
    (none: every program account of the business)."""
    with transaction.atomic():
        locked = _lock(employment, reach=reach, actor=request.user)
        _check_pending(locked)
        accounts = _grantable(reach=reach, role=role, accounts=program_accounts)
        before = _state(locked, accounts=[])
        _transition(locked.approve, role=role, by=request.user)
        locked.save(update_fields=["status", "role", "updated_at"])
        locked.program_accounts.set(accounts)
        audit_record(
            action="employment.approved",
            request=request,
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
    *, employments, role: str, program_accounts, reach: Reach, request
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
                request=request,
            )
    return len(employments)


def employment_reject(*, employment: Employment, reason: str, reach: Reach, request) -> Employment:
    reason = reason.strip()
    with transaction.atomic():
        locked = _lock(employment, reach=reach, actor=request.user)
        _check_pending(locked)
        if not reason:
            raise DelegationError(_("Give the reason for the refusal."))
        _transition(locked.reject, by=request.user)
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            action="employment.rejected",
            request=request,
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
    *, employment: Employment, role: str, program_accounts, reach: Reach, request
) -> Employment:
    """Change an active employee's role and program accounts (DELEG-1)."""
    with transaction.atomic():
        locked = _lock(employment, reach=reach, actor=request.user, bams=True)
        if not reach.manages(role=locked.role, account_ids=_scope_ids(locked)):
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
            request=request,
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


def employment_remove(*, employment: Employment, reach: Reach, request) -> Employment:
    """Remove an employee's access; it ends on their very next request (DELEG-1)."""
    with transaction.atomic():
        locked = _lock(employment, reach=reach, actor=request.user, bams=True)
        if not reach.manages(role=locked.role, account_ids=_scope_ids(locked)):
            raise DelegationError(_("You may not change this person's access."))
        _check_not_last_bam(locked)
        before = _state(locked)
        _transition(locked.remove)
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            action="employment.removed",
            request=request,
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


# --- end of employees ---------------------------------------------------------------------


# --- Relationships (DELEG-2) ---------------------------------------------------------------


# --- end of relationships -----------------------------------------------------------------


# --- Client assignments and client groups (DELEG-4, DELEG-5) -------------------------------


# --- end of client assignments and client groups ------------------------------------------
