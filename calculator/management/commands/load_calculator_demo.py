"""Load everything the calculator needs from calculator/data (STAFF-2): treatments and
their countries, search synonyms, the T2026-2 sample, Bank of Canada rates and the trade
measure examples. Idempotent; called by seed_demo."""

from calculator import loaders
from calculator.management.commands._base import LoaderCommand


class Command(LoaderCommand):
    help = "Load the calculator's reference data shipped in calculator/data."

    def handle(self, *args, dry_run, **options):
        self.print_reports(loaders.calculator_demo_load(dry_run=dry_run))
