"""Load the prescribed interest rates for customs purposes (FIN-8) from a CSV file
(``start_date,rate,source``; ``finance/data/README.md``). Idempotent: a date on file gets
the file's rate. All or nothing."""

import csv

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from finance import services


class Command(BaseCommand):
    help = "Load prescribed interest rates (CSV: start_date,rate,source)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the CSV file")
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and check everything, write nothing."
        )

    def handle(self, *args, path, dry_run, **options):
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle))
        except OSError as error:
            raise CommandError(f"{path}: {error}") from error
        try:
            counts = services.prescribed_rates_load(rows=rows, dry_run=dry_run)
        except ValidationError as error:
            raise CommandError(f"{path}: {'; '.join(error.messages)}") from error
        summary = ", ".join(f"{value} {name}" for name, value in sorted(counts.items()))
        prefix = "Dry run, nothing written: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{summary or 'nothing to load'}"))
