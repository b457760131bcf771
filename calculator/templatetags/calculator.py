"""Money, rates and tariff descriptions as each language writes them (STYLE 14)."""

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from calculator import selectors
from calculator.rates import display_rate
from calculator.selectors import sorted_rates
from carm_portal import formatting

register = template.Library()
NBSP = "\u00a0"


def format_money(amount: Decimal, language: str | None = None) -> str:
    """$1,234.56 in English, 1 234,56 $ in French."""
    return formatting.money(amount, language)


def format_decimal(amount: Decimal, language: str | None = None) -> str:
    return formatting.number(amount, language)


@register.filter
def money(amount) -> str:
    if amount is None or amount == "":
        return ""
    return format_money(Decimal(amount))


@register.filter
def decimal(amount) -> str:
    if amount is None or amount == "":
        return ""
    return format_decimal(Decimal(amount))


@register.filter
def rate(text: str) -> str:
    """A rate text in the reader's language (``6,5 %``, ``En fr.``)."""
    return display_rate(text or "", formatting.language())


@register.filter
def treatment_abbreviation(treatment) -> str:
    return treatment.abbreviation(formatting.language())


@register.simple_tag
def line_description(line, part: str = "full"):
    """A tariff line's description in the reader's language; in French, the English text
    marked as English with a note when the French text is not available."""
    language = formatting.language()
    english = line.label_en if part == "label" else line.description_en
    french = line.label_fr if part == "label" else line.description_fr
    if language == "fr" and not french:
        return format_html(
            '<span lang="en">{}</span> <span class="note">({})</span>',
            english,
            _("French text not available; English text shown"),
        )
    return french if language == "fr" else english


@register.simple_tag
def node_description(node, note=True):
    language = formatting.language()
    while node is not None and not node.description_en:
        node = node.parent if node.level == "item" else None
    if node is None:
        return ""
    if language == "fr" and not node.description_fr and not note:
        return format_html('<span lang="en">{}</span>', node.description_en)
    if language == "fr" and not node.description_fr:
        return format_html(
            '<span lang="en">{}</span> <span class="note">({})</span>',
            node.description_en,
            _("French text not available; English text shown"),
        )
    return node.description_fr if language == "fr" else node.description_en


@register.simple_tag
def grouped_rates(line) -> dict:
    """MFN, then the preferences grouped by rate, as the schedule's cell groups them:
    ``{"mfn": "18 %", "groups": [("En fr.", "TPAC, TPMD, …"), ("11 %", "TAU, TNZ")]}``."""
    language = formatting.language()
    mfn = ""
    groups: dict[str, list[str]] = {}
    for tariff_rate in sorted_rates(line):
        if tariff_rate.treatment_id == "MFN":
            mfn = display_rate(tariff_rate.rate_text, language)
            continue
        treatment = selectors.treatment_get(tariff_rate.treatment_id)
        groups.setdefault(tariff_rate.rate_text, []).append(
            treatment.abbreviation(language) if treatment else tariff_rate.treatment_id
        )
    return {
        "mfn": mfn,
        "groups": [
            (display_rate(text, language), ", ".join(codes)) for text, codes in groups.items()
        ],
    }
