"""The transaction history's rows in Python (FIN-1): up to 100 rows a page, and the
template engine's per-node cost (a dozen nodes a row) was most of the page's time. The
markup is the one the template drew; every value is escaped (``_escape``)."""

import html
import re

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from carm_portal import formatting

register = template.Library()

ROW = (
    '<tr><td><input type="checkbox" name="selected" value="{}" id="select-{}" aria-label="{}">'
    '</td><td><time datetime="{}">{}</time></td><td>{}</td><td>{}</td>'
    '<td class="number">{}</td><td>{}</td><td>{}</td><td class="number">{}</td></tr>'
)


# DECL-3: a commercial accounting declaration's posting (its 14-digit transaction number,
# and -V2… for a correction or adjustment) links to the declaration.
DECLARATION_NUMBER = re.compile(r"\d{14}(-V\d+)?")
DECLARATION_DESCRIPTION = "Commercial accounting declaration"


def _escape(value) -> str:
    """``conditional_escape`` without its lazy-string wrapper (12 values a row): a safe
    string as it is, anything else as text, escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _description(t, french: bool):
    """The page's language; on a French page, English in lang="en" when no French is on
    file (``bi``, X-1)."""
    english = t.description or ""
    text = english
    if french:
        text = t.description_fr or ""
        if not text and english:
            text = format_html('<span lang="en">{}</span>', english)
    if t.description == DECLARATION_DESCRIPTION and DECLARATION_NUMBER.fullmatch(t.number):
        url = reverse("declarations:by_number", args=[t.number])
        return format_html('<a href="{}">{}</a>', url, text)
    return text


@register.simple_tag
def transaction_rows(transactions) -> SafeString:
    select = gettext("Select transaction %(number)s")
    code = formatting.language()
    french = code == "fr"
    statuses = {}

    def cash(amount):
        return "" if amount is None or amount == "" else formatting.money(amount, code)

    def row(t):
        day = t.date.isoformat()
        due = (
            f'<time datetime="{t.due_date.isoformat()}">{t.due_date.isoformat()}</time>'
            if t.due_date
            else "–"
        )
        if t.status not in statuses:
            statuses[t.status] = _escape(t.get_status_display())
        number = _escape(t.number)
        return ROW.format(
            number,
            number,
            _escape(select % {"number": t.number}),
            day,
            day,
            number,
            _escape(_description(t, french)),
            _escape(cash(t.amount)),
            due,
            statuses[t.status],
            _escape(cash(t.running_balance)),
        )

    return SafeString("\n".join(row(t) for t in transactions))


CHOICE = (
    '<div class="choice"><input type="checkbox" name="{}" value="{}" id="{}_{}"{}> '
    '<label for="{}_{}">{}</label></div>'
)


@register.simple_tag
def checkbox_choices(field, chosen) -> SafeString:
    """A form's open debits as checkboxes (FIN-3, FIN-6): the markup of
    ``gcds/field.html``, a hundred rows drawn in Python rather than by template nodes."""
    name, auto_id = _escape(field.html_name), _escape(field.auto_id)
    return SafeString(
        "\n".join(
            CHOICE.format(
                name,
                _escape(value),
                auto_id,
                index,
                " checked" if str(value) in chosen else "",
                auto_id,
                index,
                _escape(label),
            )
            for index, (value, label) in enumerate(field.field.choices)
        )
    )
