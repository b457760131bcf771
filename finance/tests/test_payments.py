"""Make a payment (FIN-6): choosing what to pay, the processor's protocol (signed request,
signed result, signed webhook: the source of truth), applying exactly once, the receipt,
the notice, the audit entry, bill payments and wire transfers imported by operators."""

import datetime
import json
import time
import uuid
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from business.navigation import CURRENT_ACCOUNT_KEY
from business.tests.factories import BrokerAccountFactory
from carm_portal.models import AuditEntry
from delegation.models import Employment, Relationship
from delegation.tests.factories import EmploymentFactory
from finance import processor, services
from finance.models import CardPayment, Payment, PaymentLine, ProcessorEvent, Transaction
from finance.tests.factories import TransactionFactory
from notices.models import Notice
from tests.html import soup, text

pytestmark = pytest.mark.django_db
D = datetime.date
WEBHOOK = "/payments/processor/webhook"


@pytest.fixture
def account(importer_account):
    return importer_account


@pytest.fixture
def debits(account):
    made = [
        TransactionFactory(program_account=account, number="D1", date=D(2026, 9, 1), amount=Decimal("100.00")),
        TransactionFactory(program_account=account, number="D2", date=D(2026, 9, 15), amount=Decimal("250.50")),
        TransactionFactory(program_account=account, number="D3", date=D(2026, 10, 1), amount=Decimal("40.00")),
    ]  # fmt: skip
    services.transaction_balances_refresh(program_account=account)
    return made


@pytest.fixture
def bam(account):
    return EmploymentFactory(
        business=account.business, role=Employment.Role.BUSINESS_ACCOUNT_MANAGER
    ).user


def start(account, bam, *, amount="0", debit_ids=()):
    return services.card_payment_start(
        program_account=account,
        amount=Decimal(amount),
        debit_ids=list(debit_ids),
        idempotency_key=uuid.uuid4(),
        actor=bam,
    )


def webhook_body(
    card, *, kind="payment.succeeded", amount=None, currency=None, event=None, intent=None
):
    return json.dumps(
        {
            "id": event or f"evt_{uuid.uuid4().hex}",
            "type": kind,
            "created": int(time.time()),
            "data": {
                "intent": intent or str(card.intent),
                "amount": amount or f"{card.amount:.2f}",
                "currency": currency or "CAD",
                "charge": "ch_test",
            },
        }
    ).encode()


def post_webhook(client, body, *, secret=None, stamp=None):
    header = processor.webhook_signature(
        body,
        secret or settings.PAYMENT_PROCESSOR_WEBHOOK_SECRET,
        int(time.time()) if stamp is None else stamp,
    )
    return client.post(
        WEBHOOK, data=body, content_type="application/json", HTTP_PROCESSOR_SIGNATURE=header
    )


def statuses(*debits):
    return [Transaction.objects.get(pk=d.pk).status for d in debits]


# --- The webhook: the source of truth -----------------------------------------------------


@pytest.mark.spec("FIN-6")
def test_a_confirmed_payment_settles_the_chosen_debits_exactly_once(client, account, debits, bam):
    card = start(account, bam, debit_ids=[debits[0].pk, debits[2].pk])
    assert card.amount == Decimal("140.00") and card.status == "pending"
    assert statuses(*debits) == ["open", "open", "open"]  # pending: nothing applied yet

    body = webhook_body(card)
    answer = post_webhook(client, body)
    assert answer.status_code == 200, answer.content
    card.refresh_from_db()
    assert card.status == "paid" and card.charge == "ch_test"
    assert statuses(*debits) == ["paid", "open", "paid"]
    payment = card.payment
    assert payment.method == "card" and payment.amount == Decimal("140.00")
    assert sorted(PaymentLine.objects.filter(payment=payment).values_list("transaction__number", flat=True)) == ["D1", "D3"]  # fmt: skip
    credit = payment.transaction
    assert credit.amount == Decimal("-140.00") and credit.status == "paid"
    credit.refresh_from_db()
    assert credit.running_balance == Decimal("250.50")  # the ledger follows

    # The same event again: a replay, refused; nothing applied twice.
    again = post_webhook(client, body)
    assert again.status_code == 409 and again.json()["reason"] == "replay"
    # Another event for the same (paid) payment: acknowledged, changes nothing.
    other = post_webhook(client, webhook_body(card))
    assert other.status_code == 200
    assert Payment.objects.filter(program_account=account).count() == 1
    assert PaymentLine.objects.count() == 2
    assert ProcessorEvent.objects.count() == 2
    assert Notice.objects.filter(type__code="payment_received").count() == 1
    applied = AuditEntry.objects.get(action="finance.payment_applied")
    assert applied.actor == bam and applied.business == account.business
    assert AuditEntry.objects.filter(action="finance.card_payment_paid").count() == 1


