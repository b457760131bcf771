"""The finance services against PostgreSQL: ledger balances, statements, credits, PAD
encryption, financial security, imports (FIN-1 … FIN-5)."""

import datetime
import json
import uuid
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from accounts.tests.factories import UserFactory
from carm_portal.models import AuditEntry
from finance import crypto, services
from finance.models import (
    CreditApplication,
    PadAgreement,
    Statement,
    StatementLine,
    Transaction,
)
from finance.selectors import (
    balances,
    security_coverage,
    security_requirement,
    security_summary,
)
from finance.tests.factories import SecurityFactory, TransactionFactory
from notices.models import Notice

pytestmark = pytest.mark.django_db
D = datetime.date


def ledger(account, *rows):
    """rows: (date, amount[, status]) → transactions, balances refreshed."""
    made = []
    for row in rows:
        day, amount = row[0], Decimal(row[1])
        extra = {"status": row[2]} if len(row) > 2 else {}
        made.append(TransactionFactory(program_account=account, date=day, amount=amount, **extra))
    services.transaction_balances_refresh(program_account=account)
    for t in made:
        t.refresh_from_db()
    return made


# --- FIN-1: the ledger ------------------------------------------------------------------


@pytest.mark.spec("FIN-1")
def test_running_balance_follows_date_then_number(importer_account):
    a, b, c = ledger(
        importer_account,
        (D(2026, 10, 2), "100.00"),
        (D(2026, 10, 1), "50.00"),
        (D(2026, 10, 3), "-30.00"),
    )
    assert (b.running_balance, a.running_balance, c.running_balance) == (
        Decimal("50.00"),
        Decimal("150.00"),
        Decimal("120.00"),
    )
    # A transaction dated earlier, added later, moves every balance after it.
    (d,) = ledger(importer_account, (D(2026, 9, 30), "5.00"))
    services.transaction_balances_refresh(program_account=importer_account, since=d.date)
    c.refresh_from_db()
    assert d.running_balance == Decimal("5.00")
    assert c.running_balance == Decimal("125.00")


@pytest.mark.spec("FIN-1")
def test_balances_count_only_what_is_open(importer_account):
    ledger(
        importer_account,
        (D(2026, 10, 1), "100.00", "paid"),
        (D(2026, 10, 2), "40.00"),
        (D(2026, 10, 3), "-25.00"),
    )
    result = balances(account=importer_account)
    assert result.open_debits == Decimal("40.00")
    assert result.open_credits == Decimal("-25.00")
    assert result.open_balance == Decimal("15.00")
    assert result.account_balance == Decimal("115.00")


# --- FIN-2, FIN-5: statements -------------------------------------------------------------


@pytest.mark.spec("FIN-2", "FIN-5")
def test_statement_lists_every_transaction_behind_its_balance(importer_account, employee_client):
    ledger(
        importer_account,
        (D(2026, 10, 17), "10.00"),  # previous period, never on a statement: on this one
        (D(2026, 10, 18), "100.00"),
        (D(2026, 11, 17), "-30.00"),
        (D(2026, 11, 18), "999.00"),  # next period
    )
    statement = services.statement_issue(
        program_account=importer_account, issue_date=D(2026, 11, 25)
    )
    assert (statement.period_start, statement.period_end) == (D(2026, 10, 18), D(2026, 11, 17))
    assert statement.due_date == D(2026, 12, 1)
    assert statement.opening_balance == Decimal("0.00")
    assert statement.balance == Decimal("80.00")
    assert [line.amount for line in statement.lines.order_by("date")] == [
        Decimal("10.00"),
        Decimal("100.00"),
        Decimal("-30.00"),
    ]
    notice = Notice.objects.get(type__code="statement_available")
    assert notice.program_account == importer_account
    assert "2026-12-01" in notice.body_en
    assert AuditEntry.objects.filter(action="finance.statement_issued").count() == 1
    # Issuing again returns the same statement, sends nothing more.
    again = services.statement_issue(program_account=importer_account, issue_date=D(2026, 11, 25))
    assert again.pk == statement.pk
    assert Notice.objects.filter(type__code="statement_available").count() == 1


