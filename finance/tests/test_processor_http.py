"""The card payment protocol over real HTTP (FIN-6): the portal (Django's live server) and
the TEST payment processor (its own process, tests/processor/server.py, which signs and
checks with its own code), talking as they would in production: the hosted page, the
signed result, the webhook, its replay, the delayed confirmation."""

import datetime
import uuid
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from bs4 import BeautifulSoup
from django.urls import reverse

from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from finance import processor, services
from finance.models import CardPayment, Payment, Transaction
from finance.tests.factories import TransactionFactory
from tests.processor.harness import DECLINED, DELAYED, SUCCEEDS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def debits(importer_account):
    return [
        TransactionFactory(program_account=importer_account, amount=Decimal("100.00"), date=datetime.date(2026, 9, 1)),
        TransactionFactory(program_account=importer_account, amount=Decimal("25.25"), date=datetime.date(2026, 9, 2)),
    ]  # fmt: skip


def hosted_page(live_server, account, debits, lang="en"):
    bam = EmploymentFactory(
        business=account.business, role=Employment.Role.BUSINESS_ACCOUNT_MANAGER
    ).user
    card = services.card_payment_start(
        program_account=account,
        amount=Decimal("0"),
        debit_ids=[d.pk for d in debits],
        idempotency_key=uuid.uuid4(),
        actor=bam,
    )
    url = processor.hosted_page_url(
        intent=str(card.intent),
        amount=card.amount,
        currency=card.currency,
        return_url=live_server.url + reverse("finance:card_payment_return", args=[card.pk]),
        notify_url=live_server.url + reverse("processor:webhook"),
        lang=lang,
    )
    return card, url


def pay(url: str, number: str, action: str = "pay") -> requests.Response:
    """The person at the hosted page: it opens, they type a card, they submit."""
    session = requests.Session()
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.text
    form = BeautifulSoup(page.text, "html.parser").find("form")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    data.update({"number": number, "action": action})
    answer = session.post(
        urlsplit(url)._replace(path="/pay", query="").geturl(),
        data=data,
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 303, answer.text
    return answer


def result_of(answer) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


@pytest.mark.spec("FIN-6")
def test_a_good_card_is_confirmed_by_the_webhook_and_a_replay_is_refused(
    payment_processor, live_server, importer_account, debits
):
    card, url = hosted_page(live_server, importer_account, debits)
    page = requests.get(url, timeout=10).text
    assert "TEST payment processor" in page and "Pay 125.25 CAD" in page
    answer = pay(url, SUCCEEDS)
    result = result_of(answer)
    assert result["status"] == "succeeded"
    processor.verify_result(result)  # its signature checks with the portal's code
    card.refresh_from_db()
    assert card.status == "paid"  # the webhook arrived before the person came back
    assert [t.status for t in Transaction.objects.filter(pk__in=[d.pk for d in debits])] == ["paid", "paid"]  # fmt: skip
    [event] = payment_processor.events()[-1:]
    assert event["status"] == 200 and event["event"]["data"]["intent"] == str(card.intent)
    replayed = payment_processor.replay()
    assert replayed["status"] == 409  # the same signed event again: refused
    assert Payment.objects.filter(program_account=importer_account).count() == 1


@pytest.mark.spec("FIN-6")
def test_a_declined_card_leaves_the_debits_open(
    payment_processor, live_server, importer_account, debits
):
    card, url = hosted_page(live_server, importer_account, debits, lang="fr")
    assert (
        "Processeur de paiement d'essai"
        in BeautifulSoup(requests.get(url, timeout=10).text, "html.parser").h1.text
    )
    assert result_of(pay(url, DECLINED))["status"] == "declined"
    card.refresh_from_db()
    assert card.status == "declined"
    assert set(Transaction.objects.filter(pk__in=[d.pk for d in debits]).values_list("status", flat=True)) == {"open"}  # fmt: skip
    assert not Payment.objects.exists()


@pytest.mark.spec("FIN-6")
def test_a_delayed_confirmation_keeps_the_payment_pending_until_the_webhook(
    payment_processor, live_server, importer_account, debits
):
    before = len(payment_processor.events())
    card, url = hosted_page(live_server, importer_account, debits)
    assert result_of(pay(url, DELAYED))["status"] == "processing"
    card.refresh_from_db()
    assert card.status == "pending"  # the person is back; the processor has not confirmed
    assert not Payment.objects.exists()
    events = payment_processor.wait_for_events(before + 1)
    assert events[-1]["status"] == 200
    card.refresh_from_db()
    assert card.status == "paid" and card.payment.amount == Decimal("125.25")


@pytest.mark.spec("FIN-6")
def test_the_processor_refuses_a_tampered_request(
    payment_processor, live_server, importer_account, debits
):
    card, url = hosted_page(live_server, importer_account, debits)
    tampered = url.replace("amount=125.25", "amount=1.00")
    assert tampered != url
    assert requests.get(tampered, timeout=10).status_code == 400
    cancelled = pay(url, "", action="cancel")
    assert result_of(cancelled)["status"] == "cancelled"
    assert CardPayment.objects.get(pk=card.pk).status == "cancelled"
