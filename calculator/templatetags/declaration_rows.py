"""The CAD list's rows in Python (DECL-5): up to 100 rows a page, drawn with
format_html_join (every value escaped) rather than a dozen template nodes a row, as the
transaction history does (finance_rows, docs/performance.md)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from carm_portal.templatetags.portal import money

register = template.Library()

ROW = (
    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
    '<td class="amount">{}</td><td>{}</td><td class="actions">{}</td></tr>'
)


def _date(day):
    if day is None:
        return "–"
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), day.isoformat())


@register.simple_tag
def declaration_rows(declarations, can_submit: bool) -> SafeString:
    late = gettext("Late")
    view = gettext("View")
    resume = gettext("Continue the draft")
    own = gettext("Your business")
    broker = gettext("Broker: %(name)s")
    statuses: dict[str, str] = {}

    def cells(cad):
        if cad.status not in statuses:
            statuses[cad.status] = cad.get_status_display()
        status = format_html(
            '<span class="tag tag-{}">{}</span>{}',
            cad.status,
            statuses[cad.status],
            format_html(' <span class="tag tag-overdue">{}</span>', late) if cad.is_late else "",
        )
        if cad.submitted_by_provider_id:
            by = broker % {"name": cad.submitted_by_provider.display_name}
        else:
            by = own if cad.submitted_at else "–"
        actions = format_html(
            '<a href="{}">{}<span class="visually-hidden"> {}</span></a>',
            reverse("declarations:detail", args=[cad.pk]),
            view,
            cad.transaction_number,
        )
        if can_submit and cad.status == "draft":
            actions += format_html(
                ' <a href="{}">{}<span class="visually-hidden"> {}</span></a>',
                reverse("declarations:edit", args=[cad.pk]),
                resume,
                cad.transaction_number,
            )
        return (
            cad.transaction_number,
            _date(cad.release_date),
            cad.port_code or "–",
            status,
            _date(cad.due_date),
            money(cad.total),
            by,
            actions,
        )

    return format_html_join("\n", ROW, (cells(cad) for cad in declarations))
