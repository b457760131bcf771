"""CBSA staff change reference data in the admin: the in-memory copies are forgotten."""

from django.db.models.signals import post_delete, post_save

from calculator import reference
from calculator.models import (
    ExchangeRate,
    SearchSynonym,
    TariffEdition,
    TariffTreatment,
    TradeMeasure,
    TreatmentCountry,
)

MODELS = (
    ExchangeRate,
    SearchSynonym,
    TariffEdition,
    TariffTreatment,
    TradeMeasure,
    TreatmentCountry,
)


def forget_reference_data(sender, **kwargs):
    reference.clear()


def connect():
    for model in MODELS:
        post_save.connect(forget_reference_data, sender=model, dispatch_uid=f"ref-{model.__name__}")
        post_delete.connect(
            forget_reference_data, sender=model, dispatch_uid=f"ref-del-{model.__name__}"
        )
