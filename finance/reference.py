"""The transaction types shipped with the portal (``finance/data/transaction_types.csv``,
SPEC X-1): read by the loader's default file and put back after a flush."""

from __future__ import annotations

import csv
from pathlib import Path

TRANSACTION_TYPES = Path(__file__).resolve().parent / "data" / "transaction_types.csv"


def shipped_transaction_types() -> list[dict]:
    with TRANSACTION_TYPES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def transaction_types_sync(*, apps=None, using: str = "default", **kwargs) -> int:
    """Create the shipped types that are missing (never renames); how many were made."""
    if apps is None:
        from django.apps import apps
    try:
        TransactionType = apps.get_model("finance", "TransactionType")  # noqa: N806
    except LookupError:  # before the table exists
        return 0
    existing = set(TransactionType.objects.using(using).values_list("code", flat=True))
    missing = [
        TransactionType(code=row["code"], name=row["name"], name_fr=row["name_fr"])
        for row in shipped_transaction_types()
        if row["code"] not in existing
    ]
    TransactionType.objects.using(using).bulk_create(missing, ignore_conflicts=True)
    return len(missing)
