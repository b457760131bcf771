"""The open API of the duties and taxes calculator: /api/v1/ (SPEC CALC, SIGN-1): views.

Public and read-only but for the calculation (POST, which writes nothing). Answers in
the language of ``?lang=`` or ``Accept-Language``; bad input gets 400 with a message per
field; anonymous callers are rate-limited on the Redis cache (429 with Retry-After). Every
answer is written by its output serializer (``calculator.api.serializers``), which is
also what the schema publishes.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from calculator import selectors
from calculator.api.serializers import (
    LANGUAGES,
    ApiRootOut,
    CalculationOut,
    CalculationSerializer,
    DateQuerySerializer,
    DetailOut,
    ExchangeRateOut,
    NumberField,
    SearchQuerySerializer,
    SearchResultsOut,
    TariffLineOut,
    TreatmentsOut,
    TreatmentsQuerySerializer,
    estimate_representation,
    line_representation,
)
from calculator.currencies import currency_name
from calculator.rates import display_rate
from carm_portal import formatting

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
# 400: the messages of each field that was refused, by field name.
ERRORS = {
    "type": "object",
    "description": _("Messages about one field."),
    "additionalProperties": {
        # A list of messages per field; a body that is not JSON gets {"detail": "…"}.
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]
    },
}
NOT_FOUND = DetailOut
THROTTLED = DetailOut
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
    return formatting.language()


# --- Endpoints ---------------------------------------------------------------------------


def _tariff_line_or_404(number: str, on):
    line = selectors.tariff_line_get(number=number, on=on)
    if line is None:
        raise NotFound(
            _("Classification number %(number)s is not in the Customs Tariff in force on %(date)s.")
            % {"number": number, "date": on.isoformat()}
        )
    return line


class ApiRoot(LanguageMixin, APIView):
    @extend_schema(
        operation_id="api_root",
        summary=_("What this API offers"),
        description=_("Links to each operation, to the OpenAPI schema and to this page."),
        parameters=[LANG_PARAMETER],
        responses={200: ApiRootOut, 429: THROTTLED},
    )
    def get(self, request):
        def url(name, **kwargs):
            return request.build_absolute_uri(reverse(f"calculator_api:{name}", kwargs=kwargs))

        return Response(
            ApiRootOut(
                {
                    "tariff_lookup": url("tariff_line", number="0901.11.00.10"),
                    "tariff_search": url("tariff_search") + "?q=coffee",
                    "treatments": url("treatments") + "?origin=US",
                    "exchange_rate": url("exchange_rate", currency="USD"),
                    "calculations": url("calculations"),
                    "schema": url("schema"),
                    "documentation": request.build_absolute_uri(reverse("calculator:api_docs")),
                }
            ).data
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
        responses={200: TariffLineOut, 404: NOT_FOUND, **COMMON_RESPONSES},
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
        line = _tariff_line_or_404(normalized, on)
        return Response(TariffLineOut(line_representation(line, _language())).data)


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
            200: SearchResultsOut,
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
            SearchResultsOut(
                {
                    "query": result.query,
                    "tariff_edition": result.edition.code if result.edition else None,
                    "corrections": result.corrections,
                    "all_words_matched": result.all_words_matched,
                    "results": [line_representation(line, language) for line in result.lines],
                }
            ).data
        )


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
            200: TreatmentsOut,
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
            line = _tariff_line_or_404(data["number"], on)
        rates = (
            {rate.treatment_id: rate.rate_text for rate in selectors.rates_of(line)} if line else {}
        )
        language = _language()
        treatments = selectors.treatments_open_to(origin=data["origin"], on=on, line=line)
        return Response(
            TreatmentsOut(
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
            ).data
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
            200: ExchangeRateOut,
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
                ExchangeRateOut(
                    {
                        "currency": "CAD",
                        "currency_name": currency_name("CAD"),
                        "requested_date": on.isoformat(),
                        "date": on.isoformat(),
                        "cad_per_unit": "1",
                        "series": "",
                        "source": "",
                    }
                ).data
            )
        rate = selectors.exchange_rate_for(currency=code, on=on)
        if rate is None:
            raise NotFound(
                _("No Bank of Canada rate for %(currency)s was published on or before %(date)s.")
                % {"currency": code, "date": on.isoformat()}
            )
        return Response(
            ExchangeRateOut(
                {
                    "currency": code,
                    "currency_name": currency_name(code),
                    "requested_date": on.isoformat(),
                    "date": rate.date.isoformat(),
                    "cad_per_unit": str(rate.cad_per_unit.normalize()),
                    "series": rate.series,
                    "source": rate.source,
                }
            ).data
        )


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
            200: CalculationOut,
            **COMMON_RESPONSES,
        },
    )
    def post(self, request):
        serializer = CalculationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answer = CalculationOut(estimate_representation(serializer.estimate, _language()))
        return Response(answer.data, status=status.HTTP_200_OK)
