"""Writes of the finance area (STYLE 1): every function is atomic, keyword-only and
writes one audit entry."""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from business.models import ProgramAccount
from carm_portal.audit import AuditContext, audit_record
from finance import crypto
from finance.calendar import statement_period
from finance.models import (
    ZERO,
    CardPayment,
    CreditApplication,
    CreditApplicationLine,
    FinancialSecurity,
    Invoice,
    InvoiceLine,
    PadAgreement,
    Payment,
    PaymentLine,
    PaymentMethod,
    ProcessorEvent,
    SecurityChangeRequest,
    Statement,
    Transaction,
    TransactionType,
)

# --- The ledger (FIN-1) -----------------------------------------------------------------

_REFRESH_SQL = """
UPDATE finance_transaction AS t
   SET running_balance = s.balance
  FROM (
        SELECT id,
               %s + SUM(amount) OVER (ORDER BY date, number ROWS UNBOUNDED PRECEDING) AS balance
          FROM finance_transaction
         WHERE program_account_id = %s AND date >= %s
       ) AS s
 WHERE t.id = s.id AND t.running_balance IS DISTINCT FROM s.balance
"""


def transaction_balances_refresh(
    *, program_account: ProgramAccount, since: datetime.date | None = None
) -> int:
    """Recompute the account's balance after each transaction from ``since`` on (all of
    them without it): one UPDATE with a window sum. Called whenever transactions are
    added; returns how many rows changed. Not audited: it derives, never decides."""
    with transaction.atomic():
        rows = Transaction.objects.filter(program_account=program_account)
        if since is None:
            since = rows.aggregate(first=Min("date"))["first"]
            if since is None:
                return 0
        before = rows.filter(date__lt=since).aggregate(total=Sum("amount"))["total"] or ZERO
        with connection.cursor() as cursor:
            cursor.execute(_REFRESH_SQL, [before, program_account.pk, since])
            return cursor.rowcount


# --- Transaction types (X-1) ------------------------------------------------------------


def transaction_types_load(*, rows: list[dict], actor=None) -> Counter:
    """Add or rename the transaction types of an operator's file (``code``, ``name``,
    ``name_fr``; ``finance/data/transaction_types.csv``). CBSA holds them in both official
    languages: a row without its French name refuses the whole file, naming the row.
    Matched on the code, so loading the same file twice changes nothing."""
    counts: Counter = Counter()
    with transaction.atomic():
        for number, row in enumerate(rows, start=2):  # line 1 is the header
            code = (row.get("code") or "").strip()
            name = (row.get("name") or "").strip()
            french = (row.get("name_fr") or "").strip()
            where = f"line {number} ({code or '?'})"
            if not code or not name:
                raise ValidationError(f"{where}: code and name are required")
            if not french:
                raise ValidationError(f"{where}: name_fr (French) is required")
            kind, created = TransactionType.objects.get_or_create(
                code=code, defaults={"name": name, "name_fr": french}
            )
            if created:
                counts["transaction types added"] += 1
            elif (kind.name, kind.name_fr) != (name, french):
                kind.name, kind.name_fr = name, french
                kind.save(update_fields=["name", "name_fr"])
                counts["transaction types renamed"] += 1
            else:
                counts["transaction types unchanged"] += 1
        audit_record(action="finance.transaction_types_loaded", actor=actor, changes=dict(counts))
    return counts


def transaction_type(code: str, where: str) -> TransactionType | None:
    """The type a loader's row names by its code (None when the row names none)."""
    if not code:
        return None
    found = TransactionType.objects.filter(code=code).first()
    if found is None:
        raise ValidationError(f"{where}: unknown transaction type {code!r}")
    return found


def transactions_import(*, data: dict, actor=None) -> Counter:
    """Add the transactions and CBSA invoices of an operator's file (format in
    ``finance/management/commands/import_transactions.py``). Rows already on file (same
    number) are left as they are: a correction is a new transaction. All or nothing."""
    counts: Counter = Counter()
    with transaction.atomic():
        for entry in data.get("accounts", []):
            account = _account_from_reference(entry.get("account", ""))
            first_new: datetime.date | None = None
            for row in entry.get("transactions", []):
                where = f"transaction {row.get('number', '?')}"
                if Transaction.objects.filter(number=row.get("number")).exists():
                    counts["transactions already on file"] += 1
                    continue
                item = Transaction(
                    program_account=account,
                    number=row.get("number", ""),
                    date=row.get("date"),
                    type=transaction_type(row.get("type", ""), where),
                    description=row.get("description", ""),
                    description_fr=_french(row, where),
                    amount=row.get("amount"),
                    total_duties_taxes=row.get("total_duties_taxes", "0.00"),
                    status=row.get("status", ""),
                    due_date=row.get("due_date") or None,
                )
                _validate(item, where)
                item.save()
                first_new = min(first_new or item.date, item.date)
                counts["transactions added"] += 1
            for row in entry.get("invoices", []):
                where = f"invoice {row.get('number', '?')}"
                if Invoice.objects.filter(number=row.get("number")).exists():
                    counts["invoices already on file"] += 1
                    continue
                lines = row.get("lines", [])
                invoice = Invoice(
                    program_account=account,
                    number=row.get("number", ""),
                    date=row.get("date"),
                    due_date=row.get("due_date"),
                    description=row.get("description", ""),
                    description_fr=_french(row, where),
                    status=row.get("status", Invoice.Status.OPEN),
                    total=sum((Decimal(str(line["amount"])) for line in lines), ZERO),
                )
                _validate(invoice, where)
                invoice.save()
                for position, line in enumerate(lines, start=1):
                    item = InvoiceLine(
                        invoice=invoice,
                        position=position,
                        description=line.get("description", ""),
                        description_fr=_french(line, f"{where} line {position}"),
                        quantity=line.get("quantity", 1),
                        unit_price=line.get("unit_price", line.get("amount")),
                        amount=line.get("amount"),
                    )
                    _validate(item, f"{where} line {position}")
                    item.save()
                counts["invoices added"] += 1
            if first_new is not None:
                transaction_balances_refresh(program_account=account, since=first_new)
            # FIN-6: bill payments and wire transfers received, applied as a card payment
            # is (oldest open debits first), each once (its reference).
            for row in entry.get("payments", []):
                where = f"payment {row.get('reference', '?')}"
                reference = str(row.get("reference") or "").strip()
                if Payment.objects.filter(reference=reference).exists():
                    counts["payments already on file"] += 1
                    continue
                payment = Payment(
                    program_account=account,
                    date=row.get("date"),
                    amount=row.get("amount"),
                    reference=reference,
                    method=row.get("method", ""),
                )
                _validate(payment, where)
                if payment.amount <= 0 or payment.method not in (
                    PaymentMethod.BANK,
                    PaymentMethod.WIRE,
                ):
                    raise ValidationError(f"{where}: a positive amount, method bank or wire")
                payment_apply(
                    program_account=account,
                    amount=payment.amount,
                    reference=reference,
                    method=payment.method,
                    date=payment.date,
                    audit=AuditContext.system(actor=actor),
                )
                counts["payments applied"] += 1
        audit_record(action="finance.transactions_imported", actor=actor, changes=dict(counts))
    return counts


