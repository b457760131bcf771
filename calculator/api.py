"""The open API of the duties and taxes calculator: /api/v1/ (SPEC CALC, SIGN-1).

Public and read-only but for the calculation (POST, which writes nothing). Answers in
the language of ``?lang=`` or ``Accept-Language``; bad input gets 400 with a message per
field; anonymous callers are rate-limited on the Redis cache (429 with Retry-After).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from calculator import duties, selectors
from calculator.currencies import currency_name
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


LANG_PARAMETER = OpenApiParameter(
    "lang",
    str,
    OpenApiParameter.QUERY,
    enum=list(LANGUAGES),
    description=_("Language of the answer and of the error messages (else Accept-Language)."),
)
DATE_PARAMETER = OpenApiParameter(
    "date",
    OpenApiTypes.DATE,
    OpenApiParameter.QUERY,
    description=_("Date of direct shipment, YYYY-MM-DD; today when absent."),
)
ERRORS = inline_serializer(
    "FieldErrors",
    fields={
        "field": serializers.ListField(
            child=serializers.CharField(), help_text=_("Messages about one field.")
        )
    },
)
NOT_FOUND = inline_serializer("NotFound", fields={"detail": serializers.CharField()})
THROTTLED = inline_serializer("Throttled", fields={"detail": serializers.CharField()})
COMMON_RESPONSES = {400: ERRORS, 429: THROTTLED}


class LanguageMixin:
    """``?lang=fr`` wins over Accept-Language; the answer says its language. The language
    chosen by ``?lang`` is put back when the answer is ready (no leak to the thread)."""

    def initial(self, request, *args, **kwargs):
        self._language_before = None
        language = request.query_params.get("lang")
        if language in LANGUAGES:
            self._language_before = translation.get_language()
            translation.activate(language)
            request.LANGUAGE_CODE = language
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language() or settings.LANGUAGE_CODE
        if getattr(self, "_language_before", None):
            translation.activate(self._language_before)
        return response


def _language() -> str:
    return "fr" if (translation.get_language() or "en").startswith("fr") else "en"


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


# --- Representations ---------------------------------------------------------------------


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


RATE_OUT = inline_serializer(
    "Rate",
    fields={
        "treatment": serializers.CharField(),
        "rate": serializers.CharField(help_text=_("As published, in English.")),
        "rate_display": serializers.CharField(help_text=_("In the language of the answer.")),
        "kind": serializers.ChoiceField(
            choices=[
                "free",
                "ad_valorem",
                "specific",
                "compound",
                "floor",
                "ceiling",
                "not_available",
                "unreadable",
            ]
        ),
    },
)
LINE_OUT = inline_serializer(
    "TariffLine",
    fields={
        "classification_number": serializers.CharField(),
        "tariff_edition": serializers.CharField(),
        "edition_in_force_from": serializers.DateField(),
        "description": serializers.CharField(),
        "description_language": serializers.ChoiceField(choices=["en", "fr"]),
        "description_en": serializers.CharField(),
        "description_fr": serializers.CharField(allow_null=True),
        "path": inline_serializer(
            "TariffLevel",
            fields={
                "level": serializers.CharField(),
                "code": serializers.CharField(),
                "description": serializers.CharField(),
            },
            many=True,
        ),
        "unit_of_measure": serializers.CharField(allow_null=True),
        "rates": RATE_OUT.__class__(many=True),
        "source_url": serializers.URLField(allow_null=True),
    },
)


# --- Endpoints ---------------------------------------------------------------------------


class ApiRoot(LanguageMixin, APIView):
    @extend_schema(
        operation_id="api_root",
        summary=_("What this API offers"),
        description=_("Links to each operation, to the OpenAPI schema and to this page."),
        parameters=[LANG_PARAMETER],
        responses={200: OpenApiTypes.OBJECT, 429: THROTTLED},
    )
    def get(self, request):
        def url(name, **kwargs):
            return request.build_absolute_uri(reverse(f"calculator_api:{name}", kwargs=kwargs))

        return Response(
            {
                "tariff_lookup": url("tariff_line", number="0901.11.00.10"),
                "tariff_search": url("tariff_search") + "?q=coffee",
                "treatments": url("treatments") + "?origin=US",
                "exchange_rate": url("exchange_rate", currency="USD"),
                "calculations": url("calculations"),
                "schema": url("schema"),
                "documentation": request.build_absolute_uri(reverse("calculator:api_docs")),
            }
        )


class TariffLineView(LanguageMixin, APIView):
    @extend_schema(
        operation_id="tariff_lookup",
        summary=_("Look up a classification number"),
        description=_(
            "The classification number in the edition of the Customs Tariff in force on the "
            "date: its description (in French when available, else in English), its place "
            "in the hierarchy, its unit of measure and the rate of every treatment."
        ),
        parameters=[
            OpenApiParameter(
                "number",
                str,
                OpenApiParameter.PATH,
                description=_("Classification number, 10 digits: 0000.00.00.00."),
            ),
            DATE_PARAMETER,
            LANG_PARAMETER,
        ],
        responses={200: LINE_OUT, 404: NOT_FOUND, **COMMON_RESPONSES},
    )
    def get(self, request, number: str):
        query = DateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("date") or timezone.localdate()
        field = NumberField()
        try:
            normalized = field.to_internal_value(number)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({"number": error.detail}) from error
        line = selectors.tariff_line_get(number=normalized, on=on)
        if line is None:
            raise NotFound(
                _(
                    "Classification number %(number)s is not in the Customs Tariff in force on "
                    "%(date)s."
                )
                % {"number": normalized, "date": on.isoformat()}
            )
        return Response(line_representation(line, _language()))


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


class TariffSearchView(LanguageMixin, APIView):
    @extend_schema(
        operation_id="tariff_search",
        summary=_("Search the tariff by words (classification assistance)"),
        description=_(
            "Full-text search over the descriptions and their parents in English and French, "
            "with spelling suggestions for misspelled words. All words must match; when "
            "nothing does, any word may (all_words_matched is then false)."
        ),
        parameters=[SearchQuerySerializer, LANG_PARAMETER],
        responses={
            200: inline_serializer(
                "SearchResults",
                fields={
                    "query": serializers.CharField(),
                    "tariff_edition": serializers.CharField(allow_null=True),
                    "corrections": serializers.DictField(child=serializers.CharField()),
                    "all_words_matched": serializers.BooleanField(),
                    "results": LINE_OUT.__class__(many=True),
                },
            ),
            **COMMON_RESPONSES,
        },
    )
    def get(self, request):
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("date") or timezone.localdate()
        result = selectors.tariff_search(
            query=query.validated_data["q"], on=on, limit=query.validated_data["limit"]
        )
        language = _language()
        return Response(
            {
                "query": result.query,
                "tariff_edition": result.edition.code if result.edition else None,
                "corrections": result.corrections,
                "all_words_matched": result.all_words_matched,
                "results": [line_representation(line, language) for line in result.lines],
            }
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


class TreatmentsView(LanguageMixin, APIView):
    @extend_schema(
        operation_id="treatments_for_origin",
        summary=_("Tariff treatments open to an origin"),
        description=_(
            "The treatments goods of the origin may claim on the date, MFN first; with a "
            "classification number, only those that have a rate for it, with that rate."
        ),
        parameters=[TreatmentsQuerySerializer, LANG_PARAMETER],
        responses={
            200: inline_serializer(
                "Treatments",
                fields={
                    "origin": serializers.CharField(),
                    "date": serializers.DateField(),
                    "classification_number": serializers.CharField(allow_null=True),
                    "treatments": inline_serializer(
                        "Treatment",
                        fields={
                            "code": serializers.CharField(),
                            "abbreviation": serializers.CharField(),
                            "name": serializers.CharField(),
                            "cbsa_code": serializers.IntegerField(allow_null=True),
                            "rate": serializers.CharField(allow_null=True),
                            "rate_display": serializers.CharField(allow_null=True),
                        },
                        many=True,
                    ),
                },
            ),
            404: NOT_FOUND,
            **COMMON_RESPONSES,
        },
    )
    def get(self, request):
        query = TreatmentsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        on = data.get("date") or timezone.localdate()
        line = None
        if data.get("number"):
            line = selectors.tariff_line_get(number=data["number"], on=on)
            if line is None:
                raise NotFound(
                    _(
                        "Classification number %(number)s is not in the Customs Tariff in force "
                        "on %(date)s."
                    )
                    % {"number": data["number"], "date": on.isoformat()}
                )
        rates = (
            {rate.treatment_id: rate.rate_text for rate in selectors.rates_of(line)} if line else {}
        )
        language = _language()
        treatments = selectors.treatments_open_to(origin=data["origin"], on=on, line=line)
        return Response(
            {
                "origin": data["origin"],
                "date": on.isoformat(),
                "classification_number": line.number if line else None,
                "treatments": [
                    {
                        "code": t.code,
                        "abbreviation": t.abbreviation(language),
                        "name": t.name(language),
                        "cbsa_code": t.cbsa_code,
                        "rate": rates.get(t.code),
                        "rate_display": display_rate(rates[t.code], language)
                        if t.code in rates
                        else None,
                    }
                    for t in treatments
                ],
            }
        )


class ExchangeRateView(LanguageMixin, APIView):
    @extend_schema(
        operation_id="exchange_rate",
        summary=_("Bank of Canada exchange rate for a currency and date"),
        description=_(
            "The daily rate of the date or, when none was published that day, of the last "
            "earlier day with one; the answer says which date was used."
        ),
        parameters=[
            OpenApiParameter(
                "currency",
                str,
                OpenApiParameter.PATH,
                description=_("ISO 4217 code, e.g. USD."),
            ),
            DATE_PARAMETER,
            LANG_PARAMETER,
        ],
        responses={
            200: inline_serializer(
                "ExchangeRate",
                fields={
                    "currency": serializers.CharField(),
                    "currency_name": serializers.CharField(),
                    "requested_date": serializers.DateField(),
                    "date": serializers.DateField(),
                    "cad_per_unit": serializers.DecimalField(max_digits=20, decimal_places=10),
                    "series": serializers.CharField(),
                    "source": serializers.CharField(),
                },
            ),
            404: NOT_FOUND,
            **COMMON_RESPONSES,
        },
    )
    def get(self, request, currency: str):
        query = DateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("date") or timezone.localdate()
        code = currency.upper()
        if code not in selectors.currencies_available():
            raise serializers.ValidationError(
                {"currency": [_("Unknown currency %(currency)s.") % {"currency": currency[:10]}]}
            )
        if code == "CAD":
            return Response(
                {
                    "currency": "CAD",
                    "currency_name": currency_name("CAD"),
                    "requested_date": on.isoformat(),
                    "date": on.isoformat(),
                    "cad_per_unit": "1",
                    "series": "",
                    "source": "",
                }
            )
        rate = selectors.exchange_rate_for(currency=code, on=on)
        if rate is None:
            raise NotFound(
                _("No Bank of Canada rate for %(currency)s was published on or before %(date)s.")
                % {"currency": code, "date": on.isoformat()}
            )
        return Response(
            {
                "currency": code,
                "currency_name": currency_name(code),
                "requested_date": on.isoformat(),
                "date": rate.date.isoformat(),
                "cad_per_unit": str(rate.cad_per_unit.normalize()),
                "series": rate.series,
                "source": rate.source,
            }
        )


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


class CalculationView(LanguageMixin, APIView):
    @extend_schema(
        operation_id="calculation_create",
        summary=_("Estimate the duties and taxes of one good"),
        description=_(
            "Value for duty in CAD at the Bank of Canada rate of the date of direct shipment, "
            "customs duty at the treatment's rate, surtaxes, anti-dumping and excise lines, "
            "value for tax and GST at 5%, each line rounded to the cent. An estimate only."
        ),
        parameters=[LANG_PARAMETER],
        request=CalculationSerializer,
        examples=[
            OpenApiExample(
                _("T-shirts from the United States"),
                value={
                    "classification_number": "6109.10.00.12",
                    "origin": "US",
                    "treatment": "MFN",
                    "value": "100.00",
                    "currency": "USD",
                    "shipping_date": "2026-11-20",
                },
                request_only=True,
            )
        ],
        responses={
            200: inline_serializer(
                "Calculation",
                fields={
                    "classification_number": serializers.CharField(),
                    "description": serializers.CharField(),
                    "tariff_edition": serializers.CharField(),
                    "treatment": serializers.CharField(),
                    "value_for_duty": serializers.DecimalField(max_digits=16, decimal_places=2),
                    "lines": inline_serializer(
                        "CalculationLine",
                        fields={
                            "code": serializers.CharField(),
                            "label": serializers.CharField(),
                            "rate": serializers.CharField(),
                            "rate_display": serializers.CharField(),
                            "amount": serializers.DecimalField(max_digits=16, decimal_places=2),
                            "source": serializers.CharField(),
                            "source_url": serializers.URLField(allow_null=True),
                            "figure_verified": serializers.BooleanField(),
                        },
                        many=True,
                    ),
                    "value_for_tax": serializers.DecimalField(max_digits=16, decimal_places=2),
                    "gst": serializers.DecimalField(max_digits=16, decimal_places=2),
                    "total": serializers.DecimalField(max_digits=16, decimal_places=2),
                    "warnings": serializers.ListField(child=serializers.CharField()),
                },
            ),
            **COMMON_RESPONSES,
        },
    )
    def post(self, request):
        serializer = CalculationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(
            estimate_representation(serializer.estimate, _language()), status=status.HTTP_200_OK
        )
