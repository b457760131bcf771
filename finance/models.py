"""What CBSA has on file about a program account's money (SPEC LINK-5, FIN-1 … FIN-5).

Transactions, payments and statements are reference data loaded by operators
(``manage.py load_reference_data``, ``manage.py import_transactions``); statements are
issued by the portal every month (``finance.services.statement_issue``). The account's
ledger is its transactions in chronological order (date, then number); each row keeps the
account's balance after it (``running_balance``), refreshed by the one service that adds
transactions (ADR 0011).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from carm_portal.workflow import transition

ZERO = Decimal("0.00")


def _empty(value) -> bool:
    """No text yet: empty, or the database's default still to come (db_default)."""
    return isinstance(value, DatabaseDefault) or not value


class TransactionType(models.Model):
    """What a transaction is, as CBSA codes it, with its names in both official languages
    (SPEC X-1, ADR 0017). Loaded by ``finance/migrations/0007_transaction_types.py`` and
    ``manage.py load_transaction_types`` (``finance/data/transaction_types.csv``, whose
    missing rows are put back after every migrate and flush: ``finance.reference``); a type
    without its French name is refused, here by a constraint too. A transaction of a type
    takes its descriptions from the type's names."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name (English)"), max_length=100)
    name_fr = models.CharField(_("name (French)"), max_length=100)

    class Meta:
        verbose_name = _("transaction type")
        verbose_name_plural = _("transaction types")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name="") & ~models.Q(name_fr=""),
                name="transaction_type_both_languages",
            )
        ]

    def __str__(self) -> str:
        return self.code


class Transaction(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        OPEN_CREDIT = "open_credit", _("Open credit")

    class Kind(models.TextChoices):
        """Derived from the amount's sign: a debit is owed to the CBSA, a credit is owed
        to the business (card batches, payments, refunds)."""

        DEBIT = "debit", _("Debit")
        CREDIT = "credit", _("Credit")

    program_account = models.ForeignKey(
        "business.ProgramAccount",
        on_delete=models.PROTECT,
        related_name="transactions",
        verbose_name=_("program account"),
    )
    number = models.CharField(_("transaction number"), max_length=20, unique=True)
    date = models.DateField(_("transaction date"))
    # Optional while rows written before the types (and code paths that set the
    # descriptions themselves) remain; when set, the descriptions come from it (save()).
    type = models.ForeignKey(
        TransactionType,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("transaction type"),
    )
    description = models.CharField(_("description"), max_length=100, blank=True)
    description_fr = models.CharField(
        _("description (French)"), max_length=100, blank=True, db_default=""
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    total_duties_taxes = models.DecimalField(
        _("total duties and taxes"), max_digits=14, decimal_places=2
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # How much of an open item was already settled by applying credits (FIN-3), in the
    # item's own sign: an open item still owes ``amount - settled_amount``.
    settled_amount = models.DecimalField(
        _("amount settled"), max_digits=14, decimal_places=2, default=ZERO
    )
    # The account's balance after this transaction, in ledger order (FIN-1).
    running_balance = models.DecimalField(
        _("account balance"), max_digits=16, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering = ["-date", "-number"]
        indexes = [
            models.Index(
                fields=["program_account", "-date", "-number"], name="transaction_account_date"
            ),
            # The history's other sorts (FIN-1): a page without sorting the account.
            models.Index(fields=["program_account", "amount"], name="transaction_account_amount"),
            models.Index(fields=["program_account", "due_date"], name="transaction_account_due"),
            models.Index(
                fields=["program_account", "status"],
                name="transaction_account_open",
                condition=models.Q(status__in=["open", "open_credit"]),
            ),
            # The credits filter (FIN-1): a seventh of a busy account's rows; its count and
            # pages read only them, newest first (EXPLAIN ANALYZE in docs/performance.md).
            models.Index(
                fields=["program_account", "-date", "-number"],
                name="transaction_account_credits",
                condition=models.Q(amount__lt=0),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        self.describe()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.describe()
        if _empty(self.description):
            raise ValidationError({"description": _("A transaction has a type or a description.")})

    def describe(self) -> None:
        """Fill the descriptions left empty from the type's names (X-1)."""
        if self.type_id is not None:
            if _empty(self.description):
                self.description = self.type.name
            if _empty(self.description_fr):
                self.description_fr = self.type.name_fr

    @property
    def kind(self) -> str:
        return self.Kind.CREDIT if self.amount < 0 else self.Kind.DEBIT

    def get_kind_display(self) -> str:
        return self.Kind(self.kind).label

    @property
    def outstanding(self) -> Decimal:
        """What is still open on this item (0 once paid)."""
        if self.status == self.Status.PAID:
            return ZERO
        return self.amount - self.settled_amount