@pytest.mark.spec("FIN-2", "FIN-5")
def test_late_correction_appears_on_the_next_statement(importer_account):
    ledger(importer_account, (D(2026, 11, 1), "100.00"))
    first = services.statement_issue(program_account=importer_account, issue_date=D(2026, 11, 25))
    # A correction dated in the issued period arrives after the statement.
    ledger(importer_account, (D(2026, 11, 2), "-20.00"), (D(2026, 12, 1), "5.00"))
    second = services.statement_issue(program_account=importer_account, issue_date=D(2026, 12, 25))
    first.refresh_from_db()
    assert first.balance == Decimal("100.00")
    assert first.lines.count() == 1
    assert second.opening_balance == Decimal("100.00")
    assert sorted(line.amount for line in second.lines.all()) == [
        Decimal("-20.00"),
        Decimal("5.00"),
    ]
    assert second.balance == Decimal("85.00")
    assert second.due_date == D(2027, 1, 5)


@pytest.mark.spec("FIN-2", "FIN-5")
def test_statement_after_a_statement_loaded_from_reference_data(importer_account):
    Statement.objects.create(
        program_account=importer_account,
        date=D(2026, 10, 25),
        period_start=D(2026, 9, 18),
        period_end=D(2026, 10, 17),
        balance=Decimal("500.00"),
    )
    ledger(importer_account, (D(2026, 10, 1), "500.00"), (D(2026, 10, 20), "7.00"))
    statement = services.statement_issue(
        program_account=importer_account, issue_date=D(2026, 11, 25)
    )
    assert statement.opening_balance == Decimal("500.00")
    assert [line.amount for line in statement.lines.all()] == [Decimal("7.00")]
    assert statement.balance == Decimal("507.00")


@pytest.mark.spec("FIN-2")
def test_an_issued_statement_never_changes(importer_account):
    ledger(importer_account, (D(2026, 11, 1), "100.00"))
    statement = services.statement_issue(
        program_account=importer_account, issue_date=D(2026, 11, 25)
    )
    for attempt in (
        lambda: Statement.objects.filter(pk=statement.pk).update(balance=Decimal("1.00")),
        lambda: StatementLine.objects.filter(statement=statement).update(amount=Decimal("1.00")),
        lambda: StatementLine.objects.filter(statement=statement).delete(),
    ):
        with pytest.raises(IntegrityError, match="cannot be"), transaction.atomic():
            attempt()
    # Saving it unchanged (reloading reference data) is allowed.
    Statement.objects.filter(pk=statement.pk).update(balance=statement.balance)


@pytest.mark.spec("FIN-5")
def test_no_statement_for_an_account_without_money(importer_account):
    assert (
        services.statement_issue(program_account=importer_account, issue_date=D(2026, 11, 25))
        is None
    )
    assert services.statement_accounts_due(issue_date=D(2026, 11, 25)) == []


# --- FIN-3: apply credits -------------------------------------------------------------------


@pytest.fixture
def person(db):
    return UserFactory()


@pytest.mark.spec("FIN-3")
def test_credits_settle_debits_in_full_oldest_credit_first(importer_account, person):
    debit_a, debit_b, old_credit, new_credit = ledger(
        importer_account,
        (D(2026, 10, 1), "60.00"),
        (D(2026, 10, 2), "30.00"),
        (D(2026, 9, 1), "-50.00"),
        (D(2026, 9, 15), "-100.00"),
    )
    application = services.credits_apply(
        program_account=importer_account,
        debit_ids=[debit_a.pk, debit_b.pk],
        idempotency_key=uuid.uuid4(),
        actor=person,
    )
    assert application.total == Decimal("90.00")
    for t in (debit_a, debit_b, old_credit, new_credit):
        t.refresh_from_db()
    assert debit_a.status == debit_b.status == Transaction.Status.PAID
    assert old_credit.status == Transaction.Status.PAID  # used up first
    assert new_credit.status == Transaction.Status.OPEN_CREDIT
    assert new_credit.outstanding == Decimal("-60.00")
    assert balances(account=importer_account).open_balance == Decimal("-60.00")
    # The ledger's balances do not move: credits moved, nothing was paid in or out.
    assert new_credit.running_balance == Decimal("-150.00")
    entry = AuditEntry.objects.get(action="finance.credits_applied")
    assert entry.actor == person
    assert entry.changes["total"] == "90.00"


