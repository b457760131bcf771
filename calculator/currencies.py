"""Names of the currencies of the Bank of Canada's daily exchange rates."""

from django.utils.translation import gettext_lazy as _

CURRENCY_NAMES = {
    "CAD": _("Canadian dollar"),
    "AUD": _("Australian dollar"),
    "BRL": _("Brazilian real"),
    "CNY": _("Chinese renminbi"),
    "EUR": _("European euro"),
    "HKD": _("Hong Kong dollar"),
    "INR": _("Indian rupee"),
    "IDR": _("Indonesian rupiah"),
    "JPY": _("Japanese yen"),
    "MYR": _("Malaysian ringgit"),
    "MXN": _("Mexican peso"),
    "NZD": _("New Zealand dollar"),
    "NOK": _("Norwegian krone"),
    "PEN": _("Peruvian new sol"),
    "RUB": _("Russian ruble"),
    "SAR": _("Saudi riyal"),
    "SGD": _("Singapore dollar"),
    "ZAR": _("South African rand"),
    "KRW": _("South Korean won"),
    "SEK": _("Swedish krona"),
    "CHF": _("Swiss franc"),
    "TWD": _("Taiwanese dollar"),
    "TRY": _("Turkish lira"),
    "GBP": _("UK pound sterling"),
    "USD": _("US dollar"),
}


def currency_name(code: str) -> str:
    return str(CURRENCY_NAMES.get(code, code))
