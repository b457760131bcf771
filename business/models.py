"""Businesses and their program accounts (SPEC section 0, LINK-5)."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

bn9_validator = RegexValidator(r"^\d{9}$", _("A business number has exactly 9 digits."))
reference_validator = RegexValidator(
    r"^\d{4}$", _("A program account reference number has exactly 4 digits.")
)
identifier_validator = RegexValidator(
    r"^[A-Z]{2}$", _("A program identifier is two capital letters, such as RM.")
)


class Business(models.Model):
    """A business account, identified by its 9-digit CRA business number (BN9)."""

    bn9 = models.CharField(
        _("business number"), max_length=9, unique=True, validators=[bn9_validator]
    )
    legal_name = models.CharField(_("legal name"), max_length=175)
    operating_name = models.CharField(_("operating name"), max_length=175, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(bn9__regex=r"^\d{9}$"), name="business_bn9_9_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.bn9})"


class ProgramAccount(models.Model):
    """A program account of a business, e.g. the importer account ``549132583RM0001``."""

    class ProgramType(models.TextChoices):
        IMPORTER = "importer", _("Importer")
        CUSTOMS_BROKER = "customs_broker", _("Customs broker")
        THIRD_PARTY = "third_party", _("Third party")

    business = models.ForeignKey(
        Business,
        on_delete=models.PROTECT,
        related_name="program_accounts",
        verbose_name=_("business"),
    )
    program_identifier = models.CharField(
        _("program identifier"), max_length=2, default="RM", validators=[identifier_validator]
    )
    reference_number = models.CharField(
        _("reference number"), max_length=4, validators=[reference_validator]
    )
    program_type = models.CharField(
        _("program type"), max_length=20, choices=ProgramType.choices, default=ProgramType.IMPORTER
    )
    name = models.CharField(_("name"), max_length=175, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("program account")
        verbose_name_plural = _("program accounts")
        ordering = ["business__bn9", "program_identifier", "reference_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "program_identifier", "reference_number"],
                name="program_account_unique_reference",
            ),
            models.CheckConstraint(
                condition=models.Q(reference_number__regex=r"^\d{4}$"),
                name="program_account_reference_4_digits",
            ),
            models.CheckConstraint(
                condition=models.Q(program_identifier__regex=r"^[A-Z]{2}$"),
                name="program_account_identifier_2_letters",
            ),
            models.CheckConstraint(
                condition=models.Q(program_type__in=["importer", "customs_broker", "third_party"]),
                name="program_account_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.full_reference

    @property
    def reference(self) -> str:
        """The short reference shown in the header, e.g. ``RM0001``."""
        return f"{self.program_identifier}{self.reference_number}"

    @property
    def full_reference(self) -> str:
        """BN9 + program identifier + reference number, e.g. ``549132583RM0001``."""
        return f"{self.business.bn9}{self.reference}"
