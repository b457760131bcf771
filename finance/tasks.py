"""Background work of the finance area (FIN-5, ADR 0005): thin tasks over services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from business.models import ProgramAccount
from carm_portal.tasks import InvalidTaskArgument, task_past_date, task_pk
from finance import services
from finance.calendar import last_issue_date


@shared_task(name="finance.issue_statements", ignore_result=True)
def issue_statements(issue_date: str | None = None) -> int:
    """Beat, on the 25th: one task per program account that has no statement yet for
    this month's issue date. Running it again (or late, before the next 25th) issues only
    what is missing. An ``issue_date`` from the message must be a past or today's date
    (SEC-5): a statement is never issued ahead of its period."""
    today = timezone.localdate()
    day = (
        task_past_date(issue_date, today=today, name="issue_date")
        if issue_date is not None
        else last_issue_date(today)
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
    dont_autoretry_for=(InvalidTaskArgument,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    max_retries=8,
)
def issue_statement(self, account_id: int, issue_date: str) -> int | None:
    """Issue one account's statement (idempotent: an issued statement is returned as is).
    Its arguments are checked first; a bad one is refused without retrying."""
    account_id = task_pk(account_id, name="account_id")
    day = task_past_date(issue_date, today=timezone.localdate(), name="issue_date")
    account = ProgramAccount.objects.select_related("business").get(pk=account_id)
    statement = services.statement_issue(program_account=account, issue_date=day)
    return statement.pk if statement else None