@pytest.mark.spec("FIN-6")
def test_an_amount_on_account_settles_the_oldest_debits_first(client, account, debits, bam):
    card = start(account, bam, amount="150.00")
    assert post_webhook(client, webhook_body(card)).status_code == 200
    d1, d2, d3 = (Transaction.objects.get(pk=d.pk) for d in debits)
    assert (d1.status, d1.outstanding) == ("paid", Decimal("0"))
    assert (d2.status, d2.outstanding) == ("open", Decimal("200.50"))  # in part
    assert d3.outstanding == Decimal("40.00")


@pytest.mark.spec("FIN-6")
def test_a_chosen_debit_settled_meanwhile_leaves_the_money_on_the_oldest_others(
    client, account, debits, bam
):
    card = start(account, bam, debit_ids=[debits[2].pk])
    credit = TransactionFactory(program_account=account, amount=Decimal("-40.00"))
    services.credits_apply(
        program_account=account, debit_ids=[debits[2].pk], idempotency_key=uuid.uuid4(), actor=bam
    )
    assert post_webhook(client, webhook_body(card)).status_code == 200
    assert Transaction.objects.get(pk=debits[0].pk).outstanding == Decimal("60.00")
    assert Transaction.objects.get(pk=credit.pk).status == "paid"
    # D3 was settled once, by the credit; the card's 40.00 went to D1, the oldest.
    assert not PaymentLine.objects.filter(transaction=debits[2]).exists()


@pytest.mark.spec("FIN-6")
@pytest.mark.parametrize(
    "tamper, status, reason",
    [
        ("signature", 400, "signature"),
        ("old", 409, "replay"),
        ("amount", 422, "mismatch"),
        ("currency", 422, "mismatch"),
        ("intent", 404, "unknown_intent"),
        ("garbage", 400, "signature"),
    ],
)
def test_the_webhook_refuses_what_it_cannot_trust(
    client, account, debits, bam, tamper, status, reason
):
    card = start(account, bam, debit_ids=[debits[0].pk])
    body = webhook_body(
        card,
        intent=str(uuid.uuid4()) if tamper == "intent" else None,
        amount="100.01" if tamper == "amount" else None,
        currency="USD" if tamper == "currency" else None,
    )
    if tamper == "garbage":
        answer = client.post(WEBHOOK, data=b"{not json", content_type="application/json")
    else:
        answer = post_webhook(
            client,
            body,
            secret="a-forger-s-secret-of-enough-length" if tamper == "signature" else None,
            stamp=int(time.time()) - 3600 if tamper == "old" else None,
        )
    assert (answer.status_code, answer.json()["reason"]) == (status, reason)
    card.refresh_from_db()
    assert card.status == "pending" and card.payment is None
    assert statuses(*debits) == ["open", "open", "open"]
    refused = AuditEntry.objects.get(action="finance.processor_webhook_refused")
    assert refused.changes["reason"] == reason


@pytest.mark.spec("FIN-6")
def test_a_declined_card_leaves_everything_open(client, account, debits, bam):
    card = start(account, bam, debit_ids=[debits[0].pk])
    assert post_webhook(client, webhook_body(card, kind="payment.declined")).status_code == 200
    card.refresh_from_db()
    assert card.status == "declined" and card.payment is None
    assert statuses(*debits) == ["open", "open", "open"]
    # A late "succeeded" for a declined payment changes nothing.
    assert post_webhook(client, webhook_body(card)).status_code == 200
    assert statuses(*debits) == ["open", "open", "open"]
    assert not Payment.objects.exists()


@pytest.mark.spec("FIN-6")
def test_the_webhook_accepts_no_get_and_needs_no_session(client):
    assert client.get(WEBHOOK).status_code == 405


# --- Choosing what to pay -------------------------------------------------------------------


def pay_client(client_for, bam, account):
    client = client_for(bam)
    session = client.session
    session[CURRENT_ACCOUNT_KEY] = account.pk
    session.save()
    return client


