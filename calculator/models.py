"""Reference data of the duties and taxes calculator (SPEC CALC-2 … CALC-6).

The Customs Tariff by edition (editions side by side; a calculation uses the edition in
force on its date), tariff treatments and who may claim them, Bank of Canada exchange
rates, and the dated trade measures (surtaxes, anti-dumping and countervailing duties,
excise) applied as separate lines. All of it is loaded by operator commands and kept by
CBSA staff in the admin; none of it is code.
"""

import re

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from calculator.rates import RateError, parse_rate
from carm_portal.workflow import transition

NUMBER_PATTERN = r"^\d{4}\.\d{2}\.\d{2}\.\d{2}$"
number_validator = RegexValidator(
    NUMBER_PATTERN, _("Enter a classification number in the form 0000.00.00.00.")
)
PREFIX_PATTERN = re.compile(r"^\d{2}(\d{2}(\.\d{2}(\.\d{2}(\.\d{2})?)?)?)?$")


def validate_rate_text(value: str) -> None:
    try:
        parse_rate(value)
    except RateError as error:
        raise ValidationError(
            _("The rate “%(rate)s” cannot be read: %(reason)s."),
            params={"rate": value, "reason": error.reason},
        ) from error


def validate_prefixes(value: str) -> None:
    for prefix in split_prefixes(value):
        if not PREFIX_PATTERN.match(prefix):
            raise ValidationError(
                _("“%(prefix)s” is not the start of a classification number such as 9401.61."),
                params={"prefix": prefix},
            )


