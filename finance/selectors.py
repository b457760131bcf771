"""Reads of the finance area (STYLE 1), always scoped to one program account, which the
view got from ``delegation.access`` (the person may act on it)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, Max, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.functional import cached_property

from business.models import ProgramAccount
from finance.models import (
    ZERO,
    CardPayment,
    FinancialSecurity,
    Invoice,
    PadAgreement,
    Payment,
    PaymentLine,
    SecurityChangeRequest,
    Statement,
    Transaction,
)

SORTS = {
    # key: (ordering, newest/biggest first) — the last two keep the order total and stable.
    "date": ("date", "number"),
    "-date": ("-date", "-number"),
    "amount": ("amount", "-date", "-number"),
    "-amount": ("-amount", "-date", "-number"),
    "due": (F("due_date").asc(nulls_last=True), "-date", "-number"),
    "-due": (F("due_date").desc(nulls_last=True), "-date", "-number"),
    "number": ("number",),
    "-number": ("-number",),
}


def transaction_list(
    *,
    account: ProgramAccount,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    status: str = "",
    kind: str = "",
    sort: str = "-date",
) -> QuerySet[Transaction]:
    """The account's transactions (FIN-1), filtered and sorted. The default order (newest
    first) is served by the index ``transaction_account_date``."""
    rows = Transaction.objects.filter(program_account=account)
    if start:
        rows = rows.filter(date__gte=start)
    if end:
        rows = rows.filter(date__lte=end)
    if status:
        rows = rows.filter(status=status)
    if kind == Transaction.Kind.DEBIT:
        rows = rows.filter(amount__gte=0)
    elif kind == Transaction.Kind.CREDIT:
        rows = rows.filter(amount__lt=0)
    return rows.order_by(*SORTS.get(sort, SORTS["-date"]))


HISTORY_COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Database pagination that counts at most ``HISTORY_COUNT_CAP`` rows (a COUNT over a
    LIMIT): a million-row account answers as fast as a small one; beyond the cap the
    pages say "more than 10,000" and the date range reaches older rows (ADR 0011)."""

    @cached_property
    def count(self) -> int:
        # Without the page's ORDER BY: how many rows the first CAP + 1 are does not depend
        # on their order, and a sort the index does not serve (due date: NULLS LAST on a
        # nullable column) would sort 1,000,000 rows only to count 10,001 of them.
        found = self.object_list.order_by()[: HISTORY_COUNT_CAP + 1].count()
        self.capped = found > HISTORY_COUNT_CAP
        return min(found, HISTORY_COUNT_CAP)


def transaction_page_rows(page: QuerySet[Transaction]) -> list[Transaction]:
    """One page of ``transaction_list`` in one query, in the page's order: its rows found
    by their (unique) numbers, a subquery the account's date index answers alone (an index
    only scan, however deep the page: 10,000 rows skipped without reading them)."""
    found = Transaction.objects.filter(number__in=page.values("number"))
    return list(found.order_by(*page.query.order_by))


def transactions_selected(*, account: ProgramAccount, numbers: list[str]) -> QuerySet[Transaction]:
    return Transaction.objects.filter(program_account=account, number__in=numbers[:1000]).order_by(
        "-date", "-number"
    )


@dataclass(frozen=True)
class Balances:
    open_balance: Decimal  # what is owed now: open debits less open credits
    open_debits: Decimal
    open_credits: Decimal  # negative
    account_balance: Decimal | None  # the ledger's balance after its latest transaction


# The balances in one statement: the sums of the open items (on their partial index) and
# the ledger's newest balance (one index probe). Written out: the ORM spent 1.5 ms building
# the three subqueries PostgreSQL answers in 0.3 ms, on every page of the finance area.
BALANCES_SQL = """
    SELECT
        (SELECT SUM(amount - settled_amount) FROM {table}
          WHERE program_account_id = %(account)s AND status = 'open'),
        (SELECT SUM(amount - settled_amount) FROM {table}
          WHERE program_account_id = %(account)s AND status = 'open_credit'),
        (SELECT running_balance FROM {table} WHERE program_account_id = %(account)s
          ORDER BY date DESC, number DESC LIMIT 1)
"""


def balances(*, account: ProgramAccount) -> Balances:
    """One query: what is owed (open debits less open credits) and the ledger's balance."""
    with connection.cursor() as cursor:
        cursor.execute(
            BALANCES_SQL.format(table=Transaction._meta.db_table), {"account": account.pk}
        )
        debits, credits, latest = cursor.fetchone()
    debits, credits = debits or ZERO, credits or ZERO
    return Balances(
        open_balance=debits + credits,
        open_debits=debits,
        open_credits=credits,
        account_balance=latest,
    )