@pytest.mark.spec("FIN-6")
@pytest.mark.parametrize(
    "language, typed, message",
    [
        ("en", "1000.00", "more than what the open transactions owe ($390.50)"),
        ("fr", "1000.00", "plus élevé que ce que doivent les transactions non soldées (390,50 $)"),
        ("en", "0", "greater than zero"),
        ("fr", "0", "supérieur à zéro"),
        ("en", "-5.00", "greater than zero"),
        ("en", "10.005", "at most 2 digits after the point"),
        ("fr", "10.005", "au plus 2 chiffres après le point"),
        ("en", "$10.00", "without $ or commas"),
        ("fr", "1,000.00", "sans $ ni virgule"),
        ("en", "ten", "for example 1250.00"),
    ],
)
def test_bad_amounts_are_told_next_to_the_field_and_kept(
    client_for, account, debits, bam, language, typed, message
):
    client = pay_client(client_for, bam, account)
    answer = client.post(
        f"/{language}/finance/payments/pay/", {"key": str(uuid.uuid4()), "amount": typed}
    )
    assert answer.status_code == 200
    page = soup(answer)
    assert message in text(page.select_one("#id_amount-error"))
    assert page.select_one("#id_amount")["value"] == typed  # nothing typed is lost
    assert page.select_one("#id_amount")["aria-invalid"] == "true"
    assert not CardPayment.objects.exists()


@pytest.mark.spec("FIN-6")
def test_nothing_chosen_or_both(client_for, account, debits, bam):
    client = pay_client(client_for, bam, account)
    page = soup(client.post("/en/finance/payments/pay/", {"key": str(uuid.uuid4())}))
    assert "Choose at least one transaction, or type an amount" in text(
        page.select_one("#id_debits-error")
    )
    page = soup(
        client.post(
            "/en/finance/payments/pay/",
            {"key": str(uuid.uuid4()), "debits": [debits[0].pk], "amount": "5.00"},
        )
    )
    assert "Leave the amount empty" in text(page.select_one("#id_amount-error"))
    assert page.select_one(f"input[name=debits][value='{debits[0].pk}']").has_attr("checked")


@pytest.mark.spec("FIN-6")
def test_pay_two_debits_confirm_then_go_to_the_processor_signed(client_for, account, debits, bam):
    client = pay_client(client_for, bam, account)
    page = soup(client.get("/fr/finance/payments/pay/"))
    assert text(page.find("h1")) == "Effectuer un paiement"
    key = page.select_one("input[name=key]")["value"]
    chosen = {"key": key, "debits": [debits[0].pk, debits[1].pk]}
    confirm = soup(client.post("/fr/finance/payments/pay/", chosen))
    assert text(confirm.select_one("[data-testid=total]")) == "350,50 $"
    assert [text(r.find("td")) for r in confirm.select("tbody tr")] == ["D1", "D2"]
    # The confirmation's form may lead to the processor (CSP form-action covers redirects).
    confirm_page = client.post("/fr/finance/payments/pay/", chosen)
    policy = confirm_page["Content-Security-Policy"]
    assert f"form-action 'self' {settings.PAYMENT_PROCESSOR_URL}" in policy
    answer = client.post("/fr/finance/payments/pay/", {**chosen, "confirm": "card"})
    assert answer.status_code == 302
    target = urlsplit(answer["Location"])
    assert f"{target.scheme}://{target.netloc}" == settings.PAYMENT_PROCESSOR_URL
    params = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert processor.signature_valid(params, settings.PAYMENT_PROCESSOR_REQUEST_SECRET)
    assert not processor.signature_valid({**params, "amount": "1.00"}, settings.PAYMENT_PROCESSOR_REQUEST_SECRET)  # fmt: skip
    card = CardPayment.objects.get()
    assert params["intent"] == str(card.intent) and params["amount"] == "350.50"
    assert params["lang"] == "fr" and params["currency"] == "CAD"
    assert params["notify_url"] == "http://testserver/payments/processor/webhook"
    assert params["return_url"].endswith(f"/fr/finance/payments/card/{card.pk}/return/")
    assert "number" not in params  # no card, ever
    # The same form again (back button): the same payment, not a second one.
    again = client.post("/fr/finance/payments/pay/", {**chosen, "confirm": "card"})
    assert again["Location"] == f"/fr/finance/payments/card/{card.pk}/"
    assert CardPayment.objects.count() == 1
    page = soup(client.get(again["Location"]))
    assert text(page.find("h1")) == "Paiement en attente"


@pytest.mark.spec("FIN-6")
def test_pay_the_transactions_ticked_in_the_history(client_for, account, debits, bam):
    client = pay_client(client_for, bam, account)
    history = soup(client.get("/en/finance/transactions/"))
    button = history.select_one("[data-testid=pay-selected]")
    assert button["formaction"] == "/en/finance/payments/pay/"
    page = soup(client.get("/en/finance/payments/pay/", {"selected": ["D1", "D3", "NOPE"]}))
    ticked = {i["value"] for i in page.select("input[name=debits][checked]")}
    assert ticked == {str(debits[0].pk), str(debits[2].pk)}


