"""The open API's serializers (SPEC CALC-2 … CALC-6): what it reads and what it answers.

The output serializers are the only description of an answer: the views pass their data
through them and the OpenAPI schema is generated from them, so the published schema and
the answers cannot drift apart (``calculator/tests/test_api.py`` checks every answer
against the schema, with no undocumented field allowed). Every field has a help text in
English and French.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from calculator import duties, selectors
from calculator.forms import (
    EARLIEST_DATE,
    MAX_QUANTITY,
    MAX_VALUE,
    CustomsForm,
    normalize_number,
)
from calculator.models import TariffLine
from calculator.rates import RateError, display_rate, parse_rate

LANGUAGES = ("en", "fr")

# --- What the API reads ------------------------------------------------------------------


def _latest_date():
    return timezone.localdate() + timedelta(days=366)


class DateQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, help_text=_("YYYY-MM-DD"))

    def validate_date(self, value):
        if value < EARLIEST_DATE or value > _latest_date():
            raise serializers.ValidationError(
                _("Enter a date between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST_DATE.isoformat(), "latest": _latest_date().isoformat()}
            )
        return value


class NumberField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "help_text", _("Classification number, 10 digits: 0000.00.00.00 or 0000000000.")
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        number = normalize_number(super().to_internal_value(data))
        if not number:
            raise serializers.ValidationError(
                _("Enter a classification number of 10 digits, in the form 0000.00.00.00.")
            )
        return number


def _country_choices() -> set[str]:
    return {code for code, _name in countries} - {"CA"}


# --- Representations (the data the output serializers write) ----------------------------


def _description(line: TariffLine, language: str) -> dict:
    french = line.description_fr or None
    return {
        "description": french if language == "fr" and french else line.description_en,
        "description_language": "fr" if language == "fr" and french else "en",
        "description_en": line.description_en,
        "description_fr": french,
    }


def _path(line: TariffLine, language: str) -> list[dict]:
    nodes = []
    node = line.path_node
    while node is not None:
        nodes.insert(0, node)
        node = node.parent
    out = []
    for node in nodes:
        text = node.description_fr if language == "fr" and node.description_fr else None
        out.append(
            {
                "level": node.level,
                "code": node.code,
                "description": text or node.description_en,
            }
        )
    return out


def _rate_kind(text: str) -> str:
    try:
        return parse_rate(text).kind
    except RateError:
        return "unreadable"


def line_representation(line: TariffLine, language: str) -> dict:
    return {
        "classification_number": line.number,
        "tariff_edition": line.edition.code,
        "edition_in_force_from": line.edition.effective_from.isoformat(),
        **_description(line, language),
        "path": _path(line, language),
        "unit_of_measure": line.unit_of_measure or None,
        "rates": [
            {
                "treatment": rate.treatment_id,
                "rate": rate.rate_text,
                "rate_display": display_rate(rate.rate_text, language),
                "kind": _rate_kind(rate.rate_text),
            }
            for rate in selectors.sorted_rates(line)
        ],
        "source_url": line.source_url or None,
    }


class SearchQuerySerializer(DateQuerySerializer):
    q = serializers.CharField(
        max_length=200, help_text=_("A few words in English or French, or a number's start.")
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=50,
        required=False,
        default=25,
        help_text=_("How many results at most, 1 to 50 (25 when absent)."),
    )


class OriginField(serializers.CharField):
    """A country of origin as an ISO 3166 two-letter code (Canada excluded)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("min_length", 2)
        kwargs.setdefault("help_text", _("Country of origin, ISO 3166 two-letter code (e.g. US)."))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = super().to_internal_value(data).upper()
        if code not in _country_choices():
            raise serializers.ValidationError(
                _("Enter a country of origin as an ISO 3166 two-letter code, such as US.")
            )
        return code


class TreatmentsQuerySerializer(DateQuerySerializer):
    origin = OriginField()
    number = NumberField(required=False)


