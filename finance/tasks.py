"""Background work of the finance area (FIN-5, ADR 0005): thin tasks over services."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from business.models import ProgramAccount
from finance import services
from finance.calendar import last_issue_date


@shared_task(name="finance.issue_statements", ignore_result=True)
def issue_statements(issue_date: str | None = None) -> int:
    """Beat, on the 25th: one task per program account that has no statement yet for
    this month's issue date. Running it again (or late, before the next 25th) issues only
    what is missing."""
    day = (
        datetime.date.fromisoformat(issue_date)
        if issue_date
        else last_issue_date(timezone.localdate())
    )
    account_ids = services.statement_accounts_due(issue_date=day)
    for account_id in account_ids:
        issue_statement.delay(account_id, day.isoformat())
    return len(account_ids)


@shared_task(
    name="finance.issue_statement",
    bind=True,
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    max_retries=8,
)
def issue_statement(self, account_id: int, issue_date: str) -> int | None:
    """Issue one account's statement (idempotent: an issued statement is returned as is)."""
    account = ProgramAccount.objects.select_related("business").get(pk=account_id)
    statement = services.statement_issue(
        program_account=account, issue_date=datetime.date.fromisoformat(issue_date)
    )
    return statement.pk if statement else None
