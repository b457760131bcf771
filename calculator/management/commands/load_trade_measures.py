"""Load surtaxes, anti-dumping/countervailing duties and excise (SPEC CALC-6): dated data
by origin and classification, kept afterwards by CBSA staff in the admin."""

from calculator import loaders
from calculator.management.commands._base import LoaderCommand


class Command(LoaderCommand):
    help = "Load trade measures from a CSV file (see calculator/data/trade-measures.csv)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        super().add_arguments(parser)

    def handle(self, *args, path, dry_run, **options):
        self.print_reports([loaders.trade_measures_load(path=path, dry_run=dry_run)])
