# ruff: noqa: E501  (one row per line keeps the table readable)
"""Permission-matrix rows of the finance pages (STYLE 4; DELEG-3, FIN-1 … FIN-5).

Columns, in order (see delegation/tests/matrix_world.py):
anonymous, unlinked, bam, pam, editor, reader, removed, biz_bam, biz_assigned, biz_group,
biz_reader, biz_unassigned, prog_assigned, ended.

Pages without a target act on the current program account: the client's account A for
whoever may open it; one's own broker account for ``biz_unassigned`` and ``ended`` (as an
Editor there). DELEG-3: pre-authorized debit is restricted for every service provider
(403 for all of them, whatever the relationship); financial security is for business
management only (403 for program management). FIN-6: paying needs EDIT_TRANSACTIONS, like
applying credits (a Reader, the client's or the provider's, sees but cannot pay; business
and program management may pay for their client); the receipts read like statements.
management only (403 for program management); collections and payment arrangements
(FIN-7, FIN-8) are restricted for every service provider.
"""

import datetime
import uuid
from decimal import Decimal

from delegation.tests.matrix_world import Route, expect


def _statement(account):
    from finance.models import Statement

    return Statement.objects.create(
        program_account=account,
        date=datetime.date(2026, 10, 25),
        period_start=datetime.date(2026, 9, 18),
        period_end=datetime.date(2026, 10, 17),
        balance=Decimal("10.00"),
    )


def _invoice(account):
    from finance.tests.factories import InvoiceFactory

    return InvoiceFactory(program_account=account)


def _application(w):
    from finance.models import CreditApplication

    return CreditApplication.objects.create(
        program_account=w.account_a,
        idempotency_key=uuid.uuid4(),
        applied_by=w.users["bam"],
        total=Decimal("1.00"),
    )


def _with_pad(w):
    from finance import services

    services.pad_create(
        program_account=w.account_a,
        institution="001",
        transit="12345",
        account="1234567",
        holder_name="Client Importer Inc.",
        withdrawal_day=5,
        actor=w.users["bam"],
    )
    return {}


def _pad_form(w):
    return {
        "institution": "002",
        "transit": "54321",
        "account": "7654321",
        "holder_name": "Client Importer Inc.",
        "withdrawal_day": "10",
        "terms": "on",
        "certification": "on",
    }


def _card_payment(w, status="pending"):
    from django.utils import timezone

    from finance.models import CardPayment

    card = CardPayment.objects.create(
        program_account=w.account_a,
        idempotency_key=uuid.uuid4(),
        amount=Decimal("10.00"),
        created_by=w.users["bam"],
        status=status,
        answered_at=timezone.now() if status != "pending" else None,
    )
    return {"pk": card.pk}


def _card_payment_paid(w):
    return _card_payment(w, status="paid")


def _payment_form(w):
    return {"key": str(uuid.uuid4()), "amount": "0"}  # refused: the form again, with its error


# Objects on the client's account A / B.
def _statement_a(w):
    return {"pk": _statement(w.account_a).pk}


def _statement_b(w):
    return {"pk": _statement(w.account_b).pk}


def _invoice_a(w):
    return {"pk": _invoice(w.account_a).pk}


def _invoice_b(w):
    return {"pk": _invoice(w.account_b).pk}


