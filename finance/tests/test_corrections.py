"""LINK-5: CBSA staff correct invoices and payments on file in the admin, the way
accounting does: a new line or record of the difference, audited, the business told;
what was on file and every issued statement stay as they are."""

import datetime
from decimal import Decimal

import pytest

from business.services import Questions, answers_match
from carm_portal.models import AuditEntry
from finance import selectors, services
from finance.models import Invoice, InvoiceLine, Payment, Statement, StatementLine
from finance.tests.factories import InvoiceFactory, TransactionFactory
from notices.models import Notice, NoticeRecipient
from tests.html import soup, text

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def issued(importer_account):
    """A statement already issued on the account: corrections never touch it."""
    TransactionFactory(program_account=importer_account, date=D(2026, 10, 1))
    services.transaction_balances_refresh(program_account=importer_account)
    statement = services.statement_issue(
        program_account=importer_account, issue_date=D(2026, 10, 25)
    )
    return statement, list(StatementLine.objects.values_list("pk", "amount", "description"))


def unchanged(issued):
    statement, lines = issued
    assert Statement.objects.get(pk=statement.pk).balance == statement.balance
    assert list(StatementLine.objects.values_list("pk", "amount", "description")) == lines


@pytest.mark.spec("LINK-5")
def test_staff_correct_an_invoice_with_a_new_line(
    staff_client, bam_client, importer_account, issued
):
    """LINK-5: a new line of the difference; the invoice's lines stay; the total follows;
    audited as the staff member; the business told in both languages."""
    invoice = InvoiceFactory(program_account=importer_account, status=Invoice.Status.PAID)
    first = list(invoice.lines.values_list("pk", "description", "amount"))
    url = f"/admin/finance/invoice/{invoice.pk}/correct/"
    change = staff_client.get(f"/admin/finance/invoice/{invoice.pk}/change/")
    assert url in change.content.decode()  # the admin's link
    page = staff_client.get(url)
    assert page.status_code == 200 and invoice.number in page.content.decode()
    data = {"amount": "0", "description": "", "description_fr": "", "reason": "Rate"}
    refused = staff_client.post(url, data)
    assert refused.status_code == 200 and "other than zero" in refused.content.decode()
    half = staff_client.post(url, {**data, "amount": "5", "description": "Fee"})
    assert half.status_code == 200 and "both languages" in half.content.decode()
    assert not InvoiceLine.objects.filter(invoice=invoice, position=2).exists()

    response = staff_client.post(url, {**data, "amount": "25.00", "reason": "Second container"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    line = invoice.lines.get(position=2)
    assert (line.amount, line.description, line.description_fr) == (
        Decimal("25.00"), "Correction", "Correction",
    )  # fmt: skip
    assert (
        list(invoice.lines.filter(position=1).values_list("pk", "description", "amount")) == first
    )
    assert invoice.total == Decimal("175.00") and invoice.status == Invoice.Status.OPEN
    unchanged(issued)
    entry = AuditEntry.objects.get(action="finance.invoice_corrected")
    assert entry.actor == staff_client.user and entry.business_id == importer_account.business_id
    assert entry.changes["total"] == ["150.00", "175.00"]
    assert entry.changes["reason"] == "Second container"
    notice = Notice.objects.get(type__code="ledger_corrected")
    assert NoticeRecipient.objects.filter(notice=notice, user=bam_client.user).exists()
    assert invoice.number in notice.subject_en and "invoice" in notice.subject_en
    assert "facture" in notice.subject_fr and "175,00" in notice.body_fr
    # The portal's invoice page shows the new line in the page's language.
    detail = text(soup(bam_client.get(f"/fr/finance/invoices/{invoice.pk}/")).main)
    assert "175,00" in detail and "Correction" in detail
    # Staff only.
    assert bam_client.get(url).status_code in (302, 403, 404)


@pytest.mark.spec("LINK-5", "LINK-1")
def test_staff_correct_a_payment_with_a_new_record(
    staff_client, bam_client, importer_account, issued
):
    """LINK-5: a wrong payment amount on file would lock a registering business out; staff
    add a record of the difference, the original stays, the registration's question on
    the last payment now expects the corrected amount."""
    older = Payment.objects.create(
        program_account=importer_account, date=D(2026, 9, 30), amount=Decimal("10.00"),
        reference="PAY-1",
    )  # fmt: skip
    payment = Payment.objects.create(
        program_account=importer_account, date=D(2026, 10, 30), amount=Decimal("500.00"),
        reference="PAY-2",
    )  # fmt: skip
    questions = Questions(transaction_number=None, ask_payment=True, ask_statement=False)
    assert answers_match(
        account=importer_account, questions=questions, answers={"last_payment": Decimal("500.00")}
    )
    url = f"/admin/finance/payment/{payment.pk}/correct/"
    assert url in staff_client.get(f"/admin/finance/payment/{payment.pk}/change/").content.decode()
    refused = staff_client.post(url, {"amount": "", "reason": "x"})
    assert refused.status_code == 200 and not Payment.objects.filter(corrects=payment).exists()
    response = staff_client.post(url, {"amount": "62.10", "reason": "Keyed 500.00, paid 562.10"})
    assert response.status_code == 302
    correction = Payment.objects.get(corrects=payment)
    assert (correction.reference, correction.amount) == ("PAY-2-C1", Decimal("62.10"))
    assert Payment.objects.get(pk=payment.pk).amount == Decimal("500.00")
    assert selectors.last_payment_amount(account=importer_account) == Decimal("562.10")
    assert answers_match(
        account=importer_account, questions=questions, answers={"last_payment": Decimal("562.10")}
    )
    assert not answers_match(
        account=importer_account, questions=questions, answers={"last_payment": Decimal("500.00")}
    )
    # A correction of the correction adds to the payment it corrects.
    staff_client.post(
        f"/admin/finance/payment/{correction.pk}/correct/", {"amount": "-0.10", "reason": "Cents"}
    )
    assert Payment.objects.filter(corrects=payment).count() == 2
    assert selectors.last_payment_amount(account=importer_account) == Decimal("562.00")
    assert Payment.objects.get(pk=older.pk).amount == Decimal("10.00")
    unchanged(issued)
    entry = AuditEntry.objects.filter(action="finance.payment_corrected").earliest("pk")
    assert entry.actor == staff_client.user and entry.changes["total"] == "562.10"
    notice = Notice.objects.filter(type__code="ledger_corrected").earliest("pk")
    assert NoticeRecipient.objects.filter(notice=notice, user=bam_client.user).exists()
    assert "PAY-2" in notice.subject_en and "paiement" in notice.subject_fr
    assert "562,10" in notice.body_fr and "$562.10" in notice.body_en
    assert bam_client.get(url).status_code in (302, 403, 404)
