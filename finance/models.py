"""What CBSA has on file about a program account's money (SPEC LINK-5, FIN-*).

Reference data loaded by operators (``manage.py load_reference_data``) and edited by CBSA
staff; the finance pages (issue 9) and the business registration questions (LINK-3) read it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Transaction(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        OPEN_CREDIT = "open_credit", _("Open credit")

    program_account = models.ForeignKey(
        "business.ProgramAccount",
        on_delete=models.PROTECT,
        related_name="transactions",
        verbose_name=_("program account"),
    )
    number = models.CharField(_("transaction number"), max_length=20, unique=True)
    date = models.DateField(_("transaction date"))
    description = models.CharField(_("description"), max_length=100)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    total_duties_taxes = models.DecimalField(
        _("total duties and taxes"), max_digits=14, decimal_places=2
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    due_date = models.DateField(_("due date"), null=True, blank=True)

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering = ["-date", "-number"]
        indexes = [
            models.Index(
                fields=["program_account", "-date", "-number"], name="transaction_account_date"
            ),
        ]

    def __str__(self) -> str:
        return self.number


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

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["program_account", "-date"], name="payment_account_date")]

    def __str__(self) -> str:
        return self.reference


class Statement(models.Model):
    """A statement of account (SOA): issued monthly, never changed once issued."""

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
