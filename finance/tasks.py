"""Background work of the finance area (FIN-5, ADR 0005): thin tasks over services."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from business.models import ProgramAccount
from carm_portal.tasks import InvalidTaskArgument, task_past_date, task_pk
from finance import services
from finance.calendar import PERIOD_END_DAY, last_issue_date


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


def _day(value: str | None):
    today = timezone.localdate()
    return task_past_date(value, today=today, name="day") if value is not None else today


@shared_task(name="finance.check_arrangements", ignore_result=True)
def check_arrangements(day: str | None = None) -> dict:
    """Beat, daily (FIN-7): flag missed instalments once, with a notice; complete the
    arrangements paid in full. Idempotent."""
    return dict(services.arrangements_check(today=_day(day)))


@shared_task(name="finance.send_collection_notices", ignore_result=True)
def send_collection_notices(day: str | None = None) -> dict:
    """Beat, daily (FIN-8): each overdue debit's notice at 1, 30 and 60 days, once."""
    return dict(services.collection_notices_send(today=_day(day)))


@shared_task(name="finance.post_interest", ignore_result=True)
def post_interest(through: str | None = None) -> dict:
    """Beat, on the 18th (FIN-8): interest on overdue amounts up to the 17th (the
    statement period's end), once per debit and period."""
    today = timezone.localdate()
    if through is not None:
        day = task_past_date(through, today=today, name="through")
    else:
        day = (
            today.replace(day=PERIOD_END_DAY)
            if today.day > PERIOD_END_DAY
            else (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=PERIOD_END_DAY)
        )
    return dict(services.interest_post(through=day))
