"""The finance part of the demo world (``manage.py seed_demo``): payments in the demo
importer's ledger, two open debits it can pay by card (FIN-6), a CBSA invoice, a financial security, and its first statement issued by
the portal. Idempotent (natural keys; an issued statement is returned as is)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from business.models import ProgramAccount
from finance import services
from finance.calendar import last_issue_date
from finance.models import FinancialSecurity

IMPORTER = "549132583RM0001"

LEDGER = {
    "accounts": [
        {
            "account": IMPORTER,
            "transactions": [
                {
                    "number": "13409539086047",
                    "date": "2026-10-30",
                    "type": "PAYMENT",
                    "amount": "-562.10",
                    "total_duties_taxes": "0.00",
                    "status": "paid",
                },
                {
                    "number": "13409539086054",
                    "date": "2026-11-20",
                    "type": "PAYMENT",
                    "amount": "-1284.37",
                    "total_duties_taxes": "0.00",
                    "status": "paid",
                },
                {
                    "number": "13409539086062",
                    "date": "2026-11-03",
                    "type": "CAD",
                    "amount": "5.00",
                    "total_duties_taxes": "5.00",
                    "status": "open",
                    "due_date": "2026-12-01",
                },
                # A second open debit: the demo importer pays two by card (FIN-6, `make
                # run`'s test payment processor).
                {
                    "number": "13409539086070",
                    "date": "2026-11-18",
                    "description": "Commercial accounting declaration",
                    "description_fr": "Déclaration en douane commerciale",
                    "amount": "845.50",
                    "total_duties_taxes": "845.50",
                    "status": "open",
                    "due_date": "2026-12-31",
                },
            ],
            "invoices": [
                {
                    "number": "INV2026-0417",
                    "date": "2026-11-05",
                    "due_date": "2026-12-05",
                    "description": "Examination services at the Port of Montréal",
                    "description_fr": "Services d'examen au port de Montréal",
                    "status": "open",
                    "lines": [
                        {
                            "description": "Container examination",
                            "description_fr": "Examen de conteneur",
                            "quantity": "2",
                            "unit_price": "75.00",
                            "amount": "150.00",
                        },
                        {
                            "description": "Storage (3 days)",
                            "description_fr": "Entreposage (3 jours)",
                            "quantity": "3",
                            "unit_price": "20.00",
                            "amount": "60.00",
                        },
                    ],
                }
            ],
        }
    ]
}


def seed_finance(*, today: datetime.date) -> None:
    services.transactions_import(data=LEDGER)
    account = ProgramAccount.objects.select_related("business").get(
        business__bn9=IMPORTER[:9], reference_number=IMPORTER[11:]
    )
    if not FinancialSecurity.objects.filter(reference="BOND-2026-0001").exists():
        services.security_record(
            program_account=account,
            kind=FinancialSecurity.Kind.BOND,
            amount=Decimal("20000.00"),
            reference="BOND-2026-0001",
            posted_on=datetime.date(2026, 1, 15),
            actor=None,
        )
    services.statement_issue(program_account=account, issue_date=last_issue_date(today))