class CalculationSerializer(serializers.Serializer):
    classification_number = NumberField()
    origin = OriginField()
    treatment = serializers.CharField(
        max_length=8, default="MFN", help_text=_("Tariff treatment code (MFN when absent).")
    )
    value = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_VALUE,
        help_text=_("Value of the goods in the currency, at most 2 decimals."),
        error_messages=CustomsForm.base_fields["value"].error_messages,
    )
    currency = serializers.RegexField(
        r"^[A-Za-z]{3}$", help_text=_("ISO 4217 code, e.g. USD; CAD for Canadian dollars.")
    )
    shipping_date = serializers.DateField(help_text=_("Date of direct shipment, YYYY-MM-DD."))
    quantity = serializers.DecimalField(
        max_digits=13,
        decimal_places=3,
        min_value=Decimal("0.001"),
        max_value=MAX_QUANTITY,
        required=False,
        allow_null=True,
        help_text=_("Quantity in the tariff's unit of measure; needed for a specific rate."),
        error_messages=CustomsForm.base_fields["quantity"].error_messages,
    )

    def validate_currency(self, value):
        code = value.upper()
        if code not in selectors.currencies_available():
            raise serializers.ValidationError(
                _("Unknown currency %(currency)s.") % {"currency": value}
            )
        return code

    def validate_shipping_date(self, value):
        return DateQuerySerializer().validate_date(value)

    def validate(self, data):
        try:
            self.estimate = duties.estimate(
                number=data["classification_number"],
                origin=data["origin"],
                treatment=data["treatment"].upper(),
                value=data["value"],
                currency=data["currency"],
                shipping_date=data["shipping_date"],
                quantity=data.get("quantity"),
            )
        except duties.EstimateError as error:
            renamed = {"number": "classification_number"}
            raise serializers.ValidationError(
                {renamed.get(name, name): messages for name, messages in error.errors.items()}
            ) from error
        return data


def estimate_representation(estimate: duties.Estimate, language: str) -> dict:
    def line(item: duties.Line) -> dict:
        label = item.label.name(language) if hasattr(item.label, "name") else str(item.label)
        return {
            "code": item.code,
            "label": label,
            "rate": item.rate_text,
            "rate_display": display_rate(item.rate_text, language),
            "amount": str(item.amount),
            "source": item.source,
            "source_url": item.source_url or None,
            "figure_verified": item.verified,
        }

    return {
        "classification_number": estimate.line.number,
        **_description(estimate.line, language),
        "tariff_edition": estimate.line.edition.code,
        "origin": estimate.origin,
        "treatment": estimate.treatment.code,
        "currency": estimate.currency,
        "value": str(estimate.value),
        "shipping_date": estimate.shipping_date.isoformat(),
        "exchange_rate": {
            "cad_per_unit": str(estimate.rate_used.normalize()),
            "date": estimate.rate_date.isoformat(),
            "series": estimate.exchange_rate.series if estimate.exchange_rate else "",
        },
        "quantity": str(estimate.quantity.amount) if estimate.quantity else None,
        "unit_of_measure": estimate.line.unit_of_measure or None,
        "value_for_duty": str(estimate.vfd),
        "lines": [line(estimate.customs_duty), *[line(m) for m in estimate.measures]],
        "value_for_tax": str(estimate.vft),
        "gst": str(estimate.gst),
        "gst_rate": "5%",
        "total": str(estimate.total),
        "warnings": [str(warning) for warning in estimate.warnings],
    }


# --- What the API answers ----------------------------------------------------------------


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^-?\d+(\.\d+)?$"})
class DecimalText(serializers.CharField):
    """A decimal number written as a string (exact: no binary rounding)."""


RATE_KINDS = [
    "free",
    "ad_valorem",
    "specific",
    "compound",
    "floor",
    "ceiling",
    "not_available",
    "unreadable",
]
NUMBER = _("Classification number, 10 digits: 0000.00.00.00.")
EDITION = _("Code of the edition of the Customs Tariff used, e.g. T2026-2.")
RATE_TEXT = _("As published, in English.")
RATE_DISPLAY = _("In the language of the answer.")


@extend_schema_serializer(component_name="Rate")
class RateOut(serializers.Serializer):
    treatment = serializers.CharField(help_text=_("Tariff treatment code, e.g. MFN."))
    rate = serializers.CharField(help_text=RATE_TEXT)
    rate_display = serializers.CharField(help_text=RATE_DISPLAY)
    kind = serializers.ChoiceField(
        choices=RATE_KINDS,
        help_text=_("How the rate is computed: free, a percentage, an amount per unit, both…"),
    )


