import datetime
from decimal import Decimal

import factory

from business.tests.factories import ProgramAccountFactory
from finance.models import FinancialSecurity, Invoice, InvoiceLine, Transaction


class TransactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transaction

    program_account = factory.SubFactory(ProgramAccountFactory)
    number = factory.Sequence(lambda n: f"1340{n:010d}")
    date = datetime.date(2026, 10, 1)
    description = "Commercial accounting declaration"
    amount = Decimal("100.00")
    total_duties_taxes = factory.LazyAttribute(lambda t: max(t.amount, Decimal("0.00")))
    status = factory.LazyAttribute(
        lambda t: Transaction.Status.OPEN_CREDIT if t.amount < 0 else Transaction.Status.OPEN
    )


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice
        skip_postgeneration_save = True

    program_account = factory.SubFactory(ProgramAccountFactory)
    number = factory.Sequence(lambda n: f"INV{n:07d}")
    date = datetime.date(2026, 10, 5)
    due_date = datetime.date(2026, 11, 4)
    description = "Examination services"
    total = Decimal("150.00")
    status = Invoice.Status.OPEN

    @factory.post_generation
    def lines(obj, create, extracted, **kwargs):
        if create and extracted is None:
            InvoiceLine.objects.create(
                invoice=obj,
                position=1,
                description="Container examination",
                quantity=Decimal("2"),
                unit_price=Decimal("75.00"),
                amount=Decimal("150.00"),
            )


class SecurityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancialSecurity

    program_account = factory.SubFactory(ProgramAccountFactory)
    kind = FinancialSecurity.Kind.BOND
    amount = Decimal("10000.00")
    reference = factory.Sequence(lambda n: f"BOND-{n:05d}")
    posted_on = datetime.date(2026, 1, 15)