class PaymentMethod(models.TextChoices):
    """How a payment reaches the CBSA (FIN-6)."""

    CARD = "card", _("Credit or debit card")
    BANK = "bank", _("Online banking bill payment")
    WIRE = "wire", _("Wire transfer")


class Payment(models.Model):
    program_account = models.ForeignKey(
        "business.ProgramAccount",
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("program account"),
    )
    date = models.DateField(_("payment date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    # LINK-5: a correction by CBSA staff is a new record of the difference, pointing at
    # the payment it corrects; the payment's amount is then its own plus its corrections'.
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="corrections",
        null=True,
        blank=True,
        verbose_name=_("corrects"),
    )
    # How it reached the CBSA and its own credit in the ledger, for the payments the
    # portal applied (FIN-6); empty for payments loaded as reference data.
    method = models.CharField(
        _("payment method"),
        max_length=4,
        choices=PaymentMethod.choices,
        blank=True,
        default="",
        db_default="",
    )
    transaction = models.OneToOneField(
        Transaction,
        on_delete=models.PROTECT,
        related_name="payment",
        null=True,
        blank=True,
        verbose_name=_("transaction"),
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["program_account", "-date"], name="payment_account_date")]

    def __str__(self) -> str:
        return self.reference


class Statement(models.Model):
    """A statement of account (SOA): issued monthly, never changed once issued (FIN-2,
    FIN-5; a database trigger refuses any change to an issued statement or its lines).

    Statements issued by the portal list their transactions (``lines``); older ones loaded
    from reference data have only their balance.
    """

    program_account = models.ForeignKey(
        "business.ProgramAccount",
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name=_("program account"),
    )
    date = models.DateField(_("statement date"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    balance = models.DecimalField(_("balance"), max_digits=14, decimal_places=2)
    opening_balance = models.DecimalField(
        _("opening balance"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    due_date = models.DateField(_("payment due date"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)

    class Meta:
        verbose_name = _("statement of account")
        verbose_name_plural = _("statements of account")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["program_account", "date"], name="statement_one_per_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_account} {self.date}"

    @property
    def has_lines(self) -> bool:
        return self.opening_balance is not None


class StatementLine(models.Model):
    """One transaction on a statement, as it was when the statement was issued. Each
    transaction appears on exactly one statement: the first issued after it was known."""

    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="lines", verbose_name=_("statement")
    )
    transaction = models.OneToOneField(
        Transaction,
        on_delete=models.PROTECT,
        related_name="statement_line",
        verbose_name=_("transaction"),
    )
    number = models.CharField(_("transaction number"), max_length=20)
    date = models.DateField(_("transaction date"))
    description = models.CharField(_("description"), max_length=100)
    description_fr = models.CharField(
        _("description (French)"), max_length=100, blank=True, db_default=""
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Transaction.Status.choices)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["date", "number"]
        indexes = [
            models.Index(fields=["statement", "date", "number"], name="statement_line_order")
        ]

    def __str__(self) -> str:
        return self.number


class Invoice(models.Model):
    """A CBSA invoice (FIN-2): what the CBSA bills outside declarations (services,
    penalties, interest). Loaded by operators, read-only everywhere."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")

    program_account = models.ForeignKey(
        "business.ProgramAccount",
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("program account"),
    )
    number = models.CharField(_("invoice number"), max_length=20, unique=True)
    date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    description = models.CharField(_("description"), max_length=150)
    description_fr = models.CharField(
        _("description (French)"), max_length=150, blank=True, db_default=""
    )
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)

    class Meta:
        verbose_name = _("CBSA invoice")
        verbose_name_plural = _("CBSA invoices")
        ordering = ["-date", "-number"]
        indexes = [
            models.Index(
                fields=["program_account", "-date", "-number"], name="invoice_account_date"
            )
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice")
    )
    position = models.PositiveSmallIntegerField(_("line"))
    description = models.CharField(_("description"), max_length=150)
    description_fr = models.CharField(
        _("description (French)"), max_length=150, blank=True, db_default=""
    )
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2, default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position")
        ]

    def __str__(self) -> str:
        return f"{self.invoice} {self.position}"


class CreditApplication(models.Model):
    """Credits applied as payment (FIN-3): once per idempotency key, settled at once."""

    program_account = models.ForeignKey(
        "business.ProgramAccount",
        on_delete=models.PROTECT,
        related_name="credit_applications",
        verbose_name=_("program account"),
    )
    idempotency_key = models.UUIDField(_("idempotency key"), unique=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("applied by"),
    )
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    total = models.DecimalField(_("amount applied"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("credit application")
        verbose_name_plural = _("credit applications")
        ordering = ["-applied_at"]

    def __str__(self) -> str:
        return f"{self.program_account} {self.applied_at:%Y-%m-%d %H:%M}"


class CreditApplicationLine(models.Model):
    """One item touched: a debit settled (positive amount) or a credit used (negative)."""

    application = models.ForeignKey(
        CreditApplication,
        on_delete=models.PROTECT,
        related_name="lines",
        verbose_name=_("credit application"),
    )
    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="+", verbose_name=_("transaction")
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("credit application line")
        verbose_name_plural = _("credit application lines")

    def __str__(self) -> str:
        return f"{self.transaction} {self.amount}"


class PadAgreement(models.Model):
    """A pre-authorized debit agreement (FIN-4). The bank details are encrypted at rest
    (``finance.crypto``); only the last three digits of the account number are kept in
    clear, for the masked display."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    program_account = models.ForeignKey(
        "business.ProgramAccount",
        on_delete=models.PROTECT,
        related_name="pad_agreements",
        verbose_name=_("program account"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    bank_details = models.TextField(_("bank details (encrypted)"))
    account_suffix = models.CharField(_("last digits of the account number"), max_length=3)
    holder_name = models.CharField(_("account holder name"), max_length=100)
    withdrawal_day = models.PositiveSmallIntegerField(
        _("withdrawal day"), validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    terms_accepted_at = models.DateTimeField(_("terms accepted"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("pre-authorized debit agreement")
        verbose_name_plural = _("pre-authorized debit agreements")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program_account"],
                condition=models.Q(status="active"),
                name="pad_one_active_per_account",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawal_day__gte=1, withdrawal_day__lte=28),
                name="pad_withdrawal_day_1_28",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_account} ({self.get_status_display()})"

    @property
    def masked_account_number(self) -> str:
        return f"••••{self.account_suffix}"

    def cancel(self) -> None:
        """active → cancelled (the one transition; the service audits it)."""
        if self.status != self.Status.ACTIVE:
            raise ValidationError(_("This agreement is already cancelled."))
        self.status = self.Status.CANCELLED
        self.cancelled_at = timezone.now()


class FinancialSecurity(models.Model):
    """A security posted with the CBSA for release prior to payment, recorded by CBSA
    staff in the admin. A bond counts for half its amount, cash for all of it."""

    class Kind(models.TextChoices):
        BOND = "bond", _("Surety bond")
        CASH = "cash", _("Cash")

    program_account = models.ForeignKey(
        "business.ProgramAccount",
        on_delete=models.PROTECT,
        related_name="securities",
        verbose_name=_("program account"),
    )
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    reference = models.CharField(_("reference"), max_length=30)
    posted_on = models.DateField(_("posted on"))
    released_on = models.DateField(_("released on"), null=True, blank=True)

    class Meta:
        verbose_name = _("financial security")
        verbose_name_plural = _("financial securities")
        ordering = ["-posted_on"]

    def __str__(self) -> str:
        return self.reference


ANSWERED = _("This request was already answered.")


class SecurityChangeRequest(models.Model):
    """A business asks the CBSA to change its financial security; staff answer it in
    the admin (submitted → accepted | rejected)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    program_account = models.ForeignKey(
        "business.ProgramAccount",
        on_delete=models.PROTECT,
        related_name="security_change_requests",
        verbose_name=_("program account"),
    )
    kind = models.CharField(_("kind"), max_length=4, choices=FinancialSecurity.Kind.choices)
    amount = models.DecimalField(_("amount requested"), max_digits=14, decimal_places=2)
    reason = models.TextField(_("reason"), max_length=1000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("financial security change request")
        verbose_name_plural = _("financial security change requests")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.program_account} {self.requested_at:%Y-%m-%d}"

    def _answer(self, by) -> None:
        self.answered_by = by
        self.answered_at = timezone.now()

    @transition(sources=[Status.SUBMITTED], target=Status.ACCEPTED, refused=ANSWERED)
    def accept(self, *, by) -> None:
        self._answer(by)

    @transition(sources=[Status.SUBMITTED], target=Status.REJECTED, refused=ANSWERED)
    def reject(self, *, by) -> None:
        self._answer(by)


# --- FIN-6: make a payment ----------------------------------------------------------------


class PaymentLine(models.Model):
    """One debit a payment settled, wholly or in part (FIN-6)."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="lines", verbose_name=_("payment")
    )
    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="+", verbose_name=_("transaction")
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.payment} {self.transaction}"


PAYMENT_CLOSED = _("This payment is no longer pending.")


class CardPayment(models.Model):
    """A card payment through the payment processor's hosted page (FIN-6, ADR 0018).

    The portal never sees the card. It creates this *intent* (once per form: the
    idempotency key), sends the person to the processor with a signed request and waits
    for the processor's signed webhook: pending → paid (applied to the ledger once) |
    declined | cancelled."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    program_account = models.ForeignKey(
        "business.ProgramAccount",
        on_delete=models.PROTECT,
        related_name="card_payments",
        verbose_name=_("program account"),
    )
    idempotency_key = models.UUIDField(_("idempotency key"), unique=True)
    intent = models.UUIDField(_("payment intent"), unique=True, default=uuid.uuid4)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CAD")
    # The debits chosen (their ids, oldest first); empty: an amount on account, applied
    # to the oldest open debits.
    debit_ids = models.JSONField(_("transactions chosen"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("paid by"),
    )
    # The service provider whose employee paid for its client (DELEG-3), else empty.
    provider = models.ForeignKey(
        "business.Business",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("service provider"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    answered_at = models.DateTimeField(_("confirmed by the processor"), null=True, blank=True)
    charge = models.CharField(_("processor's reference"), max_length=64, blank=True)
    payment = models.OneToOneField(
        Payment,
        on_delete=models.PROTECT,
        related_name="card_payment",
        null=True,
        blank=True,
        verbose_name=_("payment"),
    )

    class Meta:
        verbose_name = _("card payment")
        verbose_name_plural = _("card payments")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["program_account", "-created_at"], name="card_payment_account")
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """What the receipt and the ledger call it."""
        return f"CARD-{self.pk:08d}" if self.pk else "CARD"

    def _answered(self, charge: str) -> None:
        self.charge = charge[:64]
        self.answered_at = timezone.now()

    @transition(sources=[Status.PENDING], target=Status.PAID, refused=PAYMENT_CLOSED)
    def confirm(self, *, charge: str) -> None:
        self._answered(charge)

    @transition(sources=[Status.PENDING], target=Status.DECLINED, refused=PAYMENT_CLOSED)
    def decline(self, *, charge: str) -> None:
        self._answered(charge)

    @transition(sources=[Status.PENDING], target=Status.CANCELLED, refused=PAYMENT_CLOSED)
    def cancel(self, *, charge: str = "") -> None:
        self._answered(charge)


class ProcessorEvent(models.Model):
    """Every webhook event the portal accepted, once (FIN-6): a replay of one is refused."""

    event_id = models.CharField(_("event"), max_length=64, unique=True)
    kind = models.CharField(_("type"), max_length=40)
    card_payment = models.ForeignKey(
        CardPayment,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("card payment"),
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("payment processor event")
        verbose_name_plural = _("payment processor events")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.event_id


# --- FIN-7: payment arrangements --------------------------------------------------------

ARRANGEMENT_ANSWERED = _("This arrangement was already answered.")


class PaymentArrangement(models.Model):
    """A business that cannot pay its overdue balance proposes instalments (FIN-7); CBSA
    staff approve or refuse it in the admin (proposed → approved | refused; approved →
    completed once every instalment is paid). ADR 0019.

    The arrangement covers the debits overdue when it was proposed (``debits``) and their
    total (``total``). An instalment is paid when those debits were settled, by any
    payment or credit applied to them, by at least that instalment and the ones before it
    (``finance.selectors.arrangement_schedule``)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", pgettext_lazy("payment arrangement", "Refused")
        COMPLETED = "completed", _("Completed")

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        BIWEEKLY = "biweekly", _("Every two weeks")
        MONTHLY = "monthly", _("Monthly")

    program_account = models.ForeignKey(
        "business.ProgramAccount",
        on_delete=models.PROTECT,
        related_name="payment_arrangements",
        verbose_name=_("program account"),
    )
    debits = models.ManyToManyField(
        Transaction, related_name="arrangements", verbose_name=_("overdue debits covered")
    )
    total = models.DecimalField(_("overdue balance"), max_digits=14, decimal_places=2)
    instalment_amount = models.DecimalField(_("instalment amount"), max_digits=14, decimal_places=2)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    start_date = models.DateField(_("first instalment"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    reason = models.TextField(_("reason given to the business"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("payment arrangement")
        verbose_name_plural = _("payment arrangements")
        ordering = ["-proposed_at"]
        constraints = [
            # One arrangement in progress per program account (proposed or approved).
            models.UniqueConstraint(
                fields=["program_account"],
                condition=models.Q(status__in=["proposed", "approved"]),
                name="arrangement_one_open_per_account",
            ),
            models.CheckConstraint(
                condition=models.Q(instalment_amount__gt=0, total__gt=0),
                name="arrangement_amounts_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_account} {self.proposed_at:%Y-%m-%d}"

    def _answer(self, by, reason: str) -> None:
        self.answered_by = by
        self.answered_at = timezone.now()
        self.reason = reason

    @transition(
        sources=[Status.PROPOSED],
        target=Status.APPROVED,
        label=_("Approve"),
        refused=ARRANGEMENT_ANSWERED,
    )
    def approve(self, *, by, reason: str = "") -> None:
        self._answer(by, reason)

    @transition(
        sources=[Status.PROPOSED],
        target=Status.REFUSED,
        label=_("Refuse"),
        refused=ARRANGEMENT_ANSWERED,
    )
    def refuse(self, *, by, reason: str) -> None:
        if not reason.strip():
            raise ValidationError(_("Give the business the reason for the refusal."))
        self._answer(by, reason)

    @transition(sources=[Status.APPROVED], target=Status.COMPLETED)
    def complete(self) -> None:
        """Every instalment is paid (the daily task checks)."""


class Instalment(models.Model):
    """One instalment of an arrangement, written when it is proposed. ``missed_at`` is
    set once, by the daily task, when its due date passed unpaid (and a notice sent)."""

    arrangement = models.ForeignKey(
        PaymentArrangement,
        on_delete=models.CASCADE,
        related_name="instalments",
        verbose_name=_("payment arrangement"),
    )
    number = models.PositiveSmallIntegerField(_("instalment"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    missed_at = models.DateTimeField(_("flagged as missed"), null=True, blank=True)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["arrangement", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement", "number"], name="instalment_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.arrangement} #{self.number}"


# --- FIN-8: collections -----------------------------------------------------------------


class CollectionNotice(models.Model):
    """A collection stage reached by one overdue debit (FIN-8): written once per debit
    and stage (the unique constraint), when its notice is sent. ADR 0019."""

    transaction = models.ForeignKey(
        Transaction,
        on_delete=models.PROTECT,
        related_name="collection_notices",
        verbose_name=_("transaction"),
    )
    stage = models.PositiveSmallIntegerField(_("days overdue"))
    sent_on = models.DateField(_("sent on"))
    notice = models.ForeignKey(
        "notices.Notice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("notice"),
    )

    class Meta:
        verbose_name = _("collection notice")
        verbose_name_plural = _("collection notices")
        ordering = ["transaction", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "stage"], name="collection_notice_once_per_stage"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transaction} {self.stage}"


class PrescribedRate(models.Model):
    """The prescribed annual rate of interest for customs purposes in force from
    ``start_date`` (until the next row's), loaded by ``manage.py load_prescribed_rates``
    from ``finance/data/prescribed-rates.csv``. Interest on overdue amounts is charged at
    the specified rate: this rate plus ``SPECIFIED_RATE_MARGIN`` points (ADR 0019)."""

    start_date = models.DateField(_("in force from"), unique=True)
    rate = models.DecimalField(
        _("prescribed annual rate (%)"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("prescribed interest rate")
        verbose_name_plural = _("prescribed interest rates")
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return f"{self.start_date}: {self.rate}%"


class InterestCharge(models.Model):
    """Interest posted on one overdue debit for the days up to ``through`` (FIN-8): its
    own transaction, once per debit and period (the unique constraint)."""

    debit = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="interest_charges"
    )
    through = models.DateField(_("interest to"))
    transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, related_name="interest_charge"
    )

    class Meta:
        verbose_name = _("interest charge")
        verbose_name_plural = _("interest charges")
        constraints = [
            models.UniqueConstraint(fields=["debit", "through"], name="interest_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.debit} {self.through}"
