"""Create the demo world that ``make run`` shows (SPEC STAFF-2). Idempotent.

Three businesses on file (two registered on the portal, one not, for trying LINK-3),
their program accounts, transactions, payments and statements, and people in each role.
``--scale N`` adds N transactions to the demo importer, for benchmarks.
"""

import datetime
import json
from decimal import Decimal
from importlib import import_module
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import SecretQuestions
from business.models import Business, ProgramAccount, Registration
from business.reference import reference_data_load
from calculator.declarations_demo import seed_demo_declarations
from delegation.models import ClientAssignment, Employment, Relationship
from finance.demo import seed_finance
from finance.models import Transaction, TransactionType
from notices.audience import StaffAudience
from notices.services import notice_send, notice_send_bulk
from rulings.demo import seed_demo_rulings

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
    # The broker's employee, assigned to the importer (DELEG-4): acts for it.
    ("demoagent", "Jordan", "Gagnon", "en", "871234569", Employment.Role.EDITOR, False),
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
            # The upload categories come from a data migration; a database emptied since
            # (a flush) has none, and the demo's documents need them. Idempotent.
            import_module("documents.migrations.0002_categories").add(django_apps, None)
            people = self._people()
            for bn9 in REGISTERED:
                business = Business.objects.get(bn9=bn9)
                bam = Employment.objects.filter(business=business, role="bam").first()
                Registration.objects.get_or_create(
                    business=business, defaults={"registered_by": bam.user}
                )
            self._relationship()
            if scale:
                self._scale(scale)
            # The duties and taxes calculator's reference data (idempotent).
            call_command("load_calculator_demo", dry_run=dry_run, stdout=self.stdout)
            seed_notices({bn9: Business.objects.get(bn9=bn9) for bn9 in REGISTERED})
            seed_finance(today=timezone.localdate())
            seed_demo_rulings()
            seed_demo_declarations()
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

    def _relationship(self) -> None:
        """The broker manages the importer's business (DELEG-2), its agent is assigned."""
        broker = Business.objects.get(bn9="871234569")
        importer = Business.objects.get(bn9="549132583")
        Relationship.objects.get_or_create(
            provider=broker,
            client=importer,
            status=Relationship.Status.ACTIVE,
            defaults={"kind": Relationship.Kind.BUSINESS, "answered_at": timezone.now()},
        )
        agent = Employment.objects.get(user__username="demoagent", business=broker)
        ClientAssignment.objects.get_or_create(employment=agent, client=importer)

    def _scale(self, count: int) -> None:
        account = ProgramAccount.objects.get(business__bn9="549132583", reference_number="0001")
        start = Transaction.objects.filter(number__startswith="9").count()
        today = datetime.date(2026, 11, 1)
        # bulk_create skips Transaction.save(): the type's names are set here.
        cad = TransactionType.objects.get(code="CAD")
        batch = [
            Transaction(
                program_account=account,
                number=f"9{start + i:013d}",
                date=today - datetime.timedelta(days=(start + i) % 3650),
                type=cad,
                description=cad.name,
                description_fr=cad.name_fr,
                amount=Decimal(100 + (start + i) % 5000) / 4,
                total_duties_taxes=Decimal(0),
                status=Transaction.Status.PAID,
            )
            for i in range(count)
        ]
        Transaction.objects.bulk_create(batch, batch_size=5000)
        self.stdout.write(f"Added {count} transactions to 549132583RM0001.")


def seed_notices(businesses: dict) -> None:
    """A few months of believable notices for the demo businesses (NOTE-2), and two
    from CBSA staff to everyone. Each has a reference: a second run sends nothing."""
    today = timezone.localdate()

    def ago(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

    importer = {"business_name": "ImporterCompany3084 Inc.", "bn9": "549132583"}
    relationship = {
        "provider_name": "Maple Leaf Customs Brokers Ltd.",
        "provider_bn9": "871234569",
        "client_name": "ImporterCompany3084 Inc.",
        "client_bn9": "549132583",
    }

    def statement(days: int) -> dict:
        return {
            "period_start": ago(days + 37),
            "period_end": ago(days + 7),
            "due_date": ago(days - 7),
        }

    notices = [
        # (days ago, type, BN9, about the program account, context)
        (2, "delegation_pending_access", "549132583", False, {"requester": "Jo Tremblay", **importer}),
        (9, "statement_available", "549132583", True, statement(9)),
        (16, "document_received", "549132583", True, {"case_number": "R123456", "file_count": 2}),
        (23, "delegation_pending_access", "549132583", False, {"requester": "Sam Okafor", **importer}),
        (37, "relationship_requested", "549132583", False, relationship),
        (40, "statement_available", "549132583", True, statement(40)),
        (58, "document_rejected", "549132583", True,
         {"case_number": "R123450", "file_name": "invoice-scan.pdf", "reason": "type"}),
        (71, "statement_available", "549132583", True, statement(71)),
        (96, "delegation_pending_access", "549132583", False, {"requester": "Alexandre Roy", **importer}),
        (130, "statement_available", "549132583", True, statement(130)),
        (5, "relationship_answered", "871234569", False, {**relationship, "approved": True}),
    ]  # fmt: skip
    for index, (days_ago, type_code, bn9, on_account, context) in enumerate(notices):
        business = businesses[bn9]
        notice_send(
            type_code=type_code,
            context=context,
            business=business,
            program_account=business.program_accounts.first() if on_account else None,
            display_date=ago(days_ago),
            reference=f"demo:{index}:{type_code}",
        )
    notice_send_bulk(
        type_code="cbsa_message",
        subject_en="New release of the CARM Client Portal",
        subject_fr="Nouvelle version du portail client de la GCRA",
        body_en="A new release of the CARM Client Portal is available. It improves the "
        "notices list and the duties and taxes calculator.\n\nThank you for using the portal.",
        body_fr="Une nouvelle version du portail client de la GCRA est disponible. Elle "
        "améliore la liste des avis et la calculatrice des droits et taxes.\n\nMerci "
        "d'utiliser le portail.",
        audience=StaffAudience.everyone(),
        sender=None,
        display_date=ago(12),
        reference="demo:staff:release",
    )
    notice_send_bulk(
        type_code="cbsa_urgent",
        subject_en="Scheduled maintenance this weekend",
        subject_fr="Entretien prévu cette fin de semaine",
        body_en="The portal will be unavailable on Saturday from 00:00 to 06:00 Eastern time.",
        body_fr="Le portail sera indisponible le samedi de 0 h à 6 h, heure de l'Est.",
        audience=StaffAudience.everyone(),
        sender=None,
        urgent=True,
        display_date=ago(1),
        reference="demo:staff:maintenance",
    )