@extend_schema_serializer(component_name="TariffLevel")
class TariffLevelOut(serializers.Serializer):
    level = serializers.CharField(
        help_text=_("Level in the tariff's hierarchy (chapter, heading, subheading…).")
    )
    code = serializers.CharField(help_text=_("Code of the level, e.g. 61.09."))
    description = serializers.CharField(
        help_text=_("Description of the level, in French when available, else in English.")
    )


@extend_schema_serializer(component_name="Description")
class DescriptionOut(serializers.Serializer):
    description = serializers.CharField(
        help_text=_("Description of the goods, in French when asked and available.")
    )
    description_language = serializers.ChoiceField(
        choices=list(LANGUAGES), help_text=_("Language of the description: en or fr.")
    )
    description_en = serializers.CharField(help_text=_("Description in English."))
    description_fr = serializers.CharField(
        allow_null=True, help_text=_("Description in French; null when not published.")
    )


@extend_schema_serializer(component_name="TariffLine")
class TariffLineOut(DescriptionOut):
    classification_number = serializers.CharField(help_text=NUMBER)
    tariff_edition = serializers.CharField(help_text=EDITION)
    edition_in_force_from = serializers.DateField(
        help_text=_("Date from which the edition is in force.")
    )
    path = TariffLevelOut(many=True, help_text=_("The levels above the line, chapter first."))
    unit_of_measure = serializers.CharField(
        allow_null=True, help_text=_("Unit of measure of the tariff; null when none.")
    )
    rates = RateOut(many=True, help_text=_("The rate of every treatment, MFN first."))
    source_url = serializers.URLField(
        allow_null=True, help_text=_("Where the line is published; null when unknown.")
    )


@extend_schema_serializer(component_name="SearchResults")
class SearchResultsOut(serializers.Serializer):
    query = serializers.CharField(help_text=_("The words searched, as understood."))
    tariff_edition = serializers.CharField(
        allow_null=True, help_text=_("Edition searched; null when none is in force.")
    )
    corrections = serializers.DictField(
        child=serializers.CharField(),
        help_text=_("Misspelled words and the words searched instead."),
    )
    all_words_matched = serializers.BooleanField(
        help_text=_("False when no line matched every word and any word was enough.")
    )
    results = TariffLineOut(many=True, help_text=_("The lines found, best first."))


@extend_schema_serializer(component_name="Treatment")
class TreatmentOut(serializers.Serializer):
    code = serializers.CharField(help_text=_("Tariff treatment code, e.g. MFN."))
    abbreviation = serializers.CharField(help_text=_("Abbreviation in the language of the answer."))
    name = serializers.CharField(help_text=_("Name in the language of the answer."))
    cbsa_code = serializers.IntegerField(
        allow_null=True, help_text=_("The CBSA's numeric code; null when none.")
    )
    rate = serializers.CharField(
        allow_null=True,
        help_text=_("Rate for the classification number, as published; null without one."),
    )
    rate_display = serializers.CharField(
        allow_null=True, help_text=_("The same rate in the language of the answer.")
    )


@extend_schema_serializer(component_name="Treatments")
class TreatmentsOut(serializers.Serializer):
    origin = serializers.CharField(help_text=_("Country of origin, ISO 3166 two-letter code."))
    date = serializers.DateField(help_text=_("Date of direct shipment used."))
    classification_number = serializers.CharField(
        allow_null=True, help_text=_("Classification number asked for; null without one.")
    )
    treatments = TreatmentOut(many=True, help_text=_("The treatments open, MFN first."))


@extend_schema_serializer(component_name="ExchangeRate")
class ExchangeRateOut(serializers.Serializer):
    currency = serializers.CharField(help_text=_("ISO 4217 code, e.g. USD."))
    currency_name = serializers.CharField(
        help_text=_("Name of the currency in the language of the answer.")
    )
    requested_date = serializers.DateField(help_text=_("Date asked for."))
    date = serializers.DateField(help_text=_("Date of the rate used (on or before it)."))
    cad_per_unit = DecimalText(help_text=_("Canadian dollars for one unit of the currency."))
    series = serializers.CharField(help_text=_("Bank of Canada series of the rate; empty for CAD."))
    source = serializers.CharField(help_text=_("Where the rate comes from; empty for CAD."))


