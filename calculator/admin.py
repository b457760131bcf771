"""CBSA staff keep the calculator's reference data here (SPEC STAFF-1, CALC-6)."""

from django.contrib import admin

from calculator.models import (
    ExchangeRate,
    SearchSynonym,
    TariffEdition,
    TariffLine,
    TariffRate,
    TariffTreatment,
    TradeMeasure,
    TreatmentCountry,
)


class TreatmentCountryInline(admin.TabularInline):
    model = TreatmentCountry
    extra = 0


@admin.register(TariffTreatment)
class TariffTreatmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "abbreviation_fr", "cbsa_code", "open_to_all")
    search_fields = ("code", "name_en", "name_fr")
    inlines = [TreatmentCountryInline]


@admin.register(TariffEdition)
class TariffEditionAdmin(admin.ModelAdmin):
    list_display = ("code", "effective_from", "source", "loaded_at")


class TariffRateInline(admin.TabularInline):
    model = TariffRate
    extra = 0


@admin.register(TariffLine)
class TariffLineAdmin(admin.ModelAdmin):
    list_display = ("number", "edition", "label_en", "unit_of_measure", "mfn_rate")
    list_filter = ("edition", "chapter")
    list_select_related = ("edition",)
    search_fields = ("number", "description_en", "description_fr")
    readonly_fields = ("edition", "item")
    inlines = [TariffRateInline]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "date", "kind", "cad_per_unit", "series")
    list_filter = ("kind", "currency")
    date_hierarchy = "date"


@admin.register(TradeMeasure)
class TradeMeasureAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "kind",
        "classification_prefixes",
        "rate_text",
        "valid_from",
        "valid_to",
        "verified",
    )
    list_filter = ("kind", "verified")
    search_fields = ("code", "name_en", "name_fr", "classification_prefixes")


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    list_display = ("word", "equivalent")
    search_fields = ("word", "equivalent")
