"""Template helpers shared by every area."""

from django import template

from carm_portal import formatting

register = template.Library()


@register.filter
def money(value) -> str:
    """Canadian dollars for the page's language (STYLE 14): $1,234.56 / 1 234,56 $."""
    if value is None or value == "":
        return ""
    return formatting.money(value)