@extend_schema_serializer(component_name="CalculationExchangeRate")
class CalculationRateOut(serializers.Serializer):
    cad_per_unit = DecimalText(help_text=_("Canadian dollars for one unit of the currency."))
    date = serializers.DateField(help_text=_("Date of the rate used (on or before it)."))
    series = serializers.CharField(help_text=_("Bank of Canada series of the rate; empty for CAD."))


@extend_schema_serializer(component_name="CalculationLine")
class CalculationLineOut(serializers.Serializer):
    code = serializers.CharField(
        help_text=_("What the line is: customs duty, surtax, anti-dumping, excise…")
    )
    label = serializers.CharField(help_text=_("Name of the line in the language of the answer."))
    rate = serializers.CharField(help_text=RATE_TEXT)
    rate_display = serializers.CharField(help_text=RATE_DISPLAY)
    amount = DecimalText(help_text=_("Amount in Canadian dollars, rounded to the cent."))
    source = serializers.CharField(help_text=_("Where the rate comes from."))
    source_url = serializers.URLField(
        allow_null=True, help_text=_("Link to the source; null when none.")
    )
    figure_verified = serializers.BooleanField(
        help_text=_("Whether the rate was checked against its source.")
    )


@extend_schema_serializer(component_name="Calculation")
class CalculationOut(DescriptionOut):
    classification_number = serializers.CharField(help_text=NUMBER)
    tariff_edition = serializers.CharField(help_text=EDITION)
    origin = serializers.CharField(help_text=_("Country of origin, ISO 3166 two-letter code."))
    treatment = serializers.CharField(help_text=_("Tariff treatment code, e.g. MFN."))
    currency = serializers.CharField(help_text=_("Currency of the value, ISO 4217 code."))
    value = DecimalText(help_text=_("Value of the goods in that currency."))
    shipping_date = serializers.DateField(help_text=_("Date of direct shipment."))
    exchange_rate = CalculationRateOut(help_text=_("Bank of Canada rate used."))
    quantity = DecimalText(
        allow_null=True,
        help_text=_("Quantity in the tariff's unit of measure; null when not given."),
    )
    unit_of_measure = serializers.CharField(
        allow_null=True, help_text=_("Unit of measure of the tariff; null when none.")
    )
    value_for_duty = DecimalText(help_text=_("Value for duty in Canadian dollars."))
    lines = CalculationLineOut(
        many=True, help_text=_("Customs duty first, then surtaxes, anti-dumping and excise.")
    )
    value_for_tax = DecimalText(
        help_text=_("Value for duty plus the lines, in Canadian dollars: what GST applies to.")
    )
    gst = DecimalText(help_text=_("Goods and services tax, in Canadian dollars."))
    gst_rate = serializers.CharField(help_text=_("Rate of the goods and services tax."))
    total = DecimalText(help_text=_("Duties and taxes in total, in Canadian dollars."))
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("What the estimate could not take into account, in the answer's language."),
    )


@extend_schema_serializer(component_name="ApiRoot")
class ApiRootOut(serializers.Serializer):
    tariff_lookup = serializers.URLField(help_text=_("Example: look up a classification number."))
    tariff_search = serializers.URLField(help_text=_("Example: search the tariff by words."))
    treatments = serializers.URLField(help_text=_("Example: the treatments open to an origin."))
    exchange_rate = serializers.URLField(help_text=_("Example: an exchange rate."))
    calculations = serializers.URLField(help_text=_("Where to send a calculation (POST)."))
    schema = serializers.URLField(help_text=_("This API's OpenAPI 3 schema."))
    documentation = serializers.URLField(help_text=_("This API's documentation page."))


@extend_schema_serializer(component_name="Detail")
class DetailOut(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, in the answer's language."))


def closed_response_schemas(result, generator, request, public):
    """A drf-spectacular postprocessing hook: an answer has no field its serializer does
    not declare (``additionalProperties: false`` on every answer's component; request
    components, named ``…Request``, stay open)."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") or schema.get("type") != "object":
            continue
        if "properties" in schema:
            schema.setdefault("additionalProperties", False)
    return result
