"""Who receives a notice: resolved once, when it is sent, into recipient rows.

The rule "the employees of a business who may see that kind of notice" belongs to the
authorization module: ``delegation.selectors.business_notice_recipients`` (re-exported
here for the notices services)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from business.models import ProgramAccount
from delegation.access import scope_covers
from delegation.models import Employment
from delegation.selectors import business_notice_recipients

__all__ = ["StaffAudience", "business_notice_recipients"]


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
                .filter(scope_covers(Q(programaccount__program_type=self.program_type)))
                .values("user_id")
                .distinct()
            )
        raise ValueError(f"unknown audience {self.kind!r}")
