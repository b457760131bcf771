"""Payment arrangements (FIN-7), collections and interest (FIN-8): services, the beat
tasks run twice, the admin's answers and the pages (ADR 0019)."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from carm_portal.models import AuditEntry
from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from finance import services, tasks
from finance.models import (
    CollectionNotice,
    InterestCharge,
    PaymentArrangement,
    PrescribedRate,
    Transaction,
)
from finance.selectors import arrangement_schedule, overdue_balance
from finance.tests.factories import TransactionFactory
from notices.models import Notice
from tests.html import soup, text

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def overdue(importer_account):
    """Two debits past their due date (600.00 owed) and one not yet due."""
    made = [
        TransactionFactory(program_account=importer_account, number="OD1", date=days(-60), due_date=days(-20), amount=Decimal("300.00")),
        TransactionFactory(program_account=importer_account, number="OD2", date=days(-50), due_date=days(-10), amount=Decimal("300.00")),
        TransactionFactory(program_account=importer_account, number="NOTDUE", date=days(-5), due_date=days(10), amount=Decimal("50.00")),
    ]  # fmt: skip
    services.transaction_balances_refresh(program_account=importer_account)
    return made


@pytest.fixture
def manager(importer_account):
    return EmploymentFactory(
        business=importer_account.business, role=Employment.Role.PROGRAM_ACCOUNT_MANAGER
    ).user


def _credit(account, amount: str, number: str) -> Transaction:
    credit = TransactionFactory(
        program_account=account, number=number, date=TODAY, amount=-Decimal(amount)
    )
    services.transaction_balances_refresh(program_account=account)
    return credit


def _propose(account, actor, **values):
    data = {
        "instalment_amount": Decimal("200.00"),
        "frequency": "monthly",
        "start_date": days(5),
        **values,
    }
    return services.arrangement_propose(program_account=account, actor=actor, **data)


# --- FIN-7 ------------------------------------------------------------------------------


@pytest.mark.spec("FIN-7", "FIN-5")
def test_overdue_is_past_the_due_date_or_the_statement_due_date(importer_account, overdue):
    assert overdue_balance(account=importer_account, today=TODAY) == Decimal("600.00")
    # A debit without a due date of its own takes its statement's (FIN-5).
    listed = TransactionFactory(
        program_account=importer_account, number="ONSOA", date=D(2026, 9, 20), due_date=None
    )
    services.transaction_balances_refresh(program_account=importer_account)
    statement = services.statement_issue(
        program_account=importer_account, issue_date=D(2026, 10, 25)
    )
    assert statement.due_date < TODAY
    assert overdue_balance(account=importer_account, today=TODAY) == Decimal("700.00")
    # Due on the statement's due date: overdue the day after.
    assert overdue_balance(account=importer_account, today=statement.due_date) == Decimal("0.00")
    after = statement.due_date + datetime.timedelta(days=1)
    assert overdue_balance(account=importer_account, today=after) == listed.amount


@pytest.mark.spec("FIN-7")
def test_the_instalments_add_up_to_the_overdue_balance():
    plan = services.arrangement_plan(
        total=Decimal("1000.00"),
        instalment_amount=Decimal("300.00"),
        frequency="monthly",
        start_date=D(2027, 1, 31),
    )
    assert [(n, d.isoformat(), str(a)) for n, d, a in plan] == [
        (1, "2027-01-31", "300.00"),
        (2, "2027-02-28", "300.00"),
        (3, "2027-03-31", "300.00"),
        (4, "2027-04-30", "100.00"),
    ]
    weekly = services.arrangement_plan(
        total=Decimal("100.00"), instalment_amount=Decimal("40.00"), frequency="biweekly",
        start_date=D(2027, 1, 1),
    )  # fmt: skip
    assert [d for _n, d, _a in weekly] == [D(2027, 1, 1), D(2027, 1, 15), D(2027, 1, 29)]
    assert sum(a for _n, _d, a in weekly) == Decimal("100.00")


@pytest.mark.spec("FIN-7")
def test_the_longest_arrangement_is_twelve_months(importer_account, overdue, manager, settings):
    assert settings.PAYMENT_ARRANGEMENT_MAX_MONTHS == 12
    with pytest.raises(services.ArrangementError) as refused:
        _propose(importer_account, manager, instalment_amount=Decimal("49.99"))
    assert refused.value.code == "instalment_amount"
    assert (
        "at most 12 months" in refused.value.messages[0] and "$50.00" in refused.value.messages[0]
    )
    with pytest.raises(services.ArrangementError) as refused:
        _propose(importer_account, manager, instalment_amount=Decimal("11.53"), frequency="weekly")
    assert "52 instalments" in refused.value.messages[0]
    with pytest.raises(services.ArrangementError) as refused:
        _propose(importer_account, manager, start_date=days(-1))
    assert refused.value.code == "start_date"
    with pytest.raises(services.ArrangementError):
        _propose(importer_account, manager, start_date=days(31))
    with pytest.raises(services.ArrangementError):
        _propose(importer_account, manager, instalment_amount=Decimal("600.01"))
    assert (
        _propose(importer_account, manager, instalment_amount=Decimal("50.00")).instalments.count()
        == 12
    )


@pytest.mark.spec("FIN-7")
def test_nothing_overdue_nothing_to_arrange_and_one_at_a_time(importer_account, overdue, manager):
    _propose(importer_account, manager)
    with pytest.raises(services.ArrangementError, match="already has a payment arrangement"):
        _propose(importer_account, manager)
    other = TransactionFactory(number="ALONE", due_date=days(30))
    with pytest.raises(services.ArrangementError, match="no overdue balance"):
        _propose(other.program_account, manager)


@pytest.mark.spec("FIN-7")
def test_arrangement_lifecycle(client_for, staff_client, importer_account, overdue, manager):
    """Propose (preview, then send) → approved in the admin with a notice → instalment 1
    paid when payments settle 200.00 of its debits → instalment 2 past due unpaid is
    flagged missed once, with a notice → completed once everything is paid."""
    client = client_for(manager)
    values = {
        "instalment_amount": "200.00",
        "frequency": "monthly",
        "start_date": days(1).isoformat(),
    }
    page = soup(
        client.post("/en/finance/payments/arrangements/propose/", {**values, "preview": ""})
    )
    plan = [
        [text(td) for td in tr.find_all("td")] for tr in page.select("[data-testid=plan] tbody tr")
    ]
    assert [row[2] for row in plan] == ["$200.00", "$200.00", "$200.00"]
    assert not PaymentArrangement.objects.exists()
    response = client.post("/en/finance/payments/arrangements/propose/", {**values, "propose": ""})
    assert response.status_code == 302
    arrangement = PaymentArrangement.objects.get()
    assert arrangement.total == Decimal("600.00") and arrangement.status == "proposed"
    assert {d.number for d in arrangement.debits.all()} == {"OD1", "OD2"}
    entry = AuditEntry.objects.get(action="finance.arrangement_proposed")
    assert entry.actor == manager and entry.business_id == importer_account.business_id

    # CBSA staff approve it in the admin: the change page's button, then the answer page.
    change = soup(staff_client.get(f"/admin/finance/paymentarrangement/{arrangement.pk}/change/"))
    assert [text(a) for a in change.select(".object-tools a")][:2] == ["Approve", "Refuse"]
    response = staff_client.post(
        f"/admin/finance/paymentarrangement/{arrangement.pk}/approve/", {"reason": "Agreed."}
    )
    assert response.status_code == 302
    arrangement.refresh_from_db()
    assert arrangement.status == "approved" and arrangement.answered_by == staff_client.user
    answered = AuditEntry.objects.get(action="finance.arrangement_answered")
    assert answered.actor == staff_client.user and answered.changes["status"] == "approved"
    notice = Notice.objects.get(type__code="arrangement_answered")
    assert "approved" in notice.subject_en and "approuvé" in notice.subject_fr
    assert manager.pk in notice.recipients.values_list("user_id", flat=True)

    # Instalment 1 is paid when payments applied to the arrangement's debits reach 200.00.
    rows = arrangement_schedule(arrangement, today=TODAY)
    assert [r.state for r in rows] == ["due", "due", "due"]
    _credit(importer_account, "300.00", "PAY1")
    services.credits_apply(
        program_account=importer_account,
        debit_ids=[overdue[0].pk],
        idempotency_key=uuid.uuid4(),
        actor=manager,
    )
    rows = arrangement_schedule(arrangement, today=TODAY)
    assert [(r.state, r.covered) for r in rows] == [
        ("paid", Decimal("200.00")),
        ("due", Decimal("100.00")),
        ("due", Decimal("0.00")),
    ]
    page = soup(client.get("/fr/finance/payments/arrangements/"))
    states = [
        text(tr.find_all("td")[4]) for tr in page.select("[data-testid=arrangement] tbody tr")
    ]
    assert states == ["Soldé", "À payer", "À payer"]

    # The daily task after instalment 2's due date: flagged missed, notified once.
    late = arrangement.instalments.get(number=2).due_date + datetime.timedelta(days=1)
    assert services.arrangements_check(today=late)["missed"] == 1
    assert services.arrangements_check(today=late)["missed"] == 0
    assert arrangement.instalments.get(number=2).missed_at is not None
    missed = Notice.objects.get(type__code="instalment_missed")
    assert "Instalment 2" in missed.subject_en and "$100.00" in missed.body_en
    assert AuditEntry.objects.filter(action="finance.instalment_missed").count() == 1

    # Everything paid: completed.
    _credit(importer_account, "300.00", "PAY2")
    services.credits_apply(
        program_account=importer_account,
        debit_ids=[overdue[1].pk],
        idempotency_key=uuid.uuid4(),
        actor=manager,
    )
    assert services.arrangements_check(today=late)["completed"] == 1
    arrangement.refresh_from_db()
    assert arrangement.status == "completed"


@pytest.mark.spec("FIN-7")
def test_staff_refuse_with_a_reason(staff_client, importer_account, overdue, manager):
    arrangement = _propose(importer_account, manager)
    url = f"/admin/finance/paymentarrangement/{arrangement.pk}/refuse/"
    page = soup(staff_client.post(url, {"reason": ""}))
    assert page.select(".errorlist")  # a refusal needs its reason
    assert staff_client.post(url, {"reason": "Instalments too small."}).status_code == 302
    arrangement.refresh_from_db()
    assert arrangement.status == "refused" and arrangement.reason == "Instalments too small."
    notice = Notice.objects.get(type__code="arrangement_answered")
    assert "refused" in notice.subject_en and "Instalments too small." in notice.body_fr
    # Answered once: a second answer changes nothing.
    staff_client.post(f"/admin/finance/paymentarrangement/{arrangement.pk}/approve/", {})
    arrangement.refresh_from_db()
    assert arrangement.status == "refused"
    with pytest.raises(ValidationError):
        arrangement.status = "proposed"
        arrangement.refuse(by=staff_client.user, reason=" ")


@pytest.mark.spec("FIN-7")
def test_the_form_says_what_is_wrong_and_keeps_what_was_typed(
    client_for, importer_account, overdue, manager
):
    client = client_for(manager)
    for value in ("$200", "1,000.00", "0", "-5", "10.001", "49.99"):
        page = soup(
            client.post(
                "/fr/finance/payments/arrangements/propose/",
                {
                    "instalment_amount": value,
                    "frequency": "monthly",
                    "start_date": days(1).isoformat(),
                    "preview": "",
                },
            )
        )
        assert page.select(
            "#id_instalment_amount[aria-invalid=true], .invalid-feedback, .error-message, .errorlist"
        ), value
        assert page.select_one("#id_instalment_amount")["value"] == value
    assert not PaymentArrangement.objects.exists()


@pytest.mark.spec("FIN-7", "DELEG-0")
def test_a_reader_sees_the_arrangements_but_cannot_propose(
    employee_client, importer_account, overdue
):
    page = soup(employee_client.get("/en/finance/payments/arrangements/"))
    assert text(page.select_one("[data-testid=overdue-balance]")) == "$600.00"
    assert not page.select("a[href$='/arrangements/propose/']")
    assert employee_client.get("/en/finance/payments/arrangements/propose/").status_code == 403


# --- FIN-8 ------------------------------------------------------------------------------


@pytest.mark.spec("FIN-8")
def test_collection_stages_are_sent_once_each(importer_account, manager):
    debit = TransactionFactory(
        program_account=importer_account, number="LATE", due_date=D(2026, 10, 1)
    )
    due = debit.due_date
    assert services.collection_notices_send(today=due) == {}  # due today: not overdue
    assert tasks.send_collection_notices(due.replace(day=2).isoformat()) == {"stage 1": 1}
    assert tasks.send_collection_notices(due.replace(day=2).isoformat()) == {}
    assert services.collection_notices_send(today=due + datetime.timedelta(days=29)) == {}
    assert services.collection_notices_send(today=due + datetime.timedelta(days=30)) == {
        "stage 30": 1
    }
    assert services.collection_notices_send(today=due + datetime.timedelta(days=30)) == {}
    # A debit first seen 65 days late gets only the latest stage.
    TransactionFactory(
        program_account=importer_account, number="LATER", due_date=due - datetime.timedelta(days=5)
    )
    assert services.collection_notices_send(today=due + datetime.timedelta(days=60)) == {
        "stage 60": 1
    }
    assert services.collection_notices_send(today=due + datetime.timedelta(days=61)) == {}
    sent = sorted(CollectionNotice.objects.values_list("transaction__number", "stage"))
    assert sent == [("LATE", 1), ("LATE", 30), ("LATE", 60), ("LATER", 60)]
    notices = Notice.objects.filter(type__code="collection_notice").order_by("pk")
    assert [n.subject_en for n in notices] == [
        "Reminder: overdue amount", "Second notice: overdue amount", "Final notice: overdue amount",
    ]  # fmt: skip
    assert "(LATER, LATE)" in notices[2].body_en and "2 transactions" in notices[2].body_en
    assert "en souffrance" in notices[0].subject_fr
    assert manager.pk in notices[0].recipients.values_list("user_id", flat=True)


@pytest.mark.spec("FIN-8", "FIN-7")
def test_no_collection_notice_while_an_approved_arrangement_covers_the_debit(
    importer_account, overdue, manager
):
    arrangement = _propose(importer_account, manager)
    assert services.collection_notices_send(today=TODAY) == {"stage 1": 1}  # proposed only
    CollectionNotice.objects.all().delete()
    Notice.objects.all().delete()
    PaymentArrangement.objects.filter(pk=arrangement.pk).update(status="approved")
    assert services.collection_notices_send(today=TODAY) == {}


@pytest.mark.spec("FIN-8")
def test_prescribed_rates_load_from_the_operator_file(capsys):
    call_command("load_prescribed_rates", "finance/data/prescribed-rates.csv", "--dry-run")
    assert not PrescribedRate.objects.exists()
    call_command("load_prescribed_rates", "finance/data/prescribed-rates.csv")
    rate = PrescribedRate.objects.get()
    assert rate.start_date == D(2018, 7, 1) and rate.rate == Decimal("1.1583")
    assert "TCC18-049" in rate.source
    call_command("load_prescribed_rates", "finance/data/prescribed-rates.csv")
    assert PrescribedRate.objects.count() == 1
    assert "1 updated" in capsys.readouterr().out


@pytest.mark.spec("FIN-8")
def test_interest_on_overdue_amounts_is_its_own_transaction(importer_account):
    PrescribedRate.objects.create(start_date=D(2026, 1, 1), rate=Decimal("3.0000"), source="test")
    PrescribedRate.objects.create(start_date=D(2026, 10, 1), rate=Decimal("4.0000"), source="test")
    debit = TransactionFactory(
        program_account=importer_account, number="13400000000001", date=D(2026, 9, 1),
        due_date=D(2026, 9, 16), amount=Decimal("10000.00"),
    )  # fmt: skip
    services.transaction_balances_refresh(program_account=importer_account)
    assert tasks.post_interest("2026-10-17") == {"charges": 1}
    assert tasks.post_interest("2026-10-17") == {}
    charge = InterestCharge.objects.get()
    posted = charge.transaction
    # 14 days (Sept 17–30) at 3 + 6 = 9 %, then 17 days (Oct 1–17) at 4 + 6 = 10 %, daily.
    factor = (1 + Decimal("0.09") / 365) ** 14 * (1 + Decimal("0.10") / 365) ** 17
    assert posted.amount == (Decimal("10000.00") * (factor - 1)).quantize(Decimal("0.01"))
    assert posted.amount == Decimal("81.41")
    assert posted.date == D(2026, 10, 17) and posted.status == "open"
    assert posted.description == "Interest on overdue amount 13400000000001"
    assert posted.description_fr == "Intérêts sur le montant en souffrance 13400000000001"
    assert posted.running_balance == Decimal("10081.41")
    # The next period starts the day after the last charge.
    assert services.interest_post(through=D(2026, 11, 17)) == {"charges": 1}
    second = InterestCharge.objects.get(through=D(2026, 11, 17)).transaction
    assert second.amount == (
        Decimal("10000.00") * ((1 + Decimal("0.10") / 365) ** 31 - 1)
    ).quantize(Decimal("0.01"))
    entry = AuditEntry.objects.filter(action="finance.interest_charged").first()
    assert entry.changes["charges"][0][0] == debit.number


@pytest.mark.spec("FIN-8")
def test_collections_page(
    client_for, importer_account, overdue, manager, django_assert_num_queries
):
    services.collection_notices_send(today=TODAY)
    arrangement = _propose(importer_account, manager)
    for n in range(30):
        TransactionFactory(
            program_account=importer_account, number=f"MORE{n:02d}", due_date=days(-3)
        )
    client = client_for(manager)
    client.get("/en/finance/payments/collections/")  # the session's first request settles
    with django_assert_num_queries(12):
        response = client.get("/en/finance/payments/collections/")
    page = soup(response)
    rows = [
        [text(td) for td in tr.find_all("td")]
        for tr in page.select("[data-testid=collections] tbody tr")
    ]
    assert len(rows) == 25  # a page
    assert rows[0][0] == "OD1" and rows[0][3] == "20" and rows[0][4] == "$300.00"
    assert rows[0][5].startswith("1 day (") and rows[0][6] == "Proposed"
    assert rows[2][5] == "—" and rows[2][6] == "—"
    assert text(page.select_one("[data-testid=overdue-balance]")) == "$3,600.00"
    page2 = soup(client.get("/fr/finance/payments/collections/?page=2"))
    assert len(page2.select("[data-testid=collections] tbody tr")) == 7
    assert text(page2.find("h1")) == "Recouvrements"
    assert arrangement.pk


@pytest.mark.spec("FIN-7", "FIN-8")
def test_the_beat_runs_the_daily_and_monthly_tasks(settings):
    from carm_portal.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["finance-check-arrangements"]["task"] == "finance.check_arrangements"
    assert schedule["finance-collection-notices"]["task"] == "finance.send_collection_notices"
    interest = schedule["finance-post-interest"]
    assert interest["task"] == "finance.post_interest"
    assert interest["schedule"].day_of_month == {18}
    for entry in (
        "finance-check-arrangements",
        "finance-collection-notices",
        "finance-post-interest",
    ):
        assert schedule[entry]["task"] in app.tasks