def split_prefixes(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class TariffTreatment(models.Model):
    """A tariff treatment (MFN, GT, UST, CEUT, …) of the Customs Tariff (s. 27)."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    name_en = models.CharField(_("English name"), max_length=200)
    name_fr = models.CharField(_("French name"), max_length=200, blank=True)
    abbreviation_fr = models.CharField(_("French abbreviation"), max_length=8, blank=True)
    cbsa_code = models.PositiveSmallIntegerField(_("CBSA treatment code"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    agreement = models.CharField(_("agreement or program"), max_length=200, blank=True)
    open_to_all = models.BooleanField(
        _("open to every country"),
        default=False,
        help_text=_("Every origin may claim it, except the countries excluded below."),
    )
    beneficiaries_note = models.TextField(_("beneficiaries as published"), blank=True)
    sources = models.TextField(_("sources"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("tariff treatment")
        verbose_name_plural = _("tariff treatments")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name_en}"

    def name(self, language: str) -> str:
        return (self.name_fr or self.name_en) if language == "fr" else self.name_en

    def abbreviation(self, language: str) -> str:
        return (self.abbreviation_fr or self.code) if language == "fr" else self.code


class TreatmentCountry(models.Model):
    """A country that may (or, for a treatment open to all, may not) claim a treatment,
    between two dates."""

    treatment = models.ForeignKey(
        TariffTreatment,
        on_delete=models.CASCADE,
        related_name="countries",
        verbose_name=_("tariff treatment"),
    )
    country = CountryField(_("country"))
    eligible = models.BooleanField(
        _("eligible"), default=True, help_text=_("Unticked: excluded from a treatment open to all.")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("treatment country")
        verbose_name_plural = _("treatment countries")
        ordering = ["treatment", "country"]
        constraints = [
            models.UniqueConstraint(
                fields=["treatment", "country", "eligible"], name="treatment_country_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.treatment_id} {self.country}"


class TariffEdition(models.Model):
    """An edition of the Customs Tariff schedule (e.g. T2026-2, in force 2026-09-01)."""

    code = models.CharField(_("edition"), max_length=20, unique=True)
    effective_from = models.DateField(_("in force from"))
    source = models.CharField(_("source"), max_length=500, blank=True)
    loaded_at = models.DateTimeField(_("loaded"), auto_now=True)

    class Meta:
        verbose_name = _("tariff edition")
        verbose_name_plural = _("tariff editions")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return self.code


class TariffNode(models.Model):
    """A level of the tariff hierarchy: chapter → heading → subheading → tariff item."""

    class Level(models.TextChoices):
        CHAPTER = "chapter", _("Chapter")
        HEADING = "heading", _("Heading")
        SUBHEADING = "subheading", _("Subheading")
        ITEM = "item", _("Tariff item")

    edition = models.ForeignKey(
        TariffEdition, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("edition")
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    code = models.CharField(_("code"), max_length=10)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    description_en = models.TextField(_("English description"), blank=True)
    description_fr = models.TextField(_("French description"), blank=True)

    class Meta:
        verbose_name = _("tariff level")
        verbose_name_plural = _("tariff levels")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="tariff_node_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description_en[:60]}"


class TariffLine(models.Model):
    """A 10-digit classification number: tariff item + statistical suffix, its
    description, unit of measure and rates."""

    edition = models.ForeignKey(
        TariffEdition, on_delete=models.CASCADE, related_name="lines", verbose_name=_("edition")
    )
    number = models.CharField(
        _("classification number"), max_length=13, validators=[number_validator]
    )
    item = models.ForeignKey(
        TariffNode,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("tariff item"),
    )
    chapter = models.CharField(_("chapter"), max_length=2)
    heading = models.CharField(_("heading"), max_length=5)
    subheading = models.CharField(_("subheading"), max_length=7)
    tariff_item = models.CharField(_("tariff item"), max_length=10)
    description_en = models.TextField(_("English description"))
    description_fr = models.TextField(_("French description"), blank=True)
    label_en = models.TextField(_("English label"), blank=True)
    label_fr = models.TextField(_("French label"), blank=True)
    heading_fr = models.TextField(_("French heading"), blank=True)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=3, blank=True)
    mfn_rate = models.CharField(_("MFN rate"), max_length=200)
    preferential_text = models.TextField(_("applicable preferential tariffs"), blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("tariff line")
        verbose_name_plural = _("tariff lines")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="tariff_line_unique_number"),
            models.CheckConstraint(
                condition=models.Q(number__regex=NUMBER_PATTERN), name="tariff_line_number_format"
            ),
        ]
        indexes = [
            # fastupdate off: a loaded edition is searched at once, not after a vacuum
            # has merged the pending list (which every search would otherwise scan).
            GinIndex(fields=["search_vector"], name="tariff_line_search_gin", fastupdate=False),
            models.Index(fields=["edition", "tariff_item"], name="tariff_line_item_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def path_node(self):
        """The tariff item above this line, its parents reachable by ``.parent`` (a search
        result carries a light copy of them, see selectors._fetch_lines)."""
        return getattr(self, "path_item", None) or self.item


class TariffRate(models.Model):
    """The rate of one treatment for one classification number, verbatim."""

    line = models.ForeignKey(
        TariffLine, on_delete=models.CASCADE, related_name="rates", verbose_name=_("tariff line")
    )
    treatment = models.ForeignKey(
        TariffTreatment,
        on_delete=models.PROTECT,
        related_name="rates",
        verbose_name=_("tariff treatment"),
    )
    rate_text = models.CharField(_("rate"), max_length=200)

    class Meta:
        verbose_name = _("tariff rate")
        verbose_name_plural = _("tariff rates")
        constraints = [
            models.UniqueConstraint(fields=["line", "treatment"], name="tariff_rate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.treatment_id}: {self.rate_text}"


class SearchWord(models.Model):
    """A word of the tariff's descriptions, for spelling suggestions (trigram index)."""

    word = models.CharField(max_length=100, unique=True)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")
        indexes = [
            GinIndex(
                OpClass("word", name="gin_trgm_ops"), name="search_word_trgm", fastupdate=False
            ),
        ]

    def __str__(self) -> str:
        return self.word


class SearchSynonym(models.Model):
    """A word of one language and its equivalent in the tariff's wording
    (``coton`` → ``cotton``), so that a French search finds English-only rows."""

    word = models.CharField(_("word"), max_length=100)
    equivalent = models.CharField(_("equivalent"), max_length=100)

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["word"]
        constraints = [
            models.UniqueConstraint(fields=["word", "equivalent"], name="search_synonym_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.word} → {self.equivalent}"


class ExchangeRate(models.Model):
    """A Bank of Canada rate: Canadian dollars for one unit of a currency."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("Daily")
        ANNUAL = "annual_average", _("Annual average")

    currency = models.CharField(_("currency"), max_length=3)
    date = models.DateField(_("date"), help_text=_("For an annual average: 1 January."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DAILY)
    cad_per_unit = models.DecimalField(_("CAD per unit"), max_digits=20, decimal_places=10)
    series = models.CharField(_("series"), max_length=30, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "kind", "date"], name="exchange_rate_unique_day"
            ),
            models.CheckConstraint(
                condition=models.Q(cad_per_unit__gt=0), name="exchange_rate_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="exchange_rate_currency"
            ),
        ]
        indexes = [models.Index(fields=["currency", "kind", "-date"], name="exchange_rate_lookup")]

    def __str__(self) -> str:
        return f"{self.currency} {self.date} {self.cad_per_unit}"


class TradeMeasure(models.Model):
    """A surtax, anti-dumping or countervailing duty, or excise duty/tax: dated data by
    origin and classification, applied as a line of its own (SPEC CALC-6)."""

    class Kind(models.TextChoices):
        SURTAX = "surtax", _("Surtax")
        ANTI_DUMPING = "anti_dumping", _("Anti-dumping duty")
        COUNTERVAILING = "countervailing", _("Countervailing duty")
        EXCISE_DUTY = "excise_duty", _("Excise duty")
        EXCISE_TAX = "excise_tax", _("Excise tax")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name_en = models.CharField(_("English name"), max_length=300)
    name_fr = models.CharField(_("French name"), max_length=300)
    origins = CountryField(
        _("origins"),
        multiple=True,
        blank=True,
        help_text=_("Countries of origin it applies to; none: every origin."),
    )
    classification_prefixes = models.CharField(
        _("classification numbers"),
        max_length=500,
        validators=[validate_prefixes],
        help_text=_("Beginnings of classification numbers, comma-separated: 9401.61, 8703.80."),
    )
    rate_text = models.CharField(
        _("rate"),
        max_length=200,
        validators=[validate_rate_text],
        help_text=_("In the tariff's grammar: 25%, $100/unit, 12.28¢/litre …"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source_title = models.CharField(_("source"), max_length=300)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    verified = models.BooleanField(
        _("figure verified"),
        default=True,
        help_text=_("Unticked: the summary warns that the figure was not checked at its source."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("trade measure")
        verbose_name_plural = _("trade measures")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="trade_measure_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name_en}"

    def name(self, language: str) -> str:
        return self.name_fr if language == "fr" and self.name_fr else self.name_en

    def matches(self, number: str) -> bool:
        return any(
            number.startswith(prefix) for prefix in split_prefixes(self.classification_prefixes)
        )


# --- Commercial accounting declarations (SPEC DECL-1 … DECL-6, ADR 0020) -----------------
# Services: calculator/declarations_services.py; reads: declarations_selectors.py.

TRANSACTION_NUMBER_SEQUENCE = "calculator_cad_transaction_number"
PORT_PATTERN = r"^\d{4}$"
CARRIER_PATTERN = r"^[A-Z0-9]{4}$"
CCN_PATTERN = r"^[A-Z0-9]{4}[A-Z0-9]{1,21}$"


class Declaration(models.Model):
    """A commercial accounting declaration (CAD): what stays the same across its
    versions (the 14-digit transaction number, the program account) and, copied from
    its current version for the list (DECL-5), its header's searchable fields and total.

    Its status follows the latest change (``@transition``); the versions themselves
    never change once submitted (a PostgreSQL trigger, migration 0005)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted (accepted)")
        CORRECTION_ACCEPTED = "correction_accepted", _("Correction accepted")
        ADJUSTMENT_PENDING = "adjustment_pending", _("Adjustment pending")
        ADJUSTMENT_ACCEPTED = "adjustment_accepted", _("Adjustment accepted")
        ADJUSTMENT_REFUSED = "adjustment_refused", _("Adjustment refused")
        CANCELLED = "cancelled", _("Cancelled")

    # States from which a new version (correction or adjustment) may be made.
    CHANGEABLE = (
        Status.SUBMITTED,
        Status.CORRECTION_ACCEPTED,
        Status.ADJUSTMENT_ACCEPTED,
        Status.ADJUSTMENT_REFUSED,
    )

    program_account = models.ForeignKey(
        "business.ProgramAccount",
        on_delete=models.PROTECT,
        related_name="declarations",
        verbose_name=_("program account"),
    )
    transaction_number = models.CharField(
        _("transaction number"), max_length=14, unique=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    # The customs broker (service provider) whose employee submitted it, if any (DECL-5).
    submitted_by_provider = models.ForeignKey(
        "business.Business",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declarations_submitted",
        verbose_name=_("submitted by the service provider"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    current_version = models.ForeignKey(
        "DeclarationVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    # Copied from the current version for the list's search and sorts.
    release_date = models.DateField(_("release date"), null=True, blank=True)
    port_code = models.CharField(_("port of entry"), max_length=4, blank=True)
    vendor_name = models.CharField(_("vendor"), max_length=100, blank=True)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=0)
    due_date = models.DateField(_("accounting due date"), null=True, blank=True)
    payment_due_date = models.DateField(_("payment due date"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("commercial accounting declaration")
        verbose_name_plural = _("commercial accounting declarations")
        ordering = ["-release_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(transaction_number__regex=r"^\d{14}$"),
                name="declaration_transaction_number_format",
            ),
        ]
        indexes = [
            # DECL-5: each of the list's orders on its own index of the account, scanned
            # forwards or backwards (the tie-breaker goes the same way: selectors.SORTS);
            # the default (newest release first) also serves the release date range.
            models.Index(
                fields=["program_account", "release_date", "id"], name="declaration_account_date"
            ),
            models.Index(
                fields=["program_account", "status", "release_date", "id"],
                name="declaration_account_status",
            ),
            models.Index(
                fields=["program_account", "port_code", "release_date", "id"],
                name="declaration_account_port",
            ),
            models.Index(
                fields=["program_account", "total", "id"], name="declaration_account_total"
            ),
            models.Index(
                fields=["program_account", "due_date", "id"], name="declaration_account_due"
            ),
            models.Index(
                fields=["program_account", "transaction_number"],
                name="declaration_account_number",
            ),
        ]

    def __str__(self) -> str:
        return self.transaction_number

    @property
    def is_late(self) -> bool:
        """Not yet submitted and past its accounting due date, or submitted after it."""
        if self.due_date is None or self.status == self.Status.CANCELLED:
            return False
        if self.submitted_at is not None:
            return timezone.localdate(self.submitted_at) > self.due_date
        return timezone.localdate() > self.due_date

    @property
    def editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def changeable(self) -> bool:
        return self.status in self.CHANGEABLE

    @transition(sources=[Status.DRAFT], target=Status.SUBMITTED)
    def submit(self, *, actor, provider, version) -> None:
        self.submitted_by = actor
        self.submitted_by_provider = provider
        self.submitted_at = timezone.now()
        self.current_version = version

    @transition(sources=CHANGEABLE, target=Status.CORRECTION_ACCEPTED)
    def correct(self, *, version) -> None:
        self.current_version = version

    @transition(sources=CHANGEABLE, target=Status.ADJUSTMENT_PENDING)
    def request_adjustment(self) -> None:
        """The current version stays the one in force until CBSA approves."""

    @transition(sources=[Status.ADJUSTMENT_PENDING], target=Status.ADJUSTMENT_ACCEPTED)
    def approve_adjustment(self, *, version) -> None:
        self.current_version = version

    @transition(sources=[Status.ADJUSTMENT_PENDING], target=Status.ADJUSTMENT_REFUSED)
    def refuse_adjustment(self) -> None:
        """The version in force stays the one before the adjustment."""

    @transition(sources=[Status.DRAFT], target=Status.CANCELLED)
    def cancel(self) -> None:
        """A draft withdrawn before it was submitted (nothing was posted)."""


class DeclarationVersion(models.Model):
    """One version of a CAD: its header and lines as declared, and their figures.

    Version 1 is the original (a draft until submitted); every correction or adjustment
    is a new version. Once submitted (``submitted_at`` set) a version and its lines never
    change: the database refuses it (migration 0005); only the decision on a pending
    adjustment (``status``, ``decided_*``, ``posted_transaction``) may still be written,
    once."""

    class Kind(models.TextChoices):
        ORIGINAL = "original", _("Original")
        CORRECTION = "correction", _("Correction")
        ADJUSTMENT = "adjustment", _("Adjustment")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACCEPTED = "accepted", _("Accepted")
        PENDING = "pending", _("Pending CBSA approval")
        REFUSED = "refused", _("Refused")

    declaration = models.ForeignKey(
        Declaration,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("declaration"),
    )
    number = models.PositiveSmallIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # Header (DECL-1).
    release_date = models.DateField(_("release date"), null=True, blank=True)
    port_code = models.CharField(_("port of entry"), max_length=4, blank=True)
    office = models.CharField(_("office"), max_length=100, blank=True)
    carrier_code = models.CharField(_("carrier code"), max_length=4, blank=True)
    cargo_control_number = models.CharField(_("cargo control number"), max_length=25, blank=True)
    vendor_name = models.CharField(_("vendor name"), max_length=100, blank=True)
    vendor_country = CountryField(_("vendor country"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    exchange_rate_date = models.DateField(
        _("exchange-rate date"),
        null=True,
        blank=True,
        help_text=_("The date of direct shipment."),
    )
    reason = models.TextField(_("reason for the change"), blank=True)
    # Figures of the whole version (sum of its lines), set when submitted.
    duty = models.DecimalField(_("customs duty"), max_digits=14, decimal_places=2, default=0)
    sima = models.DecimalField(
        _("surtax, anti-dumping and countervailing duties"),
        max_digits=14,
        decimal_places=2,
        default=0,
    )
    excise = models.DecimalField(_("excise"), max_digits=14, decimal_places=2, default=0)
    gst = models.DecimalField(_("GST"), max_digits=14, decimal_places=2, default=0)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=0)
    difference = models.DecimalField(
        _("difference from the version in force"), max_digits=14, decimal_places=2, default=0
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("made by"),
    )
    acting_for_provider = models.ForeignKey(
        "business.Business",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service provider"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    posted_transaction = models.ForeignKey(
        "finance.Transaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declaration_versions",
        verbose_name=_("transaction posted"),
    )

    HEADER_FIELDS = (
        "release_date",
        "port_code",
        "office",
        "carrier_code",
        "cargo_control_number",
        "vendor_name",
        "vendor_country",
        "currency",
        "exchange_rate_date",
    )

    class Meta:
        verbose_name = _("declaration version")
        verbose_name_plural = _("declaration versions")
        ordering = ["declaration", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "number"], name="declaration_version_unique"
            ),
            # One version at most waits for CBSA at a time.
            models.UniqueConstraint(
                fields=["declaration"],
                condition=models.Q(status="pending"),
                name="declaration_one_pending_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id} v{self.number}"


class DeclarationLine(models.Model):
    """One commercial invoice line of a version, as typed, and its figures (DECL-2)."""

    version = models.ForeignKey(
        DeclarationVersion,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("version"),
    )
    position = models.PositiveSmallIntegerField(_("line"))
    classification_number = models.CharField(_("classification number"), max_length=13, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    origin = CountryField(_("country of origin"), blank=True)
    treatment = models.CharField(_("tariff treatment"), max_length=8, blank=True)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=3, blank=True)
    # Figures, set by the calculator's engine (null until computed).
    vfd = models.DecimalField(
        _("value for duty"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    duty = models.DecimalField(
        _("customs duty"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    sima = models.DecimalField(
        _("surtax, anti-dumping and countervailing duties"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    excise = models.DecimalField(
        _("excise"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    gst = models.DecimalField(_("GST"), max_digits=14, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, null=True, blank=True)
    rate_text = models.CharField(_("rate"), max_length=200, blank=True)

    INPUT_FIELDS = (
        "classification_number",
        "description",
        "origin",
        "treatment",
        "value",
        "quantity",
        "unit",
    )

    class Meta:
        verbose_name = _("declaration line")
        verbose_name_plural = _("declaration lines")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="declaration_line_unique"),
        ]
        indexes = [
            # DECL-5: search by classification number (a prefix).
            models.Index(
                fields=["classification_number", "version"], name="declaration_line_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} #{self.position}"