@pytest.mark.spec("FIN-6")
def test_the_return_is_checked_and_only_informs(client_for, account, debits, bam):
    client = pay_client(client_for, bam, account)
    card = start(account, bam, debit_ids=[debits[0].pk])
    result = {"intent": str(card.intent), "status": "succeeded", "amount": "100.00", "currency": "CAD", "ts": "1"}  # fmt: skip
    good = processor.signed(result, settings.PAYMENT_PROCESSOR_REQUEST_SECRET)
    answer = client.get(f"/en/finance/payments/card/{card.pk}/return/", good, follow=True)
    assert text(soup(answer).find("h1")) == "Payment pending"  # the webhook decides
    card.refresh_from_db()
    assert card.status == "pending"
    forged = {**good, "status": "declined"}
    page = soup(client.get(f"/en/finance/payments/card/{card.pk}/return/", forged, follow=True))
    assert "could not be verified" in text(page)
    assert AuditEntry.objects.filter(action="finance.processor_result_refused").count() == 1


@pytest.mark.spec("FIN-6")
def test_receipt_page_and_pdf_in_both_languages(client_for, client, account, debits, bam):
    card = start(account, bam, debit_ids=[debits[0].pk, debits[1].pk])
    post_webhook(client, webhook_body(card))
    viewer = pay_client(client_for, bam, account)
    page = soup(viewer.get(f"/fr/finance/payments/card/{card.pk}/"))
    assert text(page.find("h1")) == "Reçu de paiement"
    assert text(page.select_one("[data-testid=receipt-number]")) == card.reference
    assert [text(r.find("td")) for r in page.select("tbody tr")] == ["D1", "D2"]
    for language in ("en", "fr"):
        pdf = viewer.get(f"/{language}/finance/payments/card/{card.pk}/receipt.pdf")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
    pending = start(account, bam, debit_ids=[debits[2].pk])
    assert viewer.get(f"/en/finance/payments/card/{pending.pk}/receipt.pdf").status_code == 404


@pytest.mark.spec("FIN-6", "DELEG-3")
def test_a_reader_sees_but_cannot_pay(employee_client, account, debits):
    page = soup(employee_client.get("/en/finance/transactions/"))
    assert not page.select("[data-testid=pay-link]")
    assert not page.select("[data-testid=pay-selected]")
    assert not page.select("a[href$='/finance/payments/pay/']")
    area = soup(employee_client.get("/en/portal/area/payments/"))
    assert not area.select("a[href$='/finance/payments/pay/']")
    assert area.select("a[href$='/finance/payments/other-ways/']")
    assert employee_client.get("/en/finance/payments/pay/").status_code == 403


@pytest.mark.spec("FIN-6", "DELEG-3", "AU-3")
def test_a_business_management_provider_pays_for_its_client(client_for, client, account, debits):
    broker = BrokerAccountFactory(business__legal_name="Maple Leaf Customs Brokers").business
    editor = EmploymentFactory(business=broker, role=Employment.Role.BUSINESS_ACCOUNT_MANAGER).user
    Relationship.objects.create(
        provider=broker, client=account.business, kind="business", status="active"
    )
    agent = pay_client(client_for, editor, account)
    page = soup(agent.get("/en/finance/transactions/"))
    assert page.select("[data-testid=pay-link]")
    key = str(uuid.uuid4())
    answer = agent.post(
        "/en/finance/payments/pay/", {"key": key, "amount": "100.00", "confirm": "card"}
    )
    assert answer.status_code == 302
    card = CardPayment.objects.get()
    assert card.provider == broker and card.created_by == editor
    started = AuditEntry.objects.get(action="finance.card_payment_started")
    assert (started.business, started.acting_for) == (broker, account.business)
    post_webhook(client, webhook_body(card))
    applied = AuditEntry.objects.get(action="finance.payment_applied")
    assert applied.actor == editor
    assert (applied.business, applied.acting_for) == (broker, account.business)
    receipt = soup(agent.get(f"/en/finance/payments/card/{card.pk}/"))
    assert "for the client, by Maple Leaf Customs Brokers" in text(receipt)


@pytest.mark.spec("FIN-6")
def test_the_other_ways_to_pay_quote_the_program_account(employee_client, account):
    page = soup(employee_client.get("/fr/finance/payments/other-ways/"))
    assert text(page.select_one("[data-testid=pay-reference]")) == account.full_reference
    assert "Virement télégraphique" in text(page)


