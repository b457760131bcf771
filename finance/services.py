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
from django.db.models import Count, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from business.models import ProgramAccount
from carm_portal.audit import AuditContext, audit_record
from finance import crypto
from finance.calendar import statement_period
from finance.models import (
    ZERO,
    CreditApplication,
    CreditApplicationLine,
    FinancialSecurity,
    Invoice,
    InvoiceLine,
    PadAgreement,
    SecurityChangeRequest,
    Statement,
    Transaction,
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
    description: str,
    description_fr: str,
    reason: str,
    audit: AuditContext,
) -> Transaction:
    """Correct a transaction on file the way accounting does: a new transaction of the
    difference, dated today, on the same program account (LINK-5). The original and every
    statement already issued stay as they are (the next statement lists the correction).
    Audited as a staff action; the business is told."""
    from notices.services import notice_send

    if not amount:
        raise ValidationError(_("A correction has an amount other than zero."))
    with transaction.atomic():
        original = Transaction.objects.select_for_update().get(pk=original.pk)
        count = Transaction.objects.filter(number__startswith=f"{original.number}-C").count()
        correction = Transaction(
            program_account=original.program_account,
            number=f"{original.number}-C{count + 1}",
            date=timezone.localdate(),
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
        audit_record(
            action="finance.transaction_corrected",
            audit=audit,
            business=account.business,
            subject=original.number,
            changes={
                "corrected": original.number,
                "correction": correction.number,
                "amount": str(amount),
                "reason": reason,
            },
        )
        notice_send(
            type_code="ledger_corrected",
            business=account.business,
            program_account=account,
            context={
                "number": correction.number,
                "corrected": original.number,
                "amount": amount,
                "reason": reason,
            },
            reference=f"ledger-corrected:{correction.number}",
        )
    return correction


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
) -> Transaction:
    """Post a debit (amount > 0) or a credit (amount < 0) to the account's ledger, dated
    ``on`` (today), with its English and French description, and refresh the balances
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
