"""Load the ledger's transaction types (SPEC X-1) from CBSA's file.

    manage.py load_transaction_types [FILE] [--dry-run]

The file is CSV (UTF-8) with the columns ``code,name,name_fr`` (default:
``finance/data/transaction_types.csv``, its sources in ``finance/data/SOURCES.md``).
Every type comes with its French name: a file with a row without it is refused, the row
named, nothing kept. Types are matched on their code: loading the file twice changes
nothing, a new name renames the type (transactions already on file keep their text).
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from finance import services
from finance.reference import TRANSACTION_TYPES

DEFAULT = TRANSACTION_TYPES


class Command(BaseCommand):
    help = "Load the transaction types (code, English and French names) from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?", default=DEFAULT)
        parser.add_argument("--dry-run", action="store_true", help="Check the file, keep nothing.")

    def handle(self, *args, file: Path, dry_run=False, **options):
        try:
            with file.open(encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        try:
            with transaction.atomic():
                counts = services.transaction_types_load(rows=rows)
                if dry_run:
                    transaction.set_rollback(True)
        except ValidationError as exc:
            raise CommandError(f"{file}: {'; '.join(exc.messages)}") from exc
        prefix = "Would have: " if dry_run else ""
        for label, count in sorted(counts.items()):
            self.stdout.write(f"{prefix}{label}: {count}")
