"""Issue the statements of account of a month (SPEC FIN-5), as the beat does on the 25th.

    manage.py issue_statements [--date 2026-11-25] [--account 549132583RM0001] [--dry-run]

Without ``--date``: the latest 25th (today's, or last month's before the 25th). Idempotent:
an account that already has its statement for that date is left alone. Prints progress
every 1,000 accounts.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from business.models import ProgramAccount
from finance import services
from finance.calendar import ISSUE_DAY, last_issue_date, statement_period


class Command(BaseCommand):
    help = "Issue the month's statements of account (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Issue date, YYYY-MM-DD (a 25th).")
        parser.add_argument("--account", help="Only this program account, e.g. 549132583RM0001.")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be issued.")

    def handle(self, *args, date=None, account=None, dry_run=False, **options):
        try:
            day = (
                datetime.date.fromisoformat(date) if date else last_issue_date(timezone.localdate())
            )
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from exc
        if day.day != ISSUE_DAY:
            raise CommandError("--date must be a 25th: statements are issued on the 25th.")
        period = statement_period(day)
        ids = services.statement_accounts_due(issue_date=day)
        if account:
            ids = list(
                ProgramAccount.objects.filter(
                    pk__in=ids,
                    business__bn9=account[:9],
                    program_identifier=account[9:11],
                    reference_number=account[11:],
                ).values_list("pk", flat=True)
            )
        self.stdout.write(
            f"Statements of {day} (period {period.start} to {period.end}, due {period.due_date}): "
            f"{len(ids)} program accounts to issue."
        )
        issued = 0
        with transaction.atomic():
            for count, account_id in enumerate(ids, start=1):
                program_account = ProgramAccount.objects.select_related("business").get(
                    pk=account_id
                )
                if services.statement_issue(program_account=program_account, issue_date=day):
                    issued += 1
                if count % 1000 == 0:
                    self.stdout.write(f"  {count} of {len(ids)}")
            if dry_run:
                transaction.set_rollback(True)
        verb = "Would issue" if dry_run else "Issued"
        self.stdout.write(f"{verb} {issued} statements.")
