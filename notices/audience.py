"""Who receives a notice: resolved once, when it is sent, into recipient rows.

``business_notice_recipients`` is the rule "the employees of a business who may see that
kind of notice". It reads ``delegation.Employment`` and belongs with the authorization
module that issue 6 brings to ``delegation/``: move it there then, unchanged in meaning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from business.models import Business, ProgramAccount
from delegation.models import Employment


def _scope_covers(accounts: Q) -> Q:
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
        employments = employments.filter(_scope_covers(Q(programaccount=program_account)))
    return employments.values("user_id")


@dataclass(frozen=True)
class StaffAudience:
    """Whom a notice written by CBSA staff goes to (STAFF-1): everyone, chosen
    businesses (every active employee), or every business holding a program account of a
    type (employees whose scope covers such an account)."""

    EVERYONE = "everyone"
    BUSINESSES = "businesses"
    PROGRAM_TYPE = "program_type"

    kind: str
    business_ids: tuple[int, ...] = field(default=())
    program_type: str = ""

    @classmethod
    def everyone(cls) -> StaffAudience:
        return cls(kind=cls.EVERYONE)

    @classmethod
    def businesses(cls, ids: Iterable[int]) -> StaffAudience:
        return cls(kind=cls.BUSINESSES, business_ids=tuple(sorted(set(ids))))

    @classmethod
    def holders_of(cls, program_type: str) -> StaffAudience:
        if program_type not in ProgramAccount.ProgramType.values:
            raise ValueError(f"unknown program type {program_type!r}")
        return cls(kind=cls.PROGRAM_TYPE, program_type=program_type)

    def describe(self) -> str:
        """A short English description kept on the notice for staff."""
        if self.kind == self.EVERYONE:
            return "everyone"
        if self.kind == self.BUSINESSES:
            return f"businesses: {len(self.business_ids)}"
        return f"holders of program type: {self.program_type}"

    def user_ids(self) -> QuerySet:
        """The recipients' user ids, as a subquery (``values("id")`` or ``("user_id")``)."""
        if self.kind == self.EVERYONE:
            # Every active person of the portal; CBSA staff accounts are not clients.
            return get_user_model().objects.filter(is_active=True, is_staff=False).values("id")
        active = Employment.objects.filter(status=Employment.Status.ACTIVE, user__is_active=True)
        if self.kind == self.BUSINESSES:
            return active.filter(business_id__in=self.business_ids).values("user_id").distinct()
        if self.kind == self.PROGRAM_TYPE:
            holds = Exists(
                ProgramAccount.objects.filter(
                    business_id=OuterRef("business_id"), program_type=self.program_type
                )
            )
            return (
                active.filter(holds)
                .filter(_scope_covers(Q(programaccount__program_type=self.program_type)))
                .values("user_id")
                .distinct()
            )
        raise ValueError(f"unknown audience {self.kind!r}")
