"""Import transactions, CBSA invoices and payments from CBSA's systems (SPEC FIN-1, FIN-2,
FIN-6).

    manage.py import_transactions FILE [--dry-run]

The file (JSON)::

    {"accounts": [{
        "account": "549132583RM0001",
        "transactions": [{"number": "13409539086047", "date": "2026-11-20", "type": "CAD",
                          "amount": "845.50", "total_duties_taxes": "845.50",
                          "status": "open", "due_date": "2026-12-31"}],
        "invoices": [{"number": "INV0000123", "date": "2026-11-05",
                      "due_date": "2026-12-05", "description": "Examination services",
                      "description_fr": "Services d'examen", "status": "open",
                      "lines": [{"description": "Container examination",
                                 "description_fr": "Examen de conteneur",
                                 "quantity": "2", "unit_price": "75.00", "amount": "150.00"}]}],
        "payments": [{"reference": "BANK-2026-000123", "date": "2026-11-21",
                      "amount": "500.00", "method": "bank"}]
    }]}

A transaction's ``type`` is a code of ``finance.TransactionType`` (``manage.py
load_transaction_types``): its descriptions are the type's English and French names. A
transaction may instead (or as well) carry its own ``description``; every ``description``
comes with its French ``description_fr`` (CBSA holds its text in both official
languages): a file without it is refused (SPEC X-1), as is an unknown type.

``payments`` are bill payments (``bank``) and wire transfers (``wire``) CBSA received,
quoting the program account number (FIN-6): each is applied as a confirmed card payment
is (``finance.services.payment_apply``: the oldest open debits first, what is left stays
as a credit), with a receipt notice, once per reference.

Rows already on file (same number) are left as they are, so importing a file twice adds
nothing; a correction is a new transaction. All rows or none (the first bad row is named).
The balances of the accounts touched are recomputed from the earliest new date.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from finance import services


class Command(BaseCommand):
    help = "Import transactions and CBSA invoices from a JSON file (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file, keep nothing.")

    def handle(self, *args, file: Path, dry_run=False, **options):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        try:
            with transaction.atomic():
                counts = services.transactions_import(data=data)
                if dry_run:
                    transaction.set_rollback(True)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        prefix = "Would have: " if dry_run else ""
        for label, count in sorted(counts.items()):
            self.stdout.write(f"{prefix}{label}: {count}")
        if not counts:
            self.stdout.write("Nothing to import.")
