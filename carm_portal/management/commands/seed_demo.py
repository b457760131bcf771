"""Create the demo world that ``make run`` shows (SPEC STAFF-2). Idempotent.

Three businesses on file (two registered on the portal, one not, for trying LINK-3),
their program accounts, transactions, payments and statements, and people in each role.
``--scale N`` adds N transactions to the demo importer, for benchmarks.
"""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import SecretQuestions
from business.models import Business, ProgramAccount, Registration
from business.reference import reference_data_load
from delegation.models import Employment
from finance.models import Transaction

# Demo credentials for a developer's machine only; printed by `make run`.
DEMO_PASSWORD = "Xylo4Quartz9"  # noqa: S105
REFERENCE = Path(__file__).resolve().parents[3] / "business" / "fixtures" / "demo_reference.json"
REGISTERED = ["549132583", "871234569"]

DEMO_PEOPLE = [
    # (username, first, last, language, BN9 or None, role, staff)
    (
        "demoimporter",
        "Test",
        "Importer",
        "en",
        "549132583",
        Employment.Role.BUSINESS_ACCOUNT_MANAGER,
        False,
    ),
    ("demoreader", "Sam", "Lee", "en", "549132583", Employment.Role.READER, False),
    (
        "demobroker",
        "Camille",
        "Tremblay",
        "fr",
        "871234569",
        Employment.Role.BUSINESS_ACCOUNT_MANAGER,
        False,
    ),
    ("demonewcomer", "Alex", "Roy", "fr", None, None, False),
    ("cbsaadmin", "Alex", "Martin", "en", None, None, True),
]


class Command(BaseCommand):
    help = "Create or refresh the demo businesses, program accounts, money and people."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would be created.")
        parser.add_argument(
            "--scale", type=int, default=0, help="Add N transactions to the demo importer."
        )

    def handle(self, *args, dry_run=False, scale=0, **options):
        if not settings.DEBUG and not getattr(settings, "ALLOW_DEMO_DATA", False):
            raise CommandError("Demo data is for development machines only (DEBUG is off).")
        with transaction.atomic():
            counts = reference_data_load(json.loads(REFERENCE.read_text(encoding="utf-8")))
            people = self._people()
            for bn9 in REGISTERED:
                business = Business.objects.get(bn9=bn9)
                bam = Employment.objects.filter(business=business, role="bam").first()
                Registration.objects.get_or_create(
                    business=business, defaults={"registered_by": bam.user}
                )
            if scale:
                self._scale(scale)
            # The duties and taxes calculator's reference data (idempotent).
            call_command("load_calculator_demo", dry_run=dry_run, stdout=self.stdout)
            if dry_run:
                transaction.set_rollback(True)
        verb = "Would create or refresh" if dry_run else "Created or refreshed"
        self.stdout.write(f"{verb} {sum(counts.values())} reference rows and {people} people.")
        for username, *_rest in DEMO_PEOPLE:
            self.stdout.write(f"  sign in as {username} / {DEMO_PASSWORD}")
        self.stdout.write(
            "  'Register my business' can be tried with 123456782 RM0001, Northern Maple Foods Ltd., "
            "455 rue Saint-Paul Est, Canada (answers: demo_reference.json)"
        )

    def _people(self) -> int:
        User = get_user_model()
        now = timezone.now()
        for username, first, last, language, bn9, role, staff in DEMO_PEOPLE:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "preferred_language": language,
                    "email": f"{username}@example.com",
                    "is_staff": staff,
                    "is_superuser": staff,
                    "phone": "+16135550100",
                    "email_notices": True,
                    "profile_completed_at": now,
                    "terms_acknowledged_at": now,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                for purpose in SecretQuestions.Purpose.values:
                    questions = SecretQuestions(user=user, purpose=purpose, question="first_pet")
                    questions.set_answers(
                        answer="Biscuit",
                        memorable_person="Aunt Louise",
                        memorable_date=datetime.date(1990, 7, 14),
                    )
                    questions.save()
            if bn9:
                Employment.objects.get_or_create(
                    user=user,
                    business=Business.objects.get(bn9=bn9),
                    status=Employment.Status.ACTIVE,
                    defaults={"role": role},
                )
        return len(DEMO_PEOPLE)

    def _scale(self, count: int) -> None:
        account = ProgramAccount.objects.get(business__bn9="549132583", reference_number="0001")
        start = Transaction.objects.filter(number__startswith="9").count()
        today = datetime.date(2026, 11, 1)
        batch = [
            Transaction(
                program_account=account,
                number=f"9{start + i:013d}",
                date=today - datetime.timedelta(days=(start + i) % 3650),
                description="Commercial accounting declaration",
                amount=Decimal(100 + (start + i) % 5000) / 4,
                total_duties_taxes=Decimal(0),
                status=Transaction.Status.PAID,
            )
            for i in range(count)
        ]
        Transaction.objects.bulk_create(batch, batch_size=5000)
        self.stdout.write(f"Added {count} transactions to 549132583RM0001.")
