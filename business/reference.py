"""Load what CRA and CBSA have on file (SPEC LINK-5) from a documented JSON file.

Format (one object; every list optional)::

    {"businesses": [{
        "bn9": "549132583", "legal_name": "…", "operating_name": "…",
        "business_activity": "…", "business_activity_fr": "…",
        "correspondence_language": "en",
        "addresses": [{"kind": "physical|mailing|books", "line1": "…", "line2": "",
                       "po_box": "", "city": "…", "province": "ON",
                       "postal_code": "K1A 0L8", "country": "CA"}],
        "people": [{"kind": "owner|contact", "name": "…", "title": "…", "title_fr": "…",
                    "phone": ""}],
        "program_accounts": [{
            "reference": "RM0001", "program_type": "importer|customs_broker|third_party",
            "name": "…", "sub_programs": "…", "sub_programs_fr": "…",
            "people": [the program account's own contacts and owners, as above],
            "transactions": [{"number": "…", "date": "YYYY-MM-DD", "type": "CAD",
                              "description": "…", "description_fr": "…",
                              "amount": "-10.00", "total_duties_taxes": "0.00",
                              "status": "open|paid|open_credit", "due_date": null}],
            "payments": [{"reference": "…", "date": "YYYY-MM-DD", "amount": "…"}],
            "statements": [{"date": "…", "period_start": "…", "period_end": "…",
                            "balance": "…"}]}]}]}

What CRA and CBSA hold comes in both official languages (SPEC X-1): a business activity,
title, sub-programs or description without its ``_fr`` French text is refused. A
transaction's ``type`` is a code of ``finance.TransactionType`` (``manage.py
load_transaction_types``); it brings both descriptions, which may then be left out.

Rows are matched on their natural keys (BN9; business + kind; business + name; BN9 +
reference; transaction number; payment reference; account + statement date), so loading
the same file twice changes nothing. Everything is validated before anything is kept.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from business.models import Address, Business, Person, ProgramAccount
from finance.models import Payment, Statement, Transaction
from finance.services import transaction_balances_refresh, transaction_type


def _save(model, lookup: dict, values: dict, counts: Counter):
    obj = model.objects.filter(**lookup).first() or model(**lookup)
    created = obj.pk is None
    for key, value in values.items():
        setattr(obj, key, value)
    obj.full_clean(validate_unique=False, validate_constraints=False)
    obj.save()
    counts[f"{model._meta.verbose_name_plural} {'created' if created else 'kept or updated'}"] += 1
    return obj


def _pick(row: dict, *names: str) -> dict[str, Any]:
    return {name: row[name] for name in names if name in row}


# What CRA and CBSA hold in both official languages (SPEC X-1): each of these English
# fields comes with its French ``<field>_fr``, or the load is refused.
BILINGUAL = ("business_activity", "title", "sub_programs", "description")


def _bilingual(row: dict, *names: str) -> dict[str, Any]:
    values = _pick(row, *names)
    for name in names:
        if name not in BILINGUAL or not (row.get(name) or "").strip():
            continue
        if not (row.get(f"{name}_fr") or "").strip():
            raise ValidationError(f"{name}_fr (French) is required")
        values[f"{name}_fr"] = row[f"{name}_fr"]
    return values


@transaction.atomic
def reference_data_load(data: dict) -> Counter:
    """Load every row or none (a ValidationError names the first bad row)."""
    counts: Counter = Counter()
    for b in data.get("businesses", []):
        where = f"business {b.get('bn9', '?')}"
        try:
            business = _save(
                Business,
                {"bn9": b["bn9"]},
                _bilingual(
                    b,
                    "legal_name",
                    "operating_name",
                    "business_activity",
                    "correspondence_language",
                ),
                counts,
            )
            for a in b.get("addresses", []):
                _save(
                    Address,
                    {"business": business, "kind": a["kind"]},
                    _pick(
                        a, "line1", "line2", "po_box", "city", "province", "postal_code", "country"
                    ),
                    counts,
                )
            for p in b.get("people", []):
                _save(
                    Person,
                    {
                        "business": business,
                        "program_account": None,
                        "name": p["name"],
                        "kind": p["kind"],
                    },
                    _bilingual(p, "title", "phone"),
                    counts,
                )
            for pa in b.get("program_accounts", []):
                reference = pa["reference"]
                where = f"program account {b['bn9']}{reference}"
                account = _save(
                    ProgramAccount,
                    {
                        "business": business,
                        "program_identifier": reference[:2],
                        "reference_number": reference[2:],
                    },
                    _bilingual(pa, "program_type", "name", "sub_programs"),
                    counts,
                )
                # HOME-5: the program account's own contacts and owners.
                for p in pa.get("people", []):
                    _save(
                        Person,
                        {
                            "business": business,
                            "program_account": account,
                            "name": p["name"],
                            "kind": p["kind"],
                        },
                        _bilingual(p, "title", "phone"),
                        counts,
                    )
                for t in pa.get("transactions", []):
                    where = f"transaction {t.get('number')}"
                    _save(
                        Transaction,
                        {"number": t["number"]},
                        {
                            "program_account": account,
                            # a type (CBSA's code) brings both descriptions.
                            "type": transaction_type(t.get("type", ""), where),
                            **_bilingual(
                                t,
                                "date",
                                "description",
                                "amount",
                                "total_duties_taxes",
                                "status",
                                "due_date",
                            ),
                        },
                        counts,
                    )
                if pa.get("transactions"):
                    # The balance after each transaction (FIN-1) follows the ledger.
                    transaction_balances_refresh(program_account=account)
                for p in pa.get("payments", []):
                    where = f"payment {p.get('reference')}"
                    _save(
                        Payment,
                        {"reference": p["reference"]},
                        {"program_account": account, **_pick(p, "date", "amount")},
                        counts,
                    )
                for s in pa.get("statements", []):
                    where = f"statement {reference} {s.get('date')}"
                    _save(
                        Statement,
                        {"program_account": account, "date": s["date"]},
                        _pick(s, "period_start", "period_end", "balance"),
                        counts,
                    )
        except KeyError as exc:
            raise ValidationError(f"{where}: missing field {exc}") from exc
        except ValidationError as exc:
            raise ValidationError(f"{where}: {'; '.join(exc.messages)}") from exc
    return counts
