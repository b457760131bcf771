"""Reference data of the duties and taxes calculator (SPEC CALC-2 … CALC-6).

The Customs Tariff by edition (editions side by side; a calculation uses the edition in
force on its date), tariff treatments and who may claim them, Bank of Canada exchange
rates, and the dated trade measures (surtaxes, anti-dumping and countervailing duties,
excise) applied as separate lines. All of it is loaded by operator commands and kept by
CBSA staff in the admin; none of it is code.
"""

import re

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from calculator.rates import RateError, parse_rate

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
