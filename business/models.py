"""Businesses and their program accounts (SPEC section 0, LINK-5)."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carm_portal.workflow import transition

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
    # What CRA has on file (SPEC LINK-5), shown in the business profile (HOME-5).
    business_activity = models.CharField(_("business activity"), max_length=255, blank=True)
    business_activity_fr = models.CharField(
        _("business activity (French)"), max_length=255, blank=True, db_default=""
    )
    correspondence_language = models.CharField(
        _("language of correspondence"),
        max_length=2,
        choices=[("en", _("English")), ("fr", _("French"))],
        default="en",
    )
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
        # The account search (HOME-1) looks for words anywhere in the names (icontains:
        # UPPER(name) LIKE '%…%'): trigram indexes, or every business is read.
        indexes = [
            # Lists by name (a provider's clients and relationships, a page of 25 of
            # thousands) walk it and stop, instead of sorting every client.
            models.Index(fields=["legal_name", "id"], name="business_legal_name"),
            GinIndex(
                OpClass(Upper("legal_name"), name="gin_trgm_ops"), name="business_legal_name_trgm"
            ),
            GinIndex(
                OpClass(Upper("operating_name"), name="gin_trgm_ops"),
                name="business_operating_name_trgm",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.bn9})"

    @property
    def display_name(self) -> str:
        return self.operating_name or self.legal_name

    @property
    def is_registered(self) -> bool:
        return hasattr(self, "registration")


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
    sub_programs = models.CharField(
        _("sub-programs"), max_length=255, blank=True, help_text=_("Comma-separated, as on file.")
    )
    sub_programs_fr = models.CharField(
        _("sub-programs (French)"),
        max_length=255,
        blank=True,
        db_default="",
        help_text=_("Comma-separated, as on file."),
    )
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


class Address(models.Model):
    """An address CRA has on file for a business (SPEC LINK-3, HOME-5)."""

    class Kind(models.TextChoices):
        PHYSICAL = "physical", _("Physical address")
        MAILING = "mailing", _("Mailing address")
        BOOKS = "books", _("Books and records address")

    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("business")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    line1 = models.CharField(_("address line 1"), max_length=100)
    line2 = models.CharField(_("address line 2"), max_length=100, blank=True)
    po_box = models.CharField(_("PO box/RR"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=60, blank=True)
    province = models.CharField(_("province or state"), max_length=30, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    country = models.CharField(
        _("country"), max_length=2, default="CA", help_text=_("ISO 3166 code, e.g. CA")
    )

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            models.UniqueConstraint(fields=["business", "kind"], name="address_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.line1}"


class Person(models.Model):
    """A contact or an owner of a business on file (HOME-5: contacts, ownership)."""

    class Kind(models.TextChoices):
        OWNER = "owner", _("Owner")
        CONTACT = "contact", _("Contact")

    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="people", verbose_name=_("business")
    )
    # HOME-5: a program account has its own contacts and owners; none: the business's.
    program_account = models.ForeignKey(
        ProgramAccount,
        on_delete=models.CASCADE,
        related_name="people",
        null=True,
        blank=True,
        verbose_name=_("program account"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("title"), max_length=100, blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=100, blank=True, db_default="")
    phone = models.CharField(_("telephone number"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("owner or contact")
        verbose_name_plural = _("owners and contacts")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Registration(models.Model):
    """The business is registered on the portal (SPEC LINK-4): once, enforced here."""

    business = models.OneToOneField(
        Business, on_delete=models.PROTECT, related_name="registration", verbose_name=_("business")
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        verbose_name = _("portal registration")
        verbose_name_plural = _("portal registrations")

    def __str__(self) -> str:
        return str(self.business)


class RegistrationAttempts(models.Model):
    """Failed validations of one person registering one business (SPEC LINK-3).

    After 10, that person's registration of that business is locked until CBSA staff
    unlock it in the admin.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    bn9 = models.CharField(_("business number"), max_length=9)
    failures = models.PositiveSmallIntegerField(_("failed validations"), default=0)
    locked = models.BooleanField(_("locked"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("registration attempts")
        verbose_name_plural = _("registration attempts")
        constraints = [
            models.UniqueConstraint(fields=["user", "bn9"], name="registration_attempts_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.bn9}"


class ChangeRequest(models.Model):
    """A manager asks the CBSA to change the business's or a program account's
    information on file (FIN-9): an address, a contact, or the mailing preference (the
    language of correspondence). CBSA staff answer it in the admin (submitted → approved,
    then applied at once | refused). ``changes`` holds the new values, as the form
    cleaned them (``business.services.CHANGE_FIELDS``)."""

    class Kind(models.TextChoices):
        ADDRESS = "address", _("Address")
        CONTACT = "contact", _("Contact")
        MAILING = "mailing", _("Mailing preference")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved and applied")
        REFUSED = "refused", _("Refused")

    business = models.ForeignKey(
        Business,
        on_delete=models.PROTECT,
        related_name="change_requests",
        verbose_name=_("business"),
    )
    # Set when the request is about one program account (its own contacts).
    program_account = models.ForeignKey(
        ProgramAccount,
        on_delete=models.PROTECT,
        related_name="change_requests",
        null=True,
        blank=True,
        verbose_name=_("program account"),
    )
    kind = models.CharField(_("what to change"), max_length=10, choices=Kind.choices)
    changes = models.JSONField(_("new information"))
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
    reason = models.TextField(_("reason given to the business"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-requested_at"]
        indexes = [
            models.Index(
                fields=["business", "status", "-requested_at"], name="change_request_business"
            ),
            models.Index(
                fields=["program_account", "status", "-requested_at"],
                name="change_request_account",
            ),
        ]

    def __str__(self) -> str:
        target = self.program_account or self.business
        return f"{target} – {self.get_kind_display()}"

    def _answer(self, by, reason: str) -> None:
        self.answered_by = by
        self.answered_at = timezone.now()
        self.reason = reason

    @transition(
        sources=[Status.SUBMITTED],
        target=Status.APPROVED,
        label=_("Approve and apply"),
        refused=_("This request was already answered."),
    )
    def approve(self, *, by, reason: str = "") -> None:
        self._answer(by, reason)

    @transition(
        sources=[Status.SUBMITTED],
        target=Status.REFUSED,
        label=_("Refuse"),
        refused=_("This request was already answered."),
    )
    def refuse(self, *, by, reason: str) -> None:
        if not reason.strip():
            raise ValidationError(_("Give the business the reason for the refusal."))
        self._answer(by, reason)