def open_debits(*, account: ProgramAccount) -> QuerySet[Transaction]:
    return Transaction.objects.filter(
        program_account=account, status=Transaction.Status.OPEN, amount__gt=0
    ).order_by("due_date", "date", "number")


def debits_settled(*, account: ProgramAccount, ids: list[int]) -> list[Transaction]:
    return list(
        Transaction.objects.filter(program_account=account, pk__in=ids, amount__gt=0)
        .exclude(status=Transaction.Status.OPEN)
        .order_by("date", "number")
    )


def statement_list(*, account: ProgramAccount) -> QuerySet[Statement]:
    return Statement.objects.filter(program_account=account).order_by("-date")


def invoice_list(*, account: ProgramAccount) -> QuerySet[Invoice]:
    return Invoice.objects.filter(program_account=account).order_by("-date", "-number")


def invoice_for(*, account: ProgramAccount, invoice_id: int) -> Invoice | None:
    return (
        Invoice.objects.select_related("program_account__business")
        .prefetch_related("lines")
        .filter(program_account=account, pk=invoice_id)
        .first()
    )


def pad_for(*, account: ProgramAccount) -> PadAgreement | None:
    return PadAgreement.objects.filter(
        program_account=account, status=PadAgreement.Status.ACTIVE
    ).first()


# --- Financial security -----------------------------------------------------------------

SECURITY_MINIMUM = Decimal("5000.00")
SECURITY_MAXIMUM = Decimal("10000000.00")
SECURITY_WEIGHTS = {FinancialSecurity.Kind.BOND: Decimal("0.5"), FinancialSecurity.Kind.CASH: 1}


@dataclass(frozen=True)
class SecuritySummary:
    highest_month: Decimal
    highest_month_start: datetime.date | None
    requirement: Decimal
    securities: list[FinancialSecurity]
    coverage: Decimal
    shortfall: Decimal
    requests: list[SecurityChangeRequest]


def security_requirement(highest_month: Decimal) -> Decimal:
    """The highest month of duties and taxes, at least $5,000 and at most $10 million."""
    return min(max(highest_month, SECURITY_MINIMUM), SECURITY_MAXIMUM)


def security_coverage(securities: list[FinancialSecurity]) -> Decimal:
    """A bond counts for half its amount, cash for all of it."""
    total = sum((s.amount * SECURITY_WEIGHTS[s.kind] for s in securities), Decimal("0.00"))
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def security_summary(*, account: ProgramAccount, today: datetime.date) -> SecuritySummary:
    """The requirement over the last 12 months (this month and the 11 before it) and the
    securities in force."""
    year, month = (
        (today.year, today.month - 11) if today.month == 12 else (today.year - 1, today.month + 1)
    )
    since = datetime.date(year, month, 1)
    months = (
        Transaction.objects.filter(program_account=account, date__gte=since, date__lte=today)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(total=Sum("total_duties_taxes"))
        .order_by("-total", "month")
    )
    top = months.first()
    highest = top["total"] if top else ZERO
    securities = list(
        FinancialSecurity.objects.filter(program_account=account, released_on__isnull=True)
    )
    requirement = security_requirement(highest)
    coverage = security_coverage(securities)
    return SecuritySummary(
        highest_month=highest,
        highest_month_start=top["month"] if top else None,
        requirement=requirement,
        securities=securities,
        coverage=coverage,
        shortfall=max(requirement - coverage, ZERO),
        requests=list(
            SecurityChangeRequest.objects.filter(program_account=account).order_by("-requested_at")[
                :10
            ]
        ),
    )


def latest_statement_date(*, account: ProgramAccount) -> datetime.date | None:
    return Statement.objects.filter(program_account=account).aggregate(latest=Max("date"))["latest"]


def last_payment_amount(*, account: ProgramAccount) -> Decimal | None:
    """The amount on file of the account's last payment (LINK-1's question): the
    payment's own amount plus its corrections by CBSA staff (LINK-5)."""
    last = (
        Payment.objects.filter(program_account=account, corrects=None)
        .order_by("-date", "-id")
        .annotate(corrected=Sum("corrections__amount"))
        .first()
    )
    if last is None:
        return None
    return last.amount + (last.corrected or ZERO)


# --- FIN-6: make a payment ----------------------------------------------------------------


def card_payment_by_key(*, account: ProgramAccount, key) -> CardPayment | None:
    """The payment a form already started (its idempotency key): the back button or a
    second click lands on it instead of paying twice."""
    return CardPayment.objects.filter(program_account=account, idempotency_key=key).first()


def card_payment_lines(*, card: CardPayment) -> list[PaymentLine]:
    """What a confirmed card payment settled (none while it is pending)."""
    if card.payment_id is None:
        return []
    return list(
        PaymentLine.objects.filter(payment_id=card.payment_id)
        .select_related("transaction")
        .order_by("pk")
    )


