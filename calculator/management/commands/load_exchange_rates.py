"""Load Bank of Canada exchange rates (SPEC CALC-5): the sample CSV, or the Bank's Valet
JSON (``/valet/observations/FXUSDCAD/json``) or CSV. Idempotent (one rate per currency
and day)."""

from calculator import loaders
from calculator.management.commands._base import LoaderCommand


class Command(LoaderCommand):
    help = "Load Bank of Canada exchange rates (sample CSV, Valet JSON or Valet CSV)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="+", help="files to load")
        super().add_arguments(parser)

    def handle(self, *args, path, dry_run, **options):
        self.print_reports([loaders.exchange_rates_load(path=one, dry_run=dry_run) for one in path])