# --- Bill payments and wire transfers, imported -------------------------------------------


@pytest.mark.spec("FIN-6")
def test_imported_bill_payments_are_applied_the_same_way_once(tmp_path, account, debits):
    file = tmp_path / "payments.json"
    file.write_text(
        json.dumps(
            {
                "accounts": [
                    {
                        "account": account.full_reference,
                        "payments": [
                            {"reference": "BANK-77", "date": "2026-11-02", "amount": "120.00", "method": "bank"},
                            {"reference": "WIRE-9", "date": "2026-11-03", "amount": "400.00", "method": "wire"},
                        ],
                    }
                ]
            }
        )
    )  # fmt: skip
    call_command("import_transactions", str(file))
    call_command("import_transactions", str(file))  # twice: applied once
    assert Payment.objects.filter(program_account=account).count() == 2
    d1, d2, d3 = (Transaction.objects.get(pk=d.pk) for d in debits)
    assert [d1.status, d2.status, d3.status] == ["paid", "paid", "paid"]
    wire = Payment.objects.get(reference="WIRE-9")
    # 120 paid D1 and 20 of D2; the wire paid the rest of D2 (230.50) and D3 (40.00):
    # 129.50 stays as the account's credit.
    assert wire.transaction.status == "open_credit"
    assert wire.transaction.outstanding == Decimal("-129.50")
    assert Notice.objects.filter(type__code="payment_received").count() == 2


@pytest.mark.spec("FIN-6")
def test_an_imported_payment_without_a_method_is_refused(tmp_path, account, debits):
    from django.core.management.base import CommandError

    file = tmp_path / "payments.json"
    file.write_text(json.dumps({"accounts": [{"account": account.full_reference, "payments": [{"reference": "X", "date": "2026-11-02", "amount": "1.00"}]}]}))  # fmt: skip
    with pytest.raises(CommandError, match="payment X"):
        call_command("import_transactions", str(file))
    assert not Payment.objects.exists()


@pytest.mark.spec("FIN-6")
def test_staff_see_card_payments_and_their_events_read_only(
    staff_client, client, account, debits, bam
):
    card = start(account, bam, debit_ids=[debits[0].pk])
    post_webhook(client, webhook_body(card))
    for model, pk in [("cardpayment", card.pk), ("payment", card.payment_id)]:
        assert staff_client.get(f"/admin/finance/{model}/").status_code == 200, model
        page = soup(staff_client.get(f"/admin/finance/{model}/{pk}/change/"))
        assert not page.select("input[name=_save]"), model
        assert staff_client.get(f"/admin/finance/{model}/add/").status_code == 403, model
    page = text(soup(staff_client.get(f"/admin/finance/cardpayment/{card.pk}/change/")))
    assert "payment.succeeded" in page


@pytest.mark.spec("FIN-6", "SEC-5")
def test_hostile_signatures_are_refused_not_a_500(client_for, client, account, debits, bam):
    viewer = pay_client(client_for, bam, account)
    card = start(account, bam, debit_ids=[debits[0].pk])
    answer = viewer.get(
        f"/en/finance/payments/card/{card.pk}/return/",
        {"intent": str(card.intent), "status": "succeeded", "signature": "é\u2028ü"},
    )
    assert answer.status_code == 302
    for header in ("t=1,v1=é", "t=١٢,v1=00", "v1", "", "t=" + "9" * 400):
        refused = client.post(
            WEBHOOK,
            data=webhook_body(card),
            content_type="application/json",
            HTTP_PROCESSOR_SIGNATURE=header,
        )
        assert refused.status_code in (400, 409), header
    for body in (b"\xff\xfe", b"[]", b'{"id": 1, "type": "payment.succeeded", "data": 3}'):
        assert post_webhook(client, body).status_code == 400, body
    card.refresh_from_db()
    assert card.status == "pending"


@pytest.mark.spec("FIN-6")
def test_the_pay_page_costs_the_same_queries_for_3_or_150_open_debits(
    client_for, account, debits, bam, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = pay_client(client_for, bam, account)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/en/finance/payments/pay/").status_code == 200
    for n in range(150):
        TransactionFactory(program_account=account, amount=Decimal("1.00"), number=f"X{n:05d}")
    with django_assert_max_num_queries(len(few)):
        page = soup(client.get("/en/finance/payments/pay/"))
    assert len(page.select("input[name=debits]")) == 100  # the 100 due soonest
    assert page.select_one("#more-debits")
