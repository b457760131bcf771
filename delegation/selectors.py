"""Reads scoped to a person (STYLE 3). Permission checks and scoped lists for the other
apps live in ``delegation.access``; these are the delegation app's own reads."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from business.models import Business, ProgramAccount
from delegation.models import Employment


def active_employments(*, user) -> QuerySet[Employment]:
    return Employment.objects.filter(user=user, status=Employment.Status.ACTIVE)


def pending_requests_for(*, user) -> QuerySet[Employment]:
    return Employment.objects.filter(user=user, status=Employment.Status.PENDING).select_related(
        "business"
    )


def scope_covers(accounts: Q) -> Q:
    """Employments whose program-account scope covers an account matching ``accounts``
    (a condition on ``programaccount``): Business Account Managers (the whole business),
    an empty scope (every program account of the business), or a scope naming one."""
    through = Employment.program_accounts.through
    has_scope = Exists(through.objects.filter(employment_id=OuterRef("pk")))
    names_one = Exists(through.objects.filter(accounts, employment_id=OuterRef("pk")))
    return Q(role=Employment.Role.BUSINESS_ACCOUNT_MANAGER) | ~has_scope | names_one


def business_notice_recipients(
    *,
    business: Business,
    program_account: ProgramAccount | None = None,
    managers_only: bool = False,
) -> QuerySet:
    """The people who receive a notice about ``business`` (and ``program_account``).

    - Active employments of active people only.
    - ``managers_only`` (types such as *Changes to delegation – Pending access*): the
      Business Account Managers and the Program Account Managers.
    - A notice about one program account goes only to those whose scope covers it
      (DELEG-0: a PAM, Editor or Reader may be limited to some program accounts); a
      notice about the business as a whole goes to every employee (or manager).

    Returns a queryset of user ids (``values("user_id")``), usable as a subquery.
    """
    employments = Employment.objects.filter(
        business=business, status=Employment.Status.ACTIVE, user__is_active=True
    )
    if managers_only:
        employments = employments.filter(
            role__in=[
                Employment.Role.BUSINESS_ACCOUNT_MANAGER,
                Employment.Role.PROGRAM_ACCOUNT_MANAGER,
            ]
        )
    if program_account is not None:
        employments = employments.filter(scope_covers(Q(programaccount=program_account)))
    return employments.values("user_id")