def _account_from_reference(reference: str) -> ProgramAccount:
    """``549132583RM0001`` → the program account."""
    account = (
        ProgramAccount.objects.select_related("business")
        .filter(
            business__bn9=reference[:9],
            program_identifier=reference[9:11],
            reference_number=reference[11:],
        )
        .first()
    )
    if account is None:
        raise ValidationError(f"program account {reference!r}: not on file")
    return account


def _french(row: dict, where: str, field: str = "description") -> str:
    """Both official languages or nothing (SPEC X-1): an English text needs its French."""
    english, french = (row.get(field) or "").strip(), (row.get(f"{field}_fr") or "").strip()
    if english and not french:
        raise ValidationError(f"{where}: {field}_fr (French) is required")
    return french


def _validate(obj, where: str) -> None:
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(f"{where}: {'; '.join(exc.messages)}") from exc


# --- Statements of account (FIN-2, FIN-5) -----------------------------------------------


_STATEMENT_LINES_SQL = """
INSERT INTO finance_statementline
       (statement_id, transaction_id, number, date, description, description_fr, amount,
        due_date, status)
SELECT %s, t.id, t.number, t.date, t.description, t.description_fr, t.amount, t.due_date,
       t.status
  FROM finance_transaction AS t
 WHERE t.program_account_id = %s AND t.date <= %s AND t.date > %s
   AND NOT EXISTS (SELECT 1 FROM finance_statementline AS l WHERE l.transaction_id = t.id)
"""


def statement_issue(
    *, program_account: ProgramAccount, issue_date: datetime.date
) -> Statement | None:
    """Issue the statement of ``issue_date``'s month for the account, once.

    It lists every transaction dated up to the period's end that no earlier statement
    listed (so a correction dated in an issued period appears on the next statement),
    opens on the previous statement's balance and closes on that plus its lines. Nothing
    is issued for an account with neither transactions to list nor a previous statement.
    A notice tells the account's employees that it is available. Returns the statement
    (the existing one when it was already issued), or None.
    """
    period = statement_period(issue_date)
    with transaction.atomic():
        ProgramAccount.objects.select_for_update().filter(pk=program_account.pk).first()
        existing = Statement.objects.filter(
            program_account=program_account, date=period.issue_date
        ).first()
        if existing is not None:
            return existing
        previous = (
            Statement.objects.filter(program_account=program_account, date__lt=period.issue_date)
            .order_by("-date")
            .first()
        )
        # Every transaction dated up to the period's end that no statement listed yet;
        # after a statement loaded from reference data (no lines), only those after it.
        after = (
            previous.period_end
            if previous is not None and not previous.has_lines
            else datetime.date.min
        )
        rows = Transaction.objects.filter(
            program_account=program_account,
            date__lte=period.end,
            date__gt=after,
            statement_line__isnull=True,
        ).aggregate(count=Count("id"), total=Sum("amount"))
        if not rows["count"] and previous is None:
            return None
        opening = previous.balance if previous else ZERO
        statement = Statement.objects.create(
            program_account=program_account,
            date=period.issue_date,
            period_start=period.start,
            period_end=period.end,
            opening_balance=opening,
            balance=opening + (rows["total"] or ZERO),
            due_date=period.due_date,
            issued_at=timezone.now(),
        )
        # The lines are snapshots written in one statement, however many there are.
        with connection.cursor() as cursor:
            cursor.execute(
                _STATEMENT_LINES_SQL, [statement.pk, program_account.pk, period.end, after]
            )
        lines = rows["count"]
        audit_record(
            action="finance.statement_issued",
            subject=f"{program_account.full_reference} {statement.date}",
            business=program_account.business,
            changes={"lines": lines, "balance": str(statement.balance)},
        )
        from notices.services import notice_send

        notice_send(
            type_code="statement_available",
            context={
                "period_start": period.start,
                "period_end": period.end,
                "due_date": period.due_date,
            },
            program_account=program_account,
            display_date=period.issue_date,
            reference=f"statement-{statement.pk}",
        )
        return statement


