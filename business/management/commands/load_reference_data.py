"""Load CRA/CBSA reference data from a JSON file (SPEC LINK-5, STAFF-2)."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from business.reference import reference_data_load


class Command(BaseCommand):
    help = "Load businesses, addresses, program accounts, transactions, payments and statements. The format is in business/reference.py."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count, keep nothing."
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        try:
            with transaction.atomic():
                counts = reference_data_load(data)
                if dry_run:
                    transaction.set_rollback(True)
        except ValidationError as exc:
            raise CommandError(f"nothing loaded: {'; '.join(exc.messages)}") from exc
        for label, count in sorted(counts.items()):
            self.stdout.write(f"{count:>8} {label}")
        self.stdout.write("dry run: nothing kept" if dry_run else "loaded")
