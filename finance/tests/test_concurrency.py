"""Two people apply credits at the same moment (FIN-3): two real transactions on two
connections to PostgreSQL, both waiting on the same lock, released together. Exactly
one settles; the other is told clearly and nothing is spent twice."""

import datetime
import threading
import time
import uuid
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from accounts.tests.factories import UserFactory
from business.models import ProgramAccount
from business.tests.factories import ProgramAccountFactory
from finance import services
from finance.models import CreditApplication, Transaction
from finance.tests.factories import TransactionFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # Statistics views are read once per transaction unless the snapshot is cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def race(account, debit_sets: list[list[int]]) -> list:
    """Start one thread per debit set; each applies credits in its own transaction.
    The account's row is held locked here until every thread is waiting on it."""
    people = [UserFactory() for _ in debit_sets]
    results: list = [None] * len(debit_sets)

    def worker(index: int) -> None:
        try:
            results[index] = services.credits_apply(
                program_account=account,
                debit_ids=debit_sets[index],
                idempotency_key=uuid.uuid4(),
                actor=people[index],
            )
        except services.CreditApplicationError as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(debit_sets))]
    with transaction.atomic():
        ProgramAccount.objects.select_for_update().get(pk=account.pk)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while _waiting_on_locks() < len(threads):
            assert time.monotonic() < deadline, "the threads never reached the lock"
            time.sleep(0.02)
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.spec("FIN-3")
def test_two_people_settle_the_same_debit_at_the_same_moment():
    account = ProgramAccountFactory()
    debit = TransactionFactory(program_account=account, amount=Decimal("100.00"))
    credit = TransactionFactory(
        program_account=account, amount=Decimal("-500.00"), date=datetime.date(2026, 9, 1)
    )
    results = race(account, [[debit.pk], [debit.pk]])
    won = [r for r in results if isinstance(r, CreditApplication)]
    lost = [r for r in results if isinstance(r, services.CreditApplicationError)]
    assert len(won) == 1 and len(lost) == 1
    assert "settled in the meantime" in str(lost[0])
    credit.refresh_from_db()
    assert credit.outstanding == Decimal("-400.00")  # spent once
    assert CreditApplication.objects.count() == 1


@pytest.mark.spec("FIN-3")
def test_two_people_spend_a_credit_that_covers_only_one_of_them():
    account = ProgramAccountFactory()
    first = TransactionFactory(program_account=account, amount=Decimal("70.00"))
    second = TransactionFactory(program_account=account, amount=Decimal("60.00"))
    credit = TransactionFactory(
        program_account=account, amount=Decimal("-100.00"), date=datetime.date(2026, 9, 1)
    )
    results = race(account, [[first.pk], [second.pk]])
    won = [r for r in results if isinstance(r, CreditApplication)]
    lost = [r for r in results if isinstance(r, services.CreditApplicationError)]
    assert len(won) == 1 and len(lost) == 1
    assert "does not cover the full amount" in str(lost[0])
    credit.refresh_from_db()
    assert credit.outstanding in (Decimal("-30.00"), Decimal("-40.00"))
    statuses = sorted(
        Transaction.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    )
    assert statuses == ["open", "paid"]


@pytest.mark.spec("FIN-6", "FIN-3")
@pytest.mark.parametrize("round_", range(3))
def test_a_card_payment_racing_an_application_of_credits_settles_the_debit_once(round_):
    """The processor's webhook and a person applying credits, on the same debit, at the
    same moment, in two real transactions: the debit is settled once; the other's money
    is not lost (the credit stays available, or the payment stays as a credit)."""
    from finance.models import CardPayment, CreditApplicationLine, PaymentLine
    from finance.processor import WebhookEvent

    account = ProgramAccountFactory()
    debit = TransactionFactory(program_account=account, amount=Decimal("100.00"))
    other = TransactionFactory(
        program_account=account, amount=Decimal("30.00"), date=datetime.date(2026, 10, 5)
    )
    credit = TransactionFactory(
        program_account=account, amount=Decimal("-500.00"), date=datetime.date(2026, 9, 1)
    )
    payer, person = UserFactory(), UserFactory()
    card = services.card_payment_start(
        program_account=account,
        amount=Decimal("0"),
        debit_ids=[debit.pk],
        idempotency_key=uuid.uuid4(),
        actor=payer,
    )
    results: dict = {}

    def pay() -> None:
        try:
            results["card"] = services.card_payment_webhook(
                event=WebhookEvent(
                    event_id=f"evt-{uuid.uuid4()}",
                    kind="payment.succeeded",
                    intent=str(card.intent),
                    amount=Decimal("100.00"),
                    currency="CAD",
                    charge="ch_race",
                )
            )
        finally:
            connections.close_all()

    def apply() -> None:
        try:
            results["credits"] = services.credits_apply(
                program_account=account,
                debit_ids=[debit.pk],
                idempotency_key=uuid.uuid4(),
                actor=person,
            )
        except services.CreditApplicationError as error:
            results["credits"] = error
        finally:
            connections.close_all()

    # The second thread starts first on odd rounds: whichever order the lock serves.
    order = [pay, apply] if round_ % 2 == 0 else [apply, pay]
    threads = [threading.Thread(target=target) for target in order]
    with transaction.atomic():
        ProgramAccount.objects.select_for_update().get(pk=account.pk)
        for thread in threads:
            thread.start()
            time.sleep(0.05)
        deadline = time.monotonic() + 20
        while _waiting_on_locks() < len(threads):
            assert time.monotonic() < deadline, "the threads never reached the lock"
            time.sleep(0.02)
    for thread in threads:
        thread.join(30)

    debit.refresh_from_db()
    assert debit.status == "paid" and debit.settled_amount == Decimal("100.00")
    by_card = sum(PaymentLine.objects.filter(transaction=debit).values_list("amount", flat=True))
    by_credit = sum(
        CreditApplicationLine.objects.filter(transaction=debit).values_list("amount", flat=True)
    )
    assert by_card + by_credit == Decimal("100.00")  # settled once, by one of them
    card = CardPayment.objects.get(pk=card.pk)
    assert card.status == "paid"  # the money was taken: it is on the ledger either way
    credit.refresh_from_db()
    other.refresh_from_db()
    if by_card:
        assert isinstance(results["credits"], services.CreditApplicationError)
        assert credit.outstanding == Decimal("-500.00") and other.status == "open"
    else:
        # The credit settled the debit first; the card's 100.00 went to the next open
        # debit (30.00) and the rest (70.00) is the account's credit.
        assert credit.outstanding == Decimal("-400.00")
        assert other.status == "paid"
        assert card.payment.transaction.outstanding == Decimal("-70.00")