def statement_accounts_due(*, issue_date: datetime.date) -> list[int]:
    """Program accounts that have transactions or statements and no statement yet for
    ``issue_date``'s month."""
    period = statement_period(issue_date)
    issued = Statement.objects.filter(date=period.issue_date).values("program_account_id")
    with_money = Transaction.objects.filter(date__lte=period.end).values("program_account_id")
    with_statements = Statement.objects.values("program_account_id")
    return list(
        ProgramAccount.objects.filter(pk__in=with_money.union(with_statements))
        .exclude(pk__in=issued)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- Apply credits as payment (FIN-3) ---------------------------------------------------


class CreditApplicationError(Exception):
    """Why credits could not be applied, in words for the person."""


@dataclass(frozen=True)
class CreditPlan:
    debits: list[Transaction]
    needed: Decimal
    available: Decimal

    @property
    def covered(self) -> bool:
        return self.available >= self.needed

    @property
    def settled(self) -> list[Transaction]:
        """Chosen debits that are no longer open (settled by someone else meanwhile)."""
        return [d for d in self.debits if d.status != Transaction.Status.OPEN]


def credits_plan(*, program_account: ProgramAccount, debit_ids: list[int]) -> CreditPlan:
    """What applying credits to these debits would take (the confirmation page; the
    same checks run again under lock when it is submitted)."""
    debits = list(
        Transaction.objects.filter(
            program_account=program_account, pk__in=debit_ids, amount__gt=0
        ).order_by("date", "number")
    )
    return CreditPlan(
        debits=debits,
        needed=sum((d.outstanding for d in debits), ZERO),
        available=_available_credit(program_account),
    )


def settled_meanwhile_message(number: str) -> str:
    return _(
        "Transaction %(number)s was settled in the meantime, perhaps by someone else. "
        "Nothing was applied: review the open transactions and try again."
    ) % {"number": number}


def insufficient_credit_message(available: Decimal, needed: Decimal) -> str:
    from carm_portal.templatetags.portal import money

    return _(
        "The available credit (%(available)s) does not cover the full amount of the chosen "
        "transactions (%(needed)s). Credits settle transactions in full only: choose fewer "
        "transactions."
    ) % {"available": money(available), "needed": money(needed)}


def _available_credit(program_account: ProgramAccount, *, lock: bool = False) -> Decimal:
    credits = Transaction.objects.filter(
        program_account=program_account, status=Transaction.Status.OPEN_CREDIT
    )
    if lock:
        credits = credits.select_for_update()
    return -sum((c.outstanding for c in credits), ZERO)


def credits_apply(
    *,
    program_account: ProgramAccount,
    debit_ids: list[int],
    idempotency_key: uuid.UUID,
    actor,
    audit: AuditContext | None = None,
) -> CreditApplication:
    """Settle the chosen open debits with the account's open credits, oldest credit
    first, in one database transaction (FIN-3).

    The credit must cover the **full** amount of the debits, else nothing is settled.
    The program account's row is locked first, so two people applying credits to the
    same account at the same moment are served one after the other: the second sees
    what the first settled. A key already used returns its application unchanged (a
    form submitted twice settles once).
    """
    with transaction.atomic():
        ProgramAccount.objects.select_for_update().get(pk=program_account.pk)
        done = CreditApplication.objects.filter(idempotency_key=idempotency_key).first()
        if done is not None:
            if done.program_account_id != program_account.pk:
                raise CreditApplicationError(_("This form was already used for another account."))
            return done
        ids = sorted(set(debit_ids))
        if not ids:
            raise CreditApplicationError(_("Choose at least one transaction to settle."))
        debits = list(
            Transaction.objects.select_for_update()
            .filter(program_account=program_account, pk__in=ids)
            .order_by("pk")
        )
        if len(debits) != len(ids) or any(d.amount <= 0 for d in debits):
            raise CreditApplicationError(_("One of the chosen transactions cannot be settled."))
        settled = [d for d in debits if d.status != Transaction.Status.OPEN]
        if settled:
            raise CreditApplicationError(settled_meanwhile_message(settled[0].number))
        needed = sum((d.outstanding for d in debits), ZERO)
        credits = list(
            Transaction.objects.select_for_update()
            .filter(program_account=program_account, status=Transaction.Status.OPEN_CREDIT)
            .order_by("date", "number")
        )
        available = -sum((c.outstanding for c in credits), ZERO)
        if available < needed:
            raise CreditApplicationError(insufficient_credit_message(available, needed))
        application = CreditApplication.objects.create(
            program_account=program_account,
            idempotency_key=idempotency_key,
            applied_by=actor,
            total=needed,
        )
        lines = []
        for debit in debits:
            lines.append(
                CreditApplicationLine(
                    application=application, transaction=debit, amount=debit.outstanding
                )
            )
            debit.settled_amount = debit.amount
            debit.status = Transaction.Status.PAID
        remaining = needed
        for credit in credits:
            if remaining <= 0:
                break
            use = min(-credit.outstanding, remaining)
            credit.settled_amount -= use
            remaining -= use
            if credit.outstanding == 0:
                credit.status = Transaction.Status.PAID
            lines.append(
                CreditApplicationLine(application=application, transaction=credit, amount=-use)
            )
        Transaction.objects.bulk_update(
            [line.transaction for line in lines], ["settled_amount", "status"]
        )
        CreditApplicationLine.objects.bulk_create(lines)
        audit_record(
            action="finance.credits_applied",
            audit=AuditContext.of(audit, actor).about(program_account.business),
            actor=actor,
            subject=program_account.full_reference,
            changes={
                "total": str(needed),
                "settled": [d.number for d in debits],
                "credits": [line.transaction.number for line in lines if line.amount < 0],
            },
        )
        return application


# --- Pre-authorized debit (FIN-4) -------------------------------------------------------


def _bank_fields(institution: str, transit: str, account: str) -> dict:
    return {
        "bank_details": crypto.encrypt_bank_details(
            institution=institution, transit=transit, account=account
        ),
        "account_suffix": account[-3:],
    }


def pad_create(
    *,
    program_account: ProgramAccount,
    institution: str,
    transit: str,
    account: str,
    holder_name: str,
    withdrawal_day: int,
    actor,
    audit: AuditContext | None = None,
) -> PadAgreement:
    with transaction.atomic():
        ProgramAccount.objects.select_for_update().get(pk=program_account.pk)
        if PadAgreement.objects.filter(
            program_account=program_account, status=PadAgreement.Status.ACTIVE
        ).exists():
            raise ValidationError(_("This program account already has an active agreement."))
        agreement = PadAgreement.objects.create(
            program_account=program_account,
            holder_name=holder_name,
            withdrawal_day=withdrawal_day,
            terms_accepted_at=timezone.now(),
            created_by=actor,
            **_bank_fields(institution, transit, account),
        )
        audit_record(
            action="finance.pad_created",
            audit=AuditContext.of(audit, actor).about(program_account.business),
            actor=actor,
            subject=program_account.full_reference,
            # Never the bank details themselves (AU-3: no secrets in the audit trail).
            changes={"account": agreement.masked_account_number, "withdrawal_day": withdrawal_day},
        )
        return agreement


def pad_change(
    *,
    agreement: PadAgreement,
    institution: str,
    transit: str,
    account: str,
    holder_name: str,
    withdrawal_day: int,
    actor,
    audit: AuditContext | None = None,
) -> PadAgreement:
    with transaction.atomic():
        agreement = PadAgreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.status != PadAgreement.Status.ACTIVE:
            raise ValidationError(_("A cancelled agreement cannot be changed."))
        before = crypto.decrypt_bank_details(agreement.bank_details)
        changed = [
            name
            for name, value in (
                ("institution", institution),
                ("transit", transit),
                ("account", account),
            )
            if before[name] != value
        ]
        if holder_name != agreement.holder_name:
            changed.append("holder_name")
        if withdrawal_day != agreement.withdrawal_day:
            changed.append("withdrawal_day")
        for name, value in _bank_fields(institution, transit, account).items():
            setattr(agreement, name, value)
        agreement.holder_name = holder_name
        agreement.withdrawal_day = withdrawal_day
        agreement.terms_accepted_at = timezone.now()
        agreement.save()
        audit_record(
            action="finance.pad_changed",
            audit=AuditContext.of(audit, actor).about(agreement.program_account.business),
            actor=actor,
            subject=agreement.program_account.full_reference,
            changes={"fields": changed, "account": agreement.masked_account_number},
        )
        return agreement


def pad_cancel(
    *, agreement: PadAgreement, actor, audit: AuditContext | None = None
) -> PadAgreement:
    with transaction.atomic():
        agreement = PadAgreement.objects.select_for_update().get(pk=agreement.pk)
        agreement.cancel()
        agreement.save(update_fields=["status", "cancelled_at", "updated_at"])
        audit_record(
            action="finance.pad_cancelled",
            audit=AuditContext.of(audit, actor).about(agreement.program_account.business),
            actor=actor,
            subject=agreement.program_account.full_reference,
        )
        return agreement


def pad_keys_rotate() -> int:
    """Re-encrypt every agreement with the first key of PAD_ENCRYPTION_KEYS."""
    count = 0
    with transaction.atomic():
        for agreement in PadAgreement.objects.select_for_update().only("pk", "bank_details"):
            agreement.bank_details = crypto.rotate(agreement.bank_details)
            agreement.save(update_fields=["bank_details"])
            count += 1
        audit_record(action="finance.pad_keys_rotated", changes={"agreements": count})
    return count


# --- Financial security -----------------------------------------------------------------


def security_change_request_create(
    *,
    program_account: ProgramAccount,
    kind: str,
    amount: Decimal,
    reason: str,
    actor,
    audit: AuditContext | None = None,
) -> SecurityChangeRequest:
    with transaction.atomic():
        change = SecurityChangeRequest.objects.create(
            program_account=program_account,
            kind=kind,
            amount=amount,
            reason=reason,
            requested_by=actor,
        )
        audit_record(
            action="finance.security_change_requested",
            audit=AuditContext.of(audit, actor).about(program_account.business),
            actor=actor,
            subject=program_account.full_reference,
            changes={"kind": kind, "amount": str(amount)},
        )
        return change


def security_change_request_answer(
    *, change: SecurityChangeRequest, accept: bool, actor, audit: AuditContext | None = None
) -> SecurityChangeRequest:
    """CBSA staff answer a change request in the admin (submitted → accepted/rejected)."""
    with transaction.atomic():
        change = SecurityChangeRequest.objects.select_for_update().get(pk=change.pk)
        if accept:
            change.accept(by=actor)
        else:
            change.reject(by=actor)
        change.save(update_fields=["status", "answered_by", "answered_at"])
        audit_record(
            action="finance.security_change_answered",
            audit=AuditContext.of(audit, actor).about(change.program_account.business),
            actor=actor,
            subject=change.program_account.full_reference,
            changes={"status": change.status},
        )
        return change


def security_record(
    *,
    program_account: ProgramAccount,
    kind: str,
    amount: Decimal,
    reference: str,
    posted_on: datetime.date,
    actor,
    audit: AuditContext | None = None,
) -> FinancialSecurity:
    """CBSA staff record a security posted (the admin's add form)."""
    with transaction.atomic():
        security = FinancialSecurity.objects.create(
            program_account=program_account,
            kind=kind,
            amount=amount,
            reference=reference,
            posted_on=posted_on,
        )
        audit_record(
            action="finance.security_recorded",
            audit=AuditContext.of(audit, actor).about(program_account.business),
            actor=actor,
            subject=reference,
            changes={"kind": kind, "amount": str(amount)},
        )
        return security


# --- LINK-5: corrections by CBSA staff ----------------------------------------------------


def transaction_correct(
    *,
    original: Transaction,
    amount: Decimal,
    reason: str,
    audit: AuditContext,
    description: str = "",
    description_fr: str = "",
) -> Transaction:
    """Correct a transaction on file the way accounting does: a new transaction of the
    difference, dated today, on the same program account (LINK-5), of the type
    ``CORRECTION`` (its descriptions, unless given in both languages). The original and
    every statement already issued stay as they are (the next statement lists the
    correction). Audited as a staff action; the business is told."""

    if not amount:
        raise ValidationError(_("A correction has an amount other than zero."))
    if bool(description.strip()) != bool(description_fr.strip()):
        raise ValidationError(_("Give the description in both languages, or neither."))
    with transaction.atomic():
        original = Transaction.objects.select_for_update().get(pk=original.pk)
        count = Transaction.objects.filter(number__startswith=f"{original.number}-C").count()
        correction = Transaction(
            program_account=original.program_account,
            number=f"{original.number}-C{count + 1}",
            date=timezone.localdate(),
            type=TransactionType.objects.filter(code="CORRECTION").first(),
            description=description,
            description_fr=description_fr,
            amount=amount,
            total_duties_taxes=ZERO,
            status=Transaction.Status.OPEN if amount > 0 else Transaction.Status.OPEN_CREDIT,
            due_date=None,
        )
        _validate(correction, "correction")
        correction.save()
        transaction_balances_refresh(
            program_account=original.program_account, since=correction.date
        )
        account = original.program_account
        _tell_corrected(
            account=account,
            audit=audit,
            action="finance.transaction_corrected",
            subject=original.number,
            changes={
                "corrected": original.number,
                "correction": correction.number,
                "amount": str(amount),
                "reason": reason,
            },
            context={
                "number": correction.number,
                "corrected": original.number,
                "amount": amount,
                "reason": reason,
            },
            reference=f"ledger-corrected:{correction.number}",
        )
    return correction


def _tell_corrected(
    *,
    account,
    audit: AuditContext,
    action: str,
    subject: str,
    changes: dict,
    context: dict,
    reference: str,
) -> None:
    """A LINK-5 correction's audit entry (a staff action) and its ``ledger_corrected``
    notice to the business: the same for transactions, invoices and payments."""
    from notices.services import notice_send

    audit_record(
        action=action, audit=audit, business=account.business, subject=subject, changes=changes
    )
    notice_send(
        type_code="ledger_corrected",
        business=account.business,
        program_account=account,
        context=context,
        reference=reference,
    )


def _correction_number(model, field: str, original: str) -> str:
    """``<original>-C<n>``: the n-th correction of a record (numbers stay unique)."""
    taken = model.objects.filter(**{f"{field}__startswith": f"{original}-C"}).count()
    return f"{original}-C{taken + 1}"


def invoice_correct(
    *,
    invoice: Invoice,
    amount: Decimal,
    reason: str,
    audit: AuditContext,
    description: str = "",
    description_fr: str = "",
) -> InvoiceLine:
    """Correct a CBSA invoice (LINK-5) as accounting does: a new line of the difference
    (``Correction`` unless a description is given in both languages); the lines already
    there stay as they are and the total follows the lines. An invoice paid that now
    owes more is open again. Statements never list invoices: none is touched. Audited as
    a staff action; the business is told."""

    if not amount:
        raise ValidationError(_("A correction has an amount other than zero."))
    if bool(description.strip()) != bool(description_fr.strip()):
        raise ValidationError(_("Give the description in both languages, or neither."))
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        kind = TransactionType.objects.filter(code="CORRECTION").first()
        position = (invoice.lines.aggregate(last=Max("position"))["last"] or 0) + 1
        line = InvoiceLine(
            invoice=invoice,
            position=position,
            description=description or (kind.name if kind else "Correction"),
            description_fr=description_fr or (kind.name_fr if kind else "Correction"),
            quantity=Decimal(1),
            unit_price=amount,
            amount=amount,
        )
        _validate(line, "correction")
        line.save()
        before = invoice.total
        invoice.total = before + amount
        if amount > 0 and invoice.status == Invoice.Status.PAID:
            invoice.status = Invoice.Status.OPEN
        _validate(invoice, "correction")
        invoice.save(update_fields=["total", "status"])
        account = invoice.program_account
        _tell_corrected(
            account=account,
            audit=audit,
            action="finance.invoice_corrected",
            subject=invoice.number,
            changes={
                "line": position,
                "amount": str(amount),
                "total": [str(before), str(invoice.total)],
                "reason": reason,
            },
            context={
                "kind": "invoice",
                "number": f"{invoice.number} ({position})",
                "corrected": invoice.number,
                "amount": amount,
                "total": invoice.total,
                "reason": reason,
            },
            reference=f"invoice-corrected:{invoice.number}:{position}",
        )
    return line


def payment_correct(
    *, original: Payment, amount: Decimal, reason: str, audit: AuditContext
) -> Payment:
    """Correct a payment on file (LINK-5): a new payment record of the difference, dated
    today, pointing at the payment it corrects; the original stays as it is. What is on
    file for that payment (the registration's question on the last payment, LINK-1) is
    then its amount plus its corrections'. Audited as a staff action; the business is
    told."""

    if not amount:
        raise ValidationError(_("A correction has an amount other than zero."))
    with transaction.atomic():
        original = Payment.objects.select_for_update().get(pk=original.pk)
        if original.corrects_id is not None:
            original = Payment.objects.select_for_update().get(pk=original.corrects_id)
        correction = Payment(
            program_account=original.program_account,
            date=timezone.localdate(),
            amount=amount,
            reference=_correction_number(Payment, "reference", original.reference),
            corrects=original,
        )
        _validate(correction, "correction")
        correction.save()
        total = original.amount + (
            original.corrections.aggregate(total=Sum("amount"))["total"] or ZERO
        )
        account = original.program_account
        _tell_corrected(
            account=account,
            audit=audit,
            action="finance.payment_corrected",
            subject=original.reference,
            changes={
                "corrected": original.reference,
                "correction": correction.reference,
                "amount": str(amount),
                "total": str(total),
                "reason": reason,
            },
            context={
                "kind": "payment",
                "number": correction.reference,
                "corrected": original.reference,
                "amount": amount,
                "total": total,
                "reason": reason,
            },
            reference=f"payment-corrected:{correction.reference}",
        )
    return correction


# --- Make a payment (FIN-6) ---------------------------------------------------------------


def payment_owed(*, program_account: ProgramAccount) -> Decimal:
    """What the open debits still owe: the most a payment may be."""
    rows = Transaction.objects.filter(
        program_account=program_account, status=Transaction.Status.OPEN, amount__gt=0
    ).aggregate(total=Sum(F("amount") - F("settled_amount")))
    return rows["total"] or ZERO


@dataclass(frozen=True)
class PaymentPlan:
    """What a payment would settle (the confirmation page): each debit and the part of
    it paid, the chosen debits first, then the oldest open ones."""

    amount: Decimal
    settles: list[tuple[Transaction, Decimal]]
    more: bool  # more debits than listed would be touched


PLAN_SHOWN = 100


def payment_plan(
    *, program_account: ProgramAccount, amount: Decimal, debit_ids: list[int]
) -> PaymentPlan:
    settles, remaining = [], amount
    for debit in _debits_in_order(program_account, debit_ids, lock=False):
        if remaining <= 0:
            break
        if len(settles) == PLAN_SHOWN:
            return PaymentPlan(amount=amount, settles=settles, more=True)
        use = min(debit.outstanding, remaining)
        settles.append((debit, use))
        remaining -= use
    return PaymentPlan(amount=amount, settles=settles, more=False)


def _debits_in_order(program_account: ProgramAccount, debit_ids, *, lock: bool):
    """The chosen open debits (oldest first), then every other open debit, oldest first,
    read in batches (a busy account has thousands); locked when ``lock``."""
    rows = Transaction.objects.filter(
        program_account=program_account, status=Transaction.Status.OPEN, amount__gt=0
    )
    if lock:
        rows = rows.select_for_update()
    chosen = list(rows.filter(pk__in=list(debit_ids)).order_by("date", "number"))
    yield from chosen
    seen = {d.pk for d in chosen}
    after = None
    while True:
        batch = rows.exclude(pk__in=seen).order_by("date", "number", "pk")
        if after is not None:
            day, number = after
            batch = batch.filter(Q(date__gt=day) | Q(date=day, number__gt=number))
        batch = list(batch[:200])
        if not batch:
            return
        yield from batch
        after = (batch[-1].date, batch[-1].number)


def payment_apply(
    *,
    program_account: ProgramAccount,
    amount: Decimal,
    reference: str,
    method: str,
    date: datetime.date,
    debit_ids: list[int] | tuple = (),
    audit: AuditContext | None = None,
) -> Payment:
    """Post a payment that reached the CBSA (a card payment confirmed by the processor,
    a bill payment or wire transfer imported by an operator) and settle debits with it:
    the chosen ones first, then the oldest open ones; what is left stays as the
    account's credit (FIN-6).

    The program account's row is locked first, as ``credits_apply`` does, then each debit
    settled: a payment and an application of credits on the same debits are served one
    after the other, and each debit is settled once. A reference already on file is
    returned unchanged (applied exactly once)."""
    from notices.services import notice_send

    with transaction.atomic():
        ProgramAccount.objects.select_for_update().get(pk=program_account.pk)
        done = Payment.objects.filter(reference=reference).first()
        if done is not None:
            return done
        payment = Payment.objects.create(
            program_account=program_account,
            date=date,
            amount=amount,
            reference=reference,
            method=method,
        )
        lines, remaining = [], amount
        for debit in _debits_in_order(program_account, debit_ids, lock=True):
            if remaining <= 0:
                break
            use = min(debit.outstanding, remaining)
            debit.settled_amount += use
            if debit.outstanding == 0:
                debit.status = Transaction.Status.PAID
            remaining -= use
            lines.append(PaymentLine(payment=payment, transaction=debit, amount=use))
        Transaction.objects.bulk_update(
            [line.transaction for line in lines], ["settled_amount", "status"]
        )
        PaymentLine.objects.bulk_create(lines)
        credit = Transaction(
            program_account=program_account,
            number=f"PMT{payment.pk:011d}",
            date=date,
            type=TransactionType.objects.filter(code="PAYMENT").first(),
            description="Payment received – thank you",
            description_fr="Paiement reçu – merci",
            amount=-amount,
            total_duties_taxes=ZERO,
            settled_amount=-(amount - remaining),
            status=Transaction.Status.PAID if remaining == 0 else Transaction.Status.OPEN_CREDIT,
        )
        _validate(credit, f"payment {reference}")
        credit.save()
        payment.transaction = credit
        payment.save(update_fields=["transaction"])
        transaction_balances_refresh(program_account=program_account, since=date)
        audit_record(
            action="finance.payment_applied",
            audit=AuditContext.of(audit).about(program_account.business),
            subject=program_account.full_reference,
            changes={
                "reference": reference,
                "method": method,
                "amount": str(amount),
                "settled": [line.transaction.number for line in lines],
                "credit_left": str(remaining),
            },
        )
        notice_send(
            type_code="payment_received",
            program_account=program_account,
            context={"reference": reference, "amount": amount, "date": date},
            reference=f"payment-received:{reference}",
        )
        return payment


class PaymentError(Exception):
    """Why a payment cannot be started, in words for the person."""


def card_payment_start(
    *,
    program_account: ProgramAccount,
    amount: Decimal,
    debit_ids: list[int],
    idempotency_key: uuid.UUID,
    actor,
    audit: AuditContext | None = None,
) -> CardPayment:
    """Create the payment intent the processor's hosted page will take (FIN-6): pending
    until the processor's webhook. The form's key makes it once per form."""
    audit = AuditContext.of(audit, actor).about(program_account.business)
    with transaction.atomic():
        done = CardPayment.objects.filter(idempotency_key=idempotency_key).first()
        if done is not None:
            if done.program_account_id != program_account.pk:
                raise PaymentError(_("This form was already used for another account."))
            return done
        ids = sorted(set(debit_ids))
        if ids:
            debits = list(
                Transaction.objects.filter(
                    program_account=program_account,
                    pk__in=ids,
                    amount__gt=0,
                    status=Transaction.Status.OPEN,
                ).order_by("date", "number")
            )
            if len(debits) != len(ids):
                raise PaymentError(
                    _("One of the chosen transactions was settled in the meantime: choose again.")
                )
            amount = sum((d.outstanding for d in debits), ZERO)
            ids = [d.pk for d in debits]
        if amount <= 0:
            raise PaymentError(_("Enter an amount greater than zero."))
        owed = payment_owed(program_account=program_account)
        if amount > owed:
            raise PaymentError(payment_too_much_message(owed))
        card = CardPayment.objects.create(
            program_account=program_account,
            idempotency_key=idempotency_key,
            amount=amount,
            debit_ids=ids,
            created_by=actor,
            provider_id=audit.business_id if audit.for_client else None,
        )
        audit_record(
            action="finance.card_payment_started",
            audit=audit,
            actor=actor,
            subject=card.reference,
            changes={"amount": str(amount), "debits": len(ids), "intent": str(card.intent)},
        )
        return card


def payment_too_much_message(owed: Decimal) -> str:
    from carm_portal.templatetags.portal import money

    return _("The amount is more than what the open transactions owe (%(owed)s).") % {
        "owed": money(owed)
    }


def card_payment_webhook(*, event, audit: AuditContext | None = None) -> CardPayment:
    """Apply the processor's confirmation (a verified ``processor.WebhookEvent``): the
    source of truth (FIN-6). Refused (``processor.ProtocolError``) when the event was
    already received (a replay), the intent is unknown, or the amount or currency is
    not the intent's. A succeeded payment is applied to the ledger exactly once."""
    from finance.processor import ProtocolError

    with transaction.atomic():
        card = (
            CardPayment.objects.select_for_update()
            .select_related("program_account__business", "created_by")
            .filter(intent=_uuid_or_none(event.intent))
            .first()
        )
        if card is None:
            raise ProtocolError("unknown_intent", event.intent)
        if ProcessorEvent.objects.filter(event_id=event.event_id).exists():
            raise ProtocolError("replay", event.event_id)
        if event.amount != card.amount or event.currency != card.currency:
            raise ProtocolError(
                "mismatch", f"{event.amount} {event.currency} ≠ {card.amount} {card.currency}"
            )
        ProcessorEvent.objects.create(event_id=event.event_id, kind=event.kind, card_payment=card)
        if card.status != CardPayment.Status.PENDING:
            return card  # a second answer for an answered payment changes nothing
        account = card.program_account
        payer = AuditContext(
            actor=card.created_by,
            request_id=getattr(audit, "request_id", ""),
            business_id=card.provider_id or account.business_id,
            acting_for_id=account.business_id if card.provider_id else None,
        )
        if event.kind == "payment.succeeded":
            card.confirm(charge=event.charge)
            card.payment = payment_apply(
                program_account=account,
                amount=card.amount,
                reference=card.reference,
                method=PaymentMethod.CARD,
                date=timezone.localdate(),
                debit_ids=card.debit_ids,
                audit=payer,
            )
        elif event.kind == "payment.declined":
            card.decline(charge=event.charge)
        else:
            card.cancel(charge=event.charge)
        card.save(update_fields=["status", "charge", "answered_at", "payment"])
        audit_record(
            action=f"finance.card_payment_{card.status}",
            audit=payer,
            subject=card.reference,
            changes={"amount": str(card.amount), "event": event.event_id},
        )
        return card


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# --- FIN-7: payment arrangements (ADR 0019) ---------------------------------------------

# The first instalment is due within this many days of the proposal.
ARRANGEMENT_START_WITHIN_DAYS = 30
_STEP_DAYS = {"weekly": 7, "biweekly": 14}
_PER_YEAR = {"weekly": 52, "biweekly": 26, "monthly": 12}


def _add_months(day: datetime.date, months: int) -> datetime.date:
    import calendar

    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def arrangement_max_instalments(frequency: str) -> int:
    """The longest arrangement is ``PAYMENT_ARRANGEMENT_MAX_MONTHS`` (ADR 0019): 12 months
    is 12 monthly, 26 two-weekly or 52 weekly instalments."""
    from django.conf import settings

    months = settings.PAYMENT_ARRANGEMENT_MAX_MONTHS
    return _PER_YEAR[frequency] * months // 12


def arrangement_plan(
    *, total: Decimal, instalment_amount: Decimal, frequency: str, start_date: datetime.date
) -> list[tuple[int, datetime.date, Decimal]]:
    """The instalments (number, due date, amount): equal ones and a last one of what
    remains, so that they add up to ``total`` exactly."""
    if instalment_amount <= 0 or total <= 0:
        return []
    from decimal import ROUND_CEILING

    count = int((total / instalment_amount).to_integral_value(rounding=ROUND_CEILING))
    plan = []
    for index in range(count):
        if frequency == "monthly":
            due = _add_months(start_date, index)
        else:
            due = start_date + datetime.timedelta(days=_STEP_DAYS[frequency] * index)
        amount = instalment_amount if index < count - 1 else total - instalment_amount * index
        plan.append((index + 1, due, amount))
    return plan


def arrangement_minimum_instalment(*, total: Decimal, frequency: str) -> Decimal:
    from decimal import ROUND_UP

    most = arrangement_max_instalments(frequency)
    return (total / most).quantize(Decimal("0.01"), rounding=ROUND_UP)


class ArrangementError(ValidationError):
    """Why an arrangement cannot be proposed, in words for the person (``code`` names
    the form field it belongs to)."""


def arrangement_check(
    *,
    total: Decimal,
    instalment_amount: Decimal,
    frequency: str,
    start_date: datetime.date,
    today: datetime.date,
) -> list[tuple[int, datetime.date, Decimal]]:
    """The rules of a proposal (FIN-7); returns the plan or raises ``ArrangementError``."""
    from carm_portal.templatetags.portal import money

    if total <= 0:
        raise ArrangementError(
            _("This program account has no overdue balance: there is nothing to arrange."),
            code="__all__",
        )
    if instalment_amount > total:
        raise ArrangementError(
            _("The instalment cannot be more than the overdue balance (%(total)s).")
            % {"total": money(total)},
            code="instalment_amount",
        )
    if start_date < today or start_date > today + datetime.timedelta(
        days=ARRANGEMENT_START_WITHIN_DAYS
    ):
        raise ArrangementError(
            _("The first instalment is due between today and %(last)s.")
            % {
                "last": (today + datetime.timedelta(days=ARRANGEMENT_START_WITHIN_DAYS)).isoformat()
            },
            code="start_date",
        )
    plan = arrangement_plan(
        total=total, instalment_amount=instalment_amount, frequency=frequency, start_date=start_date
    )
    most = arrangement_max_instalments(frequency)
    if len(plan) > most:
        from django.conf import settings

        raise ArrangementError(
            _(
                "An arrangement lasts at most %(months)d months (%(most)d instalments at this "
                "frequency). Raise the instalment to at least %(minimum)s."
            )
            % {
                "months": settings.PAYMENT_ARRANGEMENT_MAX_MONTHS,
                "most": most,
                "minimum": money(arrangement_minimum_instalment(total=total, frequency=frequency)),
            },
            code="instalment_amount",
        )
    if sum((amount for _n, _d, amount in plan), ZERO) != total:  # by construction
        raise ArrangementError(_("The instalments must add up to the overdue balance."))
    return plan


def arrangement_propose(
    *,
    program_account: ProgramAccount,
    instalment_amount: Decimal,
    frequency: str,
    start_date: datetime.date,
    actor,
    audit: AuditContext | None = None,
    today: datetime.date | None = None,
):
    """A manager proposes instalments for the account's overdue balance (FIN-7): the
    overdue debits now, their total, the schedule. One arrangement in progress per
    account. Audited; CBSA staff answer it in the admin."""
    from finance.models import Instalment, PaymentArrangement
    from finance.selectors import overdue_debits

    today = today or timezone.localdate()
    with transaction.atomic():
        ProgramAccount.objects.select_for_update().get(pk=program_account.pk)
        if PaymentArrangement.objects.filter(
            program_account=program_account,
            status__in=[PaymentArrangement.Status.PROPOSED, PaymentArrangement.Status.APPROVED],
        ).exists():
            raise ArrangementError(
                _("This program account already has a payment arrangement in progress."),
                code="__all__",
            )
        debits = list(overdue_debits(account=program_account, today=today))
        total = sum((d.outstanding for d in debits), ZERO)
        plan = arrangement_check(
            total=total,
            instalment_amount=instalment_amount,
            frequency=frequency,
            start_date=start_date,
            today=today,
        )
        arrangement = PaymentArrangement.objects.create(
            program_account=program_account,
            total=total,
            instalment_amount=instalment_amount,
            frequency=frequency,
            start_date=start_date,
            proposed_by=actor,
        )
        arrangement.debits.set(debits)
        Instalment.objects.bulk_create(
            Instalment(arrangement=arrangement, number=number, due_date=due, amount=amount)
            for number, due, amount in plan
        )
        audit_record(
            action="finance.arrangement_proposed",
            audit=AuditContext.of(audit, actor).about(program_account.business),
            actor=actor,
            subject=program_account.full_reference,
            changes={
                "arrangement": arrangement.pk,
                "total": str(total),
                "instalments": len(plan),
                "instalment_amount": str(instalment_amount),
                "frequency": frequency,
                "start_date": start_date.isoformat(),
            },
        )
        return arrangement


def arrangement_answer(*, arrangement, approve: bool, reason: str, audit: AuditContext):
    """CBSA staff approve or refuse a proposed arrangement in the admin, with a reason
    (required to refuse); audited as a staff action, and the business is told."""
    from finance.models import PaymentArrangement
    from notices.services import notice_send

    with transaction.atomic():
        arrangement = (
            PaymentArrangement.objects.select_for_update()
            .select_related("program_account__business")
            .get(pk=arrangement.pk)
        )
        if approve:
            arrangement.approve(by=audit.actor, reason=reason)
        else:
            arrangement.refuse(by=audit.actor, reason=reason)
        arrangement.save(update_fields=["status", "answered_by", "answered_at", "reason"])
        account = arrangement.program_account
        audit_record(
            action="finance.arrangement_answered",
            audit=audit,
            business=account.business,
            subject=account.full_reference,
            changes={"arrangement": arrangement.pk, "status": arrangement.status, "reason": reason},
        )
        notice_send(
            type_code="arrangement_answered",
            program_account=account,
            context={
                "approved": approve,
                "total": arrangement.total,
                "instalments": arrangement.instalments.count(),
                "reason": reason,
            },
            reference=f"arrangement-answered:{arrangement.pk}",
        )
        return arrangement


def arrangements_check(*, today: datetime.date) -> Counter:
    """The daily check of approved arrangements (FIN-7, beat ``finance-check-arrangements``):
    an instalment past due and unpaid is flagged missed once, with a notice; an
    arrangement whose instalments are all paid is completed. Idempotent."""
    from finance.models import Instalment, PaymentArrangement
    from finance.selectors import arrangement_schedule
    from notices.services import notice_send

    counts: Counter = Counter()
    ids = list(
        PaymentArrangement.objects.filter(status=PaymentArrangement.Status.APPROVED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            arrangement = (
                PaymentArrangement.objects.select_for_update()
                .select_related("program_account__business")
                .filter(pk=pk, status=PaymentArrangement.Status.APPROVED)
                .first()
            )
            if arrangement is None:
                continue
            rows = arrangement_schedule(arrangement, today=today)
            account = arrangement.program_account
            if rows and all(row.state == "paid" for row in rows):
                arrangement.complete()
                arrangement.save(update_fields=["status"])
                audit_record(
                    action="finance.arrangement_completed",
                    audit=AuditContext.system(),
                    business=account.business,
                    subject=account.full_reference,
                    changes={"arrangement": arrangement.pk},
                )
                counts["completed"] += 1
                continue
            for row in rows:
                instalment = row.instalment
                if row.state != "missed" or instalment.missed_at is not None:
                    continue
                Instalment.objects.filter(pk=instalment.pk).update(missed_at=timezone.now())
                audit_record(
                    action="finance.instalment_missed",
                    audit=AuditContext.system(),
                    business=account.business,
                    subject=account.full_reference,
                    changes={
                        "arrangement": arrangement.pk,
                        "instalment": instalment.number,
                        "due_date": instalment.due_date.isoformat(),
                    },
                )
                notice_send(
                    type_code="instalment_missed",
                    program_account=account,
                    context={
                        "number": instalment.number,
                        "due_date": instalment.due_date,
                        "amount": instalment.amount - row.covered,
                    },
                    reference=f"instalment-missed:{instalment.pk}",
                )
                counts["missed"] += 1
    return counts


# --- FIN-8: collections and interest (ADR 0019) -----------------------------------------

# Collection notices go out when a debit is this many days overdue: a reminder, a second
# notice, a final notice before enforcement.
COLLECTION_STAGES = (1, 30, 60)
# Interest on overdue amounts is charged at the specified rate: the prescribed rate plus
# 6 percentage points, from the day after the amount became payable until it is paid
# (CBSA Memorandum D11-6-5, paragraph 2), compounded daily.
SPECIFIED_RATE_MARGIN = Decimal("6")


def collection_stage(days_overdue: int) -> int | None:
    reached = [stage for stage in COLLECTION_STAGES if days_overdue >= stage]
    return reached[-1] if reached else None


def collection_notices_send(*, today: datetime.date) -> Counter:
    """Send the collection notices due today (FIN-8, beat ``finance-collection-notices``).

    Each overdue debit gets each stage's notice once (``CollectionNotice``, unique per
    debit and stage); a debit first seen past several stages gets only the latest. One
    notice per account and stage lists its debits. Debits covered by an approved
    arrangement get none while it is in force. Running it again sends nothing."""
    from finance.models import CollectionNotice, PaymentArrangement
    from finance.selectors import overdue_debits
    from notices.services import notice_send

    counts: Counter = Counter()
    covered = PaymentArrangement.debits.through.objects.filter(
        paymentarrangement__status=PaymentArrangement.Status.APPROVED
    ).values("transaction_id")
    account_ids = sorted(
        set(
            overdue_debits(today=today)
            .exclude(pk__in=covered)
            .values_list("program_account_id", flat=True)
        )
    )
    for account_id in account_ids:
        with transaction.atomic():
            account = (
                ProgramAccount.objects.select_for_update()
                .select_related("business")
                .get(pk=account_id)
            )
            debits = list(
                overdue_debits(today=today, account=account)
                .exclude(pk__in=covered)
                .prefetch_related("collection_notices")
            )
            by_stage: dict[int, list[Transaction]] = {}
            for debit in debits:
                stage = collection_stage((today - debit.due).days)
                sent = [n.stage for n in debit.collection_notices.all()]
                if stage is None or any(s >= stage for s in sent):
                    continue
                by_stage.setdefault(stage, []).append(debit)
            for stage, items in sorted(by_stage.items()):
                notice = notice_send(
                    type_code="collection_notice",
                    program_account=account,
                    context={
                        "stage": stage,
                        "count": len(items),
                        "total": sum((d.outstanding for d in items), ZERO),
                        "numbers": ", ".join(d.number for d in items[:10]),
                    },
                    reference=f"collection:{account.pk}:{stage}:{today.isoformat()}",
                )
                CollectionNotice.objects.bulk_create(
                    CollectionNotice(transaction=d, stage=stage, sent_on=today, notice=notice)
                    for d in items
                )
                audit_record(
                    action="finance.collection_notice_sent",
                    audit=AuditContext.system(),
                    business=account.business,
                    subject=account.full_reference,
                    changes={"stage": stage, "debits": [d.number for d in items]},
                )
                counts[f"stage {stage}"] += 1
    return counts


def _rate_on(rates: list, day: datetime.date) -> Decimal | None:
    """The prescribed rate in force on ``day`` (``rates``: newest first)."""
    for rate in rates:
        if rate.start_date <= day:
            return rate.rate
    return None


def interest_for(
    *, amount: Decimal, start: datetime.date, end: datetime.date, rates: list
) -> Decimal:
    """Interest on ``amount`` for each day from ``start`` to ``end`` (both included) at
    the specified rate in force that day, compounded daily, to the cent."""
    from decimal import ROUND_HALF_UP

    factor = Decimal(1)
    day = start
    while day <= end:
        rate = _rate_on(rates, day)
        if rate is not None:
            factor *= 1 + (rate + SPECIFIED_RATE_MARGIN) / Decimal(100) / Decimal(365)
        day += datetime.timedelta(days=1)
    return (amount * (factor - 1)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def interest_post(*, through: datetime.date) -> Counter:
    """Charge interest on every overdue debit up to ``through`` (FIN-8, beat
    ``finance-post-interest``, monthly): one interest transaction per debit, dated
    ``through``, for the days since its due date or its last charge; once per debit and
    date (``InterestCharge``). Interest itself becomes a debit and, once overdue, bears
    interest (compounding, as the Customs Act's)."""
    from finance.models import InterestCharge, PrescribedRate
    from finance.selectors import overdue_debits

    counts: Counter = Counter()
    rates = list(PrescribedRate.objects.order_by("-start_date"))
    if not rates:
        return counts
    account_ids = sorted(
        set(
            overdue_debits(today=through + datetime.timedelta(days=1)).values_list(
                "program_account_id", flat=True
            )
        )
    )
    for account_id in account_ids:
        with transaction.atomic():
            account = (
                ProgramAccount.objects.select_for_update()
                .select_related("business")
                .get(pk=account_id)
            )
            debits = overdue_debits(
                today=through + datetime.timedelta(days=1), account=account
            ).annotate(last=Max("interest_charges__through"))
            added = []
            for debit in debits:
                if debit.last is not None and debit.last >= through:
                    continue
                start = (debit.last or debit.due) + datetime.timedelta(days=1)
                interest = interest_for(
                    amount=debit.outstanding, start=start, end=through, rates=rates
                )
                if interest <= 0:
                    continue
                number = f"I{through:%y%m%d}-{debit.pk}"
                charge = Transaction(
                    program_account=account,
                    number=number,
                    date=through,
                    type=TransactionType.objects.filter(code="INTEREST").first(),
                    description=f"Interest on overdue amount {debit.number}"[:100],
                    description_fr=f"Intérêts sur le montant en souffrance {debit.number}"[:100],
                    amount=interest,
                    total_duties_taxes=ZERO,
                    status=Transaction.Status.OPEN,
                    due_date=None,
                )
                charge.save()
                InterestCharge.objects.create(debit=debit, through=through, transaction=charge)
                added.append((debit.number, str(interest)))
            if added:
                transaction_balances_refresh(program_account=account, since=through)
                audit_record(
                    action="finance.interest_charged",
                    audit=AuditContext.system(),
                    business=account.business,
                    subject=account.full_reference,
                    changes={"through": through.isoformat(), "charges": added},
                )
                counts["charges"] += len(added)
    return counts


def prescribed_rates_load(*, rows: list[dict], dry_run: bool = False) -> Counter:
    """Load prescribed rates (``start_date``, ``rate``, ``source``): a date already on file
    gets the file's rate (a correction), audited. All or nothing."""
    from finance.models import PrescribedRate

    counts: Counter = Counter()
    with transaction.atomic():
        for line, row in enumerate(rows, start=2):
            try:
                start = datetime.date.fromisoformat((row.get("start_date") or "").strip())
                rate = Decimal((row.get("rate") or "").strip())
            except (ValueError, ArithmeticError) as error:
                raise ValidationError(f"line {line}: {error}") from error
            source = (row.get("source") or "").strip()
            if not source:
                raise ValidationError(f"line {line}: source is required")
            item = PrescribedRate(start_date=start, rate=rate, source=source)
            _validate(item, f"line {line}")
            _obj, created = PrescribedRate.objects.update_or_create(
                start_date=start, defaults={"rate": rate, "source": source}
            )
            counts["added" if created else "updated"] += 1
        audit_record(action="finance.prescribed_rates_loaded", changes=dict(counts))
        if dry_run:
            transaction.set_rollback(True)
    return counts


# --- Postings from other areas (DECL-3) ---------------------------------------------------


def transaction_post(
    *,
    program_account: ProgramAccount,
    number: str,
    amount: Decimal,
    description: str,
    description_fr: str,
    total_duties_taxes: Decimal = ZERO,
    due_date: datetime.date | None = None,
    on: datetime.date | None = None,
    type_code: str = "",
) -> Transaction:
    """Post a debit (amount > 0) or a credit (amount < 0) to the account's ledger, dated
    ``on`` (today), of the ``TransactionType`` coded ``type_code`` (X-1), with its English
    and French description, and refresh the balances
    after it. It appears in the transaction history at once and on the next statement
    (FIN-1, FIN-5). Called inside the caller's atomic write, which audits what it posted
    (e.g. ``calculator.declarations_services``): not audited again here."""
    if not amount:
        raise ValidationError(_("A posting has an amount other than zero."))
    with transaction.atomic():
        item = Transaction(
            program_account=program_account,
            number=number,
            date=on or timezone.localdate(),
            type=TransactionType.objects.filter(code=type_code).first() if type_code else None,
            description=description,
            description_fr=description_fr,
            amount=amount,
            total_duties_taxes=total_duties_taxes,
            status=Transaction.Status.OPEN if amount > 0 else Transaction.Status.OPEN_CREDIT,
            due_date=due_date,
        )
        _validate(item, f"posting {number}")
        item.save()
        transaction_balances_refresh(program_account=program_account, since=item.date)
    return item
