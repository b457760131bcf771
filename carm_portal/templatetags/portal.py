"""Template helpers shared by every area."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

from carm_portal import formatting

register = template.Library()


@register.filter
def money(value) -> str:
    """Canadian dollars for the page's language (STYLE 14): $1,234.56 / 1 234,56 $."""
    if value is None or value == "":
        return ""
    return formatting.money(value)


@register.filter
def number(value) -> str:
    """A number for the page's language (STYLE 14): 1,234.5 / 1 234,5."""
    if value is None or value == "":
        return ""
    return formatting.number(value)


@register.filter
def credit(value) -> str:
    """A credit the business can use, as a positive amount (FIN-1): the ledger holds
    credits as negative amounts; the pages label them as credit."""
    if value is None or value == "":
        return ""
    return money(abs(Decimal(value)))


def _french_page() -> bool:
    return formatting.language() == "fr"


def bilingual_text(obj, field: str) -> str:
    """The page's language of a value on file in English (``field``) and French
    (``field_fr``); plain text, without markup (CSV, PDF)."""
    english = getattr(obj, field, "") or ""
    if _french_page():
        return getattr(obj, f"{field}_fr", "") or english
    return english


@register.filter
def bi(obj, field: str):
    """A value CBSA or CRA holds in both languages, in the page's language (SPEC X-1).

    On a French page where only the English text is on file (tariff descriptions not
    yet loaded in French), the English text is wrapped in ``lang="en"`` so that screen
    readers speak it with English rules.
    """
    english = getattr(obj, field, "") or ""
    if not _french_page():
        return english
    french = getattr(obj, f"{field}_fr", "") or ""
    if french or not english:
        return french
    return format_html('<span lang="en">{}</span>', english)