@pytest.mark.spec("FIN-3")
def test_a_partial_amount_is_refused_and_nothing_changes(importer_account, person):
    debit, credit = ledger(importer_account, (D(2026, 10, 1), "100.00"), (D(2026, 9, 1), "-99.99"))
    with pytest.raises(services.CreditApplicationError, match="full amount"):
        services.credits_apply(
            program_account=importer_account,
            debit_ids=[debit.pk],
            idempotency_key=uuid.uuid4(),
            actor=person,
        )
    debit.refresh_from_db()
    credit.refresh_from_db()
    assert (debit.status, credit.status) == ("open", "open_credit")
    assert credit.settled_amount == 0
    assert not CreditApplication.objects.exists()


@pytest.mark.spec("FIN-3")
def test_the_same_key_settles_once(importer_account, person):
    debit, _credit = ledger(importer_account, (D(2026, 10, 1), "10.00"), (D(2026, 9, 1), "-50.00"))
    key = uuid.uuid4()
    first = services.credits_apply(
        program_account=importer_account, debit_ids=[debit.pk], idempotency_key=key, actor=person
    )
    second = services.credits_apply(
        program_account=importer_account, debit_ids=[debit.pk], idempotency_key=key, actor=person
    )
    assert first.pk == second.pk
    assert balances(account=importer_account).open_credits == Decimal("-40.00")


@pytest.mark.spec("FIN-3")
def test_settled_foreign_or_credit_items_are_refused(importer_account, person):
    other = TransactionFactory(amount=Decimal("5.00"))
    paid, credit = ledger(
        importer_account, (D(2026, 10, 1), "10.00", "paid"), (D(2026, 9, 1), "-50.00")
    )
    for ids, message in (
        ([paid.pk], "settled in the meantime"),
        ([other.pk], "cannot be settled"),
        ([credit.pk], "cannot be settled"),
        ([], "at least one"),
    ):
        with pytest.raises(services.CreditApplicationError, match=message):
            services.credits_apply(
                program_account=importer_account,
                debit_ids=ids,
                idempotency_key=uuid.uuid4(),
                actor=person,
            )


# --- FIN-4: pre-authorized debit ------------------------------------------------------------


def pad(account, person, **overrides):
    values = {
        "institution": "001",
        "transit": "12345",
        "account": "987654321",
        "holder_name": "ImporterCompany3084 Inc.",
        "withdrawal_day": 15,
    }
    return services.pad_create(program_account=account, actor=person, **{**values, **overrides})


@pytest.mark.spec("FIN-4")
def test_bank_details_are_encrypted_at_rest(importer_account, person):
    agreement = pad(importer_account, person)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bank_details, account_suffix FROM finance_padagreement WHERE id = %s",
            [agreement.pk],
        )
        stored, suffix = cursor.fetchone()
    assert "987654321" not in stored and "12345" not in stored
    assert stored.startswith("gAAAAA")  # a Fernet token
    assert suffix == "321"
    assert agreement.masked_account_number == "••••321"
    assert crypto.decrypt_bank_details(stored) == {
        "institution": "001",
        "transit": "12345",
        "account": "987654321",
    }
    entry = AuditEntry.objects.get(action="finance.pad_created")
    assert "987654321" not in json.dumps(entry.changes)


@pytest.mark.spec("FIN-4")
def test_keys_rotate_and_a_missing_key_is_refused(importer_account, person, settings):
    agreement = pad(importer_account, person)
    old_key = settings.PAD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.PAD_ENCRYPTION_KEYS = [new_key, old_key]
    assert services.pad_keys_rotate() == 1
    settings.PAD_ENCRYPTION_KEYS = [new_key]
    agreement.refresh_from_db()
    assert crypto.decrypt_bank_details(agreement.bank_details)["account"] == "987654321"
    settings.PAD_ENCRYPTION_KEYS = [old_key]
    with pytest.raises(ImproperlyConfigured):
        crypto.decrypt_bank_details(agreement.bank_details)
    settings.PAD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="not set"):
        crypto.encrypt_bank_details(institution="001", transit="12345", account="1234567")


