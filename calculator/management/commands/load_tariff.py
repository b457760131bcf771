"""Load the Customs Tariff (SPEC CALC-5, STAFF-2): the sample CSV, or chapters of the
CBSA schedule table (Tariff Item | SS | Description of Goods | Unit of Meas. | MFN Tariff |
Applicable Preferential Tariffs) exported to CSV. Idempotent: an edition's content is
replaced by what the file holds; other editions stay side by side."""

from datetime import date

from django.core.management.base import CommandError

from calculator import loaders
from calculator.management.commands._base import LoaderCommand


class Command(LoaderCommand):
    help = "Load the Customs Tariff from the sample CSV or the CBSA schedule format."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file")
        parser.add_argument(
            "--format", choices=["sample", "schedule"], default="sample", help="File format."
        )
        parser.add_argument("--edition", help="Schedule: edition code, e.g. T2026-2.")
        parser.add_argument("--effective", help="Schedule: date in force, YYYY-MM-DD.")
        parser.add_argument(
            "--language",
            choices=["en", "fr"],
            default="en",
            help="Schedule: fr fills the French descriptions of an edition loaded in English.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Sample: reload even an unchanged file."
        )
        super().add_arguments(parser)

    def handle(self, *args, path, format, edition, effective, language, dry_run, force, **options):
        if format == "sample":
            report = loaders.tariff_load_sample(path=path, dry_run=dry_run, force=force)
        else:
            if not edition or not effective:
                raise CommandError("--edition and --effective are required for a schedule.")
            try:
                effective_from = date.fromisoformat(effective)
            except ValueError as error:
                raise CommandError("--effective must be YYYY-MM-DD.") from error
            report = loaders.tariff_load_schedule(
                path=path,
                edition=edition,
                effective_from=effective_from,
                language=language,
                dry_run=dry_run,
            )
        self.print_reports([report])
