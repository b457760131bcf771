"""Reads of the business area (STYLE 1): linking, registration, home and profiles.

Reads scoped to a person go through ``delegation.access`` (the views pass its results).
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from business.models import Address, Business, Person, ProgramAccount
from delegation.models import Employment


def registered_business(*, bn9: str) -> Business | None:
    """The business registered on the portal under ``bn9`` (LINK-2), if any."""
    return Business.objects.filter(bn9=bn9, registration__isnull=False).first()


def has_open_employment(*, user, business: Business) -> bool:
    """Whether the person already asked for access to the business, or has it."""
    return Employment.objects.filter(
        user=user,
        business=business,
        status__in=[Employment.Status.PENDING, Employment.Status.ACTIVE],
    ).exists()


def importer_account(*, bn9: str, reference: str) -> ProgramAccount | None:
    """The importer program account named by a business number and a program reference
    (``RM0001``), as the registration's first step looks it up (LINK-3)."""
    return (
        ProgramAccount.objects.select_related("business")
        .filter(
            business__bn9=bn9,
            program_identifier=reference[:2],
            reference_number=reference[2:],
            program_type=ProgramAccount.ProgramType.IMPORTER,
        )
        .first()
    )


def program_account_with_business(*, pk) -> ProgramAccount | None:
    return ProgramAccount.objects.select_related("business").filter(pk=pk).first()


def recent_transactions(*, program_account: ProgramAccount, limit: int = 5) -> list:
    """HOME-2: the account's latest transactions, newest first."""
    from finance.models import Transaction

    return list(
        Transaction.objects.filter(program_account=program_account).order_by("-date", "-number")[
            :limit
        ]
    )


def business_addresses(*, business: Business) -> QuerySet[Address]:
    return Address.objects.filter(business=business).order_by("kind")


def business_people(*, business: Business) -> dict[str, list[Person]]:
    """The business's own owners and contacts (HOME-5), in one query: those on file for
    one of its program accounts are that account's."""
    people = list(Person.objects.filter(business=business, program_account=None))
    return {
        "owners": [p for p in people if p.kind == Person.Kind.OWNER],
        "contacts": [p for p in people if p.kind == Person.Kind.CONTACT],
    }


def business_with_profile(*, pk: int) -> Business:
    """A business with its addresses (in order), for the program account's page."""
    return Business.objects.prefetch_related(
        Prefetch("addresses", queryset=Address.objects.order_by("kind"))
    ).get(pk=pk)


def program_account_people(*, account) -> list[Person]:
    """The program account's own contacts and owners, as on file for it (HOME-5)."""
    return list(Person.objects.filter(program_account=account))


def pending_change_requests(*, business: Business, program_account=None) -> list:
    """FIN-9: the requests waiting for the CBSA, about the business itself (no program
    account) or about one program account, newest first."""
    from business.models import ChangeRequest

    return list(
        ChangeRequest.objects.filter(
            business=business,
            program_account=program_account,
            status=ChangeRequest.Status.SUBMITTED,
        )
        .select_related("requested_by")
        .order_by("-requested_at")[:20]
    )


def businesses_matching(*, words: str, compact: str) -> QuerySet:
    """The ids of the businesses whose name holds ``words`` or whose business number
    starts with ``compact`` (is its first nine characters, for a full account number):
    on the trigram and business-number indexes (HOME-1's account search)."""
    condition = Q(legal_name__icontains=words) | Q(operating_name__icontains=words)
    if compact.isalnum():
        condition |= Q(bn9__startswith=compact) if len(compact) <= 9 else Q(bn9=compact[:9])
    return Business.objects.filter(condition).values("pk")