@pytest.mark.spec("FIN-4")
def test_pad_change_and_cancel(importer_account, person):
    agreement = pad(importer_account, person)
    services.pad_change(
        agreement=agreement,
        institution="002",
        transit="54321",
        account="1234567",
        holder_name="Other",
        withdrawal_day=1,
        actor=person,
    )
    agreement.refresh_from_db()
    assert agreement.masked_account_number == "••••567"
    assert crypto.decrypt_bank_details(agreement.bank_details)["transit"] == "54321"
    changed = AuditEntry.objects.get(action="finance.pad_changed").changes
    assert set(changed["fields"]) == {
        "institution",
        "transit",
        "account",
        "holder_name",
        "withdrawal_day",
    }
    services.pad_cancel(agreement=agreement, actor=person)
    agreement.refresh_from_db()
    assert agreement.status == PadAgreement.Status.CANCELLED
    with pytest.raises(Exception, match="already cancelled"):
        services.pad_cancel(agreement=agreement, actor=person)
    # A new agreement may follow a cancelled one; two active ones never.
    pad(importer_account, person)
    with pytest.raises(Exception, match="already has an active"):
        pad(importer_account, person)


# --- Financial security ---------------------------------------------------------------------


@pytest.mark.spec("DELEG-3")
@pytest.mark.parametrize(
    ("highest", "required"),
    [
        ("0.00", "5000.00"),
        ("4999.99", "5000.00"),
        ("123456.78", "123456.78"),
        ("10000000.01", "10000000.00"),
    ],
)
def test_security_requirement_bounds(highest, required):
    assert security_requirement(Decimal(highest)) == Decimal(required)


@pytest.mark.spec("DELEG-3")
def test_security_requirement_is_the_highest_month_of_the_last_12(importer_account):
    for day, duties in [
        (D(2025, 11, 30), "90000.00"),  # 13th month back: not counted
        (D(2025, 12, 1), "6000.00"),
        (D(2025, 12, 20), "2000.00"),  # December 2025: 8,000
        (D(2026, 6, 5), "7500.00"),
        (D(2026, 11, 2), "100.00"),
    ]:
        TransactionFactory(
            program_account=importer_account,
            date=day,
            amount=Decimal(duties),
            total_duties_taxes=Decimal(duties),
        )
    SecurityFactory(program_account=importer_account, kind="bond", amount=Decimal("10000.00"))
    SecurityFactory(program_account=importer_account, kind="cash", amount=Decimal("1000.00"))
    SecurityFactory(
        program_account=importer_account,
        kind="cash",
        amount=Decimal("99999.00"),
        released_on=D(2026, 3, 1),
    )
    summary = security_summary(account=importer_account, today=D(2026, 11, 27))
    assert summary.highest_month == Decimal("8000.00")
    assert summary.highest_month_start == D(2025, 12, 1)
    assert summary.requirement == Decimal("8000.00")
    assert summary.coverage == Decimal("6000.00")  # half the bond, all the cash
    assert summary.shortfall == Decimal("2000.00")


@pytest.mark.spec("DELEG-3")
def test_security_coverage_weights():
    bond = SecurityFactory.build(kind="bond", amount=Decimal("10000.01"))
    cash = SecurityFactory.build(kind="cash", amount=Decimal("5.00"))
    assert security_coverage([bond, cash]) == Decimal("5005.01")


@pytest.mark.spec("DELEG-3")
def test_change_request_answered_once(importer_account, person):
    change = services.security_change_request_create(
        program_account=importer_account,
        kind="cash",
        amount=Decimal("8000.00"),
        reason="Higher volumes",
        actor=person,
    )
    staff = UserFactory(staff=True)
    services.security_change_request_answer(change=change, accept=True, actor=staff)
    change.refresh_from_db()
    assert (change.status, change.answered_by) == ("accepted", staff)
    with pytest.raises(Exception, match="already answered"):
        services.security_change_request_answer(change=change, accept=False, actor=staff)


