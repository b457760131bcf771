"""The transaction history's rows in Python (FIN-1): up to 100 rows a page, and the
template engine's per-node cost (a dozen nodes a row) was most of the page's time. The
markup is the one the template drew; every value is escaped by format_html."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from carm_portal.templatetags.portal import bi, money

register = template.Library()

ROW = (
    '<tr><td><input type="checkbox" name="selected" value="{}" id="select-{}" aria-label="{}">'
    '</td><td><time datetime="{}">{}</time></td><td>{}</td><td>{}</td>'
    '<td class="number">{}</td><td>{}</td><td>{}</td><td class="number">{}</td></tr>'
)


@register.simple_tag
def transaction_rows(transactions) -> SafeString:
    select = gettext("Select transaction %(number)s")
    statuses = {}

    def cells(t):
        day = t.date.isoformat()
        due = (
            format_html('<time datetime="{}">{}</time>', t.due_date, t.due_date)
            if t.due_date
            else "–"
        )
        if t.status not in statuses:
            statuses[t.status] = t.get_status_display()
        return (
            t.number,
            t.number,
            select % {"number": t.number},
            day,
            day,
            t.number,
            bi(t, "description"),  # the page's language; English in lang="en"
            money(t.amount),
            due,
            statuses[t.status],
            money(t.running_balance),
        )

    return format_html_join("\n", ROW, (cells(t) for t in transactions))


CHOICE = (
    '<div class="choice"><input type="checkbox" name="{}" value="{}" id="{}_{}"{}> '
    '<label for="{}_{}">{}</label></div>'
)


@register.simple_tag
def checkbox_choices(field, chosen) -> SafeString:
    """A form's open debits as checkboxes (FIN-3, FIN-6): the markup of
    ``gcds/field.html``, a hundred rows drawn in Python rather than by template nodes."""
    name, auto_id = field.html_name, field.auto_id
    return format_html_join(
        "\n",
        CHOICE,
        (
            (
                name,
                value,
                auto_id,
                index,
                SafeString(" checked") if str(value) in chosen else "",
                auto_id,
                index,
                label,
            )
            for index, (value, label) in enumerate(field.field.choices)
        ),
    )