def card_payment_receipt(*, pk: int) -> CardPayment:
    return CardPayment.objects.select_related(
        "program_account__business", "created_by", "provider", "payment__transaction"
    ).get(pk=pk)


# --- FIN-7, FIN-8: overdue amounts, arrangements, collections (ADR 0019) -----------------


def effective_due_date():
    """A debit's due date: its own, else that of the statement that listed it (FIN-5).
    A debit with neither (not yet on a statement) is not overdue."""
    from django.db.models.functions import Coalesce

    return Coalesce("due_date", "statement_line__statement__due_date")


def overdue_debits(
    *, today: datetime.date, account: ProgramAccount | None = None
) -> QuerySet[Transaction]:
    """Open debits past their due date (FIN-5), oldest due first, annotated with ``due``
    (the effective due date). One account's, or every account's (the beat tasks)."""
    rows = Transaction.objects.filter(status=Transaction.Status.OPEN, amount__gt=0)
    if account is not None:
        rows = rows.filter(program_account=account)
    return (
        rows.annotate(due=effective_due_date())
        .filter(due__lt=today)
        .order_by("due", "date", "number")
    )


def overdue_summary(*, account: ProgramAccount, today: datetime.date) -> tuple[int, Decimal]:
    """How many debits are overdue and what they owe, in one query."""
    from django.db.models import Count

    found = overdue_debits(account=account, today=today).aggregate(
        count=Count("pk"), total=Sum(F("amount") - F("settled_amount"))
    )
    return found["count"], found["total"] or ZERO


def overdue_balance(*, account: ProgramAccount, today: datetime.date) -> Decimal:
    return overdue_summary(account=account, today=today)[1]


def open_arrangement(*, account: ProgramAccount):
    """The account's arrangement in progress (proposed or approved), if any."""
    from finance.models import PaymentArrangement

    return PaymentArrangement.objects.filter(
        program_account=account,
        status__in=[PaymentArrangement.Status.PROPOSED, PaymentArrangement.Status.APPROVED],
    ).first()


def arrangement_paid(arrangement) -> Decimal:
    """How much of the arrangement is paid: its total less what its debits still owe (a
    debit is settled by any payment or credit applied to it, FIN-3, FIN-6)."""
    owed = ZERO
    for status, amount, settled in arrangement.debits.values_list(
        "status", "amount", "settled_amount"
    ):
        if status != Transaction.Status.PAID:
            owed += amount - settled
    return max(arrangement.total - owed, ZERO)


@dataclass(frozen=True)
class InstalmentRow:
    instalment: object
    state: str  # "paid", "due" or "missed"
    covered: Decimal  # what of this instalment is paid

    @property
    def state_label(self) -> str:
        from django.utils.translation import gettext

        return {
            "paid": gettext("Paid"),
            "due": gettext("Due"),
            "missed": gettext("Missed"),
        }[self.state]


def arrangement_schedule(arrangement, *, today: datetime.date, paid: Decimal | None = None):
    """Each instalment, paid, due or missed (FIN-7, ADR 0019).

    The rule: payments cover the instalments in order. Instalment *k* is **paid** when
    the amount paid (``arrangement_paid``) reaches the sum of instalments 1 … *k*;
    otherwise it is **missed** once its due date is past (the day after it), else
    **due**."""
    if paid is None:
        paid = arrangement_paid(arrangement)
    rows, cumulative = [], ZERO
    for instalment in arrangement.instalments.all():
        before = cumulative
        cumulative += instalment.amount
        if paid >= cumulative:
            state = "paid"
        elif instalment.due_date < today:
            state = "missed"
        else:
            state = "due"
        covered = min(max(paid - before, ZERO), instalment.amount)
        rows.append(InstalmentRow(instalment=instalment, state=state, covered=covered))
    return rows


def arrangement_list(*, account: ProgramAccount):
    from finance.models import PaymentArrangement

    return (
        PaymentArrangement.objects.filter(program_account=account)
        .select_related("proposed_by")
        .prefetch_related("instalments")
        .order_by("-proposed_at")
    )


def collection_rows(*, account: ProgramAccount, today: datetime.date) -> QuerySet[Transaction]:
    """The Collections page (FIN-8): the account's overdue debits with their notices
    sent and the arrangement covering them (prefetched: a page costs the same queries
    whatever its length)."""
    from django.db.models import Prefetch

    from finance.models import CollectionNotice, PaymentArrangement

    return overdue_debits(account=account, today=today).prefetch_related(
        Prefetch("collection_notices", queryset=CollectionNotice.objects.order_by("stage")),
        Prefetch(
            "arrangements",
            queryset=PaymentArrangement.objects.exclude(
                status=PaymentArrangement.Status.REFUSED
            ).order_by("-proposed_at"),
        ),
    )