# --- Operators ---------------------------------------------------------------------------


@pytest.mark.spec("FIN-1", "FIN-2")
def test_import_transactions_command_is_idempotent(importer_account, tmp_path):
    reference = importer_account.full_reference
    data = {
        "accounts": [
            {
                "account": reference,
                "transactions": [
                    {
                        "number": "55500000000001",
                        "date": "2026-11-20",
                        "description": "Commercial accounting declaration",
                        "description_fr": "Déclaration en douane commerciale",
                        "amount": "845.50",
                        "total_duties_taxes": "845.50",
                        "status": "open",
                        "due_date": "2026-12-31",
                    }
                ],
                "invoices": [
                    {
                        "number": "INV-1",
                        "date": "2026-11-05",
                        "due_date": "2026-12-05",
                        "description": "Examination",
                        "description_fr": "Examen",
                        "lines": [
                            {
                                "description": "Exam",
                                "description_fr": "Examen",
                                "quantity": "2",
                                "unit_price": "75.00",
                                "amount": "150.00",
                            }
                        ],
                    }
                ],
            }
        ]
    }
    path = tmp_path / "import.json"
    path.write_text(json.dumps(data))
    call_command("import_transactions", str(path), "--dry-run")
    assert not Transaction.objects.exists()
    call_command("import_transactions", str(path))
    call_command("import_transactions", str(path))
    t = Transaction.objects.get()
    assert t.running_balance == Decimal("845.50")
    assert importer_account.invoices.get().total == Decimal("150.00")
    data["accounts"][0]["transactions"][0]["number"] = "55500000000002"
    data["accounts"][0]["transactions"][0]["status"] = "nonsense"
    path.write_text(json.dumps(data))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="55500000000002"):
        call_command("import_transactions", str(path))
    assert Transaction.objects.count() == 1


@pytest.mark.spec("FIN-5")
def test_issue_statements_command_and_beat_task(importer_account, broker_account):
    ledger(importer_account, (D(2026, 11, 1), "100.00"))
    ledger(broker_account, (D(2026, 11, 1), "3.00"))
    call_command("issue_statements", "--date", "2026-11-25", "--dry-run")
    assert not Statement.objects.exists()
    call_command(
        "issue_statements", "--date", "2026-11-25", "--account", importer_account.full_reference
    )
    assert list(Statement.objects.values_list("program_account", flat=True)) == [
        importer_account.pk
    ]
    from finance.tasks import issue_statements

    assert issue_statements("2026-11-25") == 1  # eager: the broker's is issued now
    assert Statement.objects.count() == 2
    assert issue_statements("2026-11-25") == 0


@pytest.mark.spec("FIN-5")
def test_beat_schedule_issues_on_the_25th(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["finance-issue-statements"]
    assert entry["task"] == "finance.issue_statements"
    assert entry["schedule"].day_of_month == {25}


@pytest.mark.spec("X-1")
def test_import_refuses_a_description_without_its_french(importer_account):
    """X-1: CBSA holds its text in both official languages; a file without the French of
    a description is refused whole, and nothing is kept."""
    reference = importer_account.full_reference
    data = {
        "accounts": [
            {
                "account": reference,
                "transactions": [
                    {
                        "number": "55500000000099",
                        "date": "2026-11-01",
                        "description": "Card batch",
                        "amount": "-10.00",
                        "status": "open_credit",
                    }
                ],
            }
        ]
    }
    with pytest.raises(ValidationError, match="description_fr"):
        services.transactions_import(data=data)
    assert not Transaction.objects.filter(number="55500000000099").exists()
    data["accounts"][0]["transactions"][0]["description_fr"] = "Lot de cartes"
    services.transactions_import(data=data)
    assert Transaction.objects.get(number="55500000000099").description_fr == "Lot de cartes"
