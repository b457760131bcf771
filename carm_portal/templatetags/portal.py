"""Template helpers shared by every area."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import translation

register = template.Library()


@register.filter
def money(value) -> str:
    """Canadian dollars for the page's language (STYLE 14): $1,234.56 / 1 234,56 $."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    if (translation.get_language() or "en").startswith("fr"):
        nbsp = "\u00a0"
        return f"{sign}{nbsp.join(groups)},{cents}{nbsp}$"
    return f"{sign}${','.join(groups)}.{cents}"
