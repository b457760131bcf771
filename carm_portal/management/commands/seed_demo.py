"""Create the demo world that ``make run`` shows (SPEC STAFF-2). Idempotent."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from business.models import Business, ProgramAccount
from delegation.models import Employment

# Demo credentials for a developer's machine only; printed by `make run`.
DEMO_PASSWORD = "Xylo4Quartz9"  # noqa: S105

DEMO_BUSINESSES = [
    # (BN9, legal name, operating name, [(identifier, reference, type, name)])
    (
        "549132583",
        "ImporterCompany3084 Inc.",
        "ImporterCompany3084",
        [("RM", "0001", ProgramAccount.ProgramType.IMPORTER, "Test Importer Name")],
    ),
    (
        "871234569",
        "Maple Leaf Customs Brokers Ltd.",
        "Maple Leaf Customs Brokers",
        [("RM", "0001", ProgramAccount.ProgramType.CUSTOMS_BROKER, "Maple Leaf Brokerage")],
    ),
]

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
    (
        "demobroker",
        "Camille",
        "Tremblay",
        "fr",
        "871234569",
        Employment.Role.BUSINESS_ACCOUNT_MANAGER,
        False,
    ),
    ("cbsaadmin", "Alex", "Martin", "en", None, None, True),
]


class Command(BaseCommand):
    help = "Create or refresh the demo businesses, program accounts and people."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would be created.")

    def handle(self, *args, dry_run=False, **options):
        if not settings.DEBUG and not getattr(settings, "ALLOW_DEMO_DATA", False):
            raise CommandError("Demo data is for development machines only (DEBUG is off).")
        User = get_user_model()
        with transaction.atomic():
            businesses = {}
            for bn9, legal, operating, accounts in DEMO_BUSINESSES:
                business, _ = Business.objects.update_or_create(
                    bn9=bn9, defaults={"legal_name": legal, "operating_name": operating}
                )
                businesses[bn9] = business
                for identifier, reference, program_type, name in accounts:
                    ProgramAccount.objects.update_or_create(
                        business=business,
                        program_identifier=identifier,
                        reference_number=reference,
                        defaults={"program_type": program_type, "name": name},
                    )
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
                    },
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                if bn9:
                    Employment.objects.get_or_create(
                        user=user,
                        business=businesses[bn9],
                        status=Employment.Status.ACTIVE,
                        defaults={"role": role},
                    )
            if dry_run:
                transaction.set_rollback(True)
        verb = "Would create or refresh" if dry_run else "Created or refreshed"
        self.stdout.write(
            f"{verb} {len(DEMO_BUSINESSES)} businesses and {len(DEMO_PEOPLE)} people."
        )
        for username, *_rest in DEMO_PEOPLE:
            self.stdout.write(f"  sign in as {username} / {DEMO_PASSWORD}")
        # The duties and taxes calculator's reference data (idempotent).
        call_command("load_calculator_demo", dry_run=dry_run, stdout=self.stdout)
