"""Money and numbers as each language writes them (STYLE 14), on Babel's Canadian
locales: ``$1,234.56`` / ``1 234,56 $`` (a no-break space groups the thousands and comes
before the dollar sign). The one place the portal decides whether a language is French.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency
from babel.numbers import format_decimal as babel_decimal
from django.utils import translation

LOCALES = {"en": "en_CA", "fr": "fr_CA"}
CENT = Decimal("0.01")


def language(code: str | None = None) -> str:
    """``"fr"`` for any French (``fr``, ``fr-ca``…), else ``"en"``; by default the
    active language."""
    code = code or translation.get_language() or "en"
    return "fr" if code.lower().startswith("fr") else "en"


NBSP = "\u00a0"


def money(amount, code: str | None = None) -> str:
    """Canadian dollars, rounded half up to the cent: Babel's ``format_currency`` of the
    two Canadian locales, written out (a history page shows 200 amounts, and Babel took
    60 µs each; ``tests/test_formatting.py`` compares the two)."""
    value = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if not value.is_finite():
        return format_currency(value, "CAD", locale=LOCALES[language(code)])
    sign = "-" if value.is_signed() else ""  # as Babel: -0.00 keeps its sign
    digits = f"{abs(value):,.2f}"
    if language(code) == "fr":
        return f"{sign}{digits.replace(',', NBSP).replace('.', ',')}{NBSP}$"
    return f"{sign}${digits}"


def number(amount, code: str | None = None) -> str:
    """A decimal number with every digit it has (no rounding), grouped by thousands."""
    value = Decimal(amount).normalize()
    return babel_decimal(value, locale=LOCALES[language(code)], decimal_quantization=False)