# Whoever may read account A's money; B is out of the PAM's and program management's reach.
READ_A = expect(302, 404, 200, 200, 200, 200, 404, 200, 200, 200, 200, 404, 200, 404)
READ_B = expect(
    302, 404, 200, 404, 200, 200, 404, 200, 200, 200, 200, 404, 404, 404, account_a_only=404
)
# FIN-1, FIN-2 on the current account (biz_unassigned and ended: their own account).
VIEW = expect(302, 404, 200, 200, 200, 200, 404, 200, 200, 200, 200, 200, 200, 200)
# FIN-3: Editors and up; readers (the client's or the broker's) only read.
EDIT = expect(302, 404, 200, 200, 200, 403, 404, 200, 200, 200, 403, 200, 200, 200)
# FIN-4: the business's own managers only; never a service provider.
PAD = expect(302, 404, 200, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403)
PAD_POST = expect(302, 404, 302, 302, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403)
# Financial security: managers and business management; program management not.
SECURITY = expect(302, 404, 200, 200, 403, 403, 404, 200, 200, 200, 200, 403, 403, 403)
# FIN-6: back from the processor, every reader of account A goes to the payment's page.
RETURN_A = expect(302, 404, 302, 302, 302, 302, 404, 302, 302, 302, 302, 404, 302, 404)
SECURITY_CHANGE = expect(302, 404, 200, 200, 403, 403, 404, 200, 200, 200, 403, 403, 403, 403)
# FIN-7, FIN-8: every employee of the business sees collections and arrangements (the
# broker's own account for biz_unassigned and ended); never a service provider (DELEG-3).
COLLECTIONS = expect(302, 404, 200, 200, 200, 200, 404, 403, 403, 403, 403, 200, 403, 200)
# Proposing an arrangement: the business's own managers only.
PROPOSE = expect(302, 404, 200, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403)

# fmt: off
ROUTES = [
    Route("finance:transactions", "GET", VIEW),
    Route("finance:transactions_csv", "GET", VIEW),
    Route("finance:statements", "GET", VIEW),
    Route("finance:statement", "GET", READ_A, args=_statement_a, label="account A"),
    Route("finance:statement", "GET", READ_B, args=_statement_b, label="account B"),
    Route("finance:statement_pdf", "GET", READ_A, args=_statement_a),
    Route("finance:statement_csv", "GET", READ_A, args=_statement_a),
    Route("finance:invoices", "GET", VIEW),
    Route("finance:invoice", "GET", READ_A, args=_invoice_a, label="account A"),
    Route("finance:invoice", "GET", READ_B, args=_invoice_b, label="account B"),
    Route("finance:invoice_pdf", "GET", READ_A, args=_invoice_a),
    Route("finance:apply_credits", "GET", EDIT),
    Route("finance:apply_credits", "POST", EDIT, label="nothing chosen"),
    Route("finance:apply_credits_done", "GET", READ_A, args=lambda w: {"pk": _application(w).pk}),
    Route("finance:pay", "GET", EDIT),
    Route("finance:pay", "POST", EDIT, data=_payment_form, label="zero amount"),
    Route("finance:pay_other", "GET", VIEW),
    Route("finance:card_payment", "GET", READ_A, args=_card_payment),
    Route("finance:card_payment_pdf", "GET", READ_A, args=_card_payment_paid),
    Route("finance:card_payment_return", "GET", RETURN_A, args=_card_payment),
    Route("finance:pad", "GET", PAD),
    Route("finance:pad", "GET", PAD, args=_with_pad, label="with an agreement"),
    Route("finance:pad_create", "GET", PAD),
    Route("finance:pad_create", "POST", PAD_POST, data=_pad_form),
    Route("finance:pad_change", "GET", PAD, args=_with_pad),
    Route("finance:pad_change", "POST", PAD_POST, args=_with_pad, data=_pad_form),
    Route("finance:pad_cancel", "GET", PAD, args=_with_pad),
    Route("finance:pad_cancel", "POST", PAD_POST, args=_with_pad),
    Route("finance:arrangements", "GET", COLLECTIONS),
    Route("finance:arrangement_propose", "GET", PROPOSE),
    Route("finance:arrangement_propose", "POST", PROPOSE, label="empty form"),
    Route("finance:collections", "GET", COLLECTIONS),
    Route("finance:security", "GET", SECURITY),
    Route("finance:security_change", "GET", SECURITY_CHANGE),
    Route("finance:security_change", "POST", SECURITY_CHANGE, label="empty form"),
]
# fmt: on
