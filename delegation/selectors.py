"""Reads scoped to what a person may see (STYLE 3). Other apps read businesses and
program accounts through these functions only.

Issue 6 adds relationships (acting for clients) and the full permission matrix; the rule
here is the part that exists today: a person sees the businesses they are an active
employee of, and the program accounts within their scope.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from business.models import Business, ProgramAccount
from delegation.models import Employment


def active_employments(*, user) -> QuerySet[Employment]:
    return Employment.objects.filter(user=user, status=Employment.Status.ACTIVE)


def businesses_for(*, user) -> QuerySet[Business]:
    return Business.objects.filter(
        employments__user=user, employments__status=Employment.Status.ACTIVE
    ).distinct()


def business_for(*, user, business_id: int) -> Business:
    """The business if the person works for it; 404 otherwise (existence not revealed)."""
    business = businesses_for(user=user).filter(pk=business_id).first()
    if business is None:
        raise Http404
    return business


def program_accounts_for(*, user, business: Business | None = None) -> QuerySet[ProgramAccount]:
    """Program accounts in the person's scope: all of a business when their employment has
    no program-account scope, else the ones it names."""
    employments = active_employments(user=user)
    if business is not None:
        employments = employments.filter(business=business)
    whole = employments.filter(program_accounts__isnull=True).values("business_id")
    scoped = employments.values("program_accounts")
    return (
        (
            ProgramAccount.objects.filter(business_id__in=whole)
            | ProgramAccount.objects.filter(pk__in=scoped)
        )
        .select_related("business")
        .distinct()
    )


def program_account_for(*, user, account_id: int) -> ProgramAccount:
    account = program_accounts_for(user=user).filter(pk=account_id).first()
    if account is None:
        raise Http404
    return account


def pending_requests_for(*, user) -> QuerySet[Employment]:
    return Employment.objects.filter(user=user, status=Employment.Status.PENDING).select_related(
        "business"
    )
