"""Load the tariff treatments and the countries that may claim them (SPEC CALC-5)."""

from calculator import loaders
from calculator.management.commands._base import LoaderCommand


class Command(LoaderCommand):
    help = "Load tariff-treatments.csv and, optionally, treatment-countries.csv."

    def add_arguments(self, parser):
        parser.add_argument("path", help="tariff-treatments.csv")
        parser.add_argument("--countries", help="treatment-countries.csv")
        super().add_arguments(parser)

    def handle(self, *args, path, countries, dry_run, **options):
        self.print_reports(
            loaders.treatments_load(path=path, countries_path=countries, dry_run=dry_run)
        )
