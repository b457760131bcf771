"""The notices list's rows in Python (NOTE-2, X-4): the markup the template drew, a
dozen template nodes a row fewer; every value is escaped by format_html."""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()

ROW = (
    "<tr{}>\n"
    '        <td><time datetime="{}">{}</time></td>\n'
    "        <td>{}</td>\n"
    "        <td>{}</td>\n"
    '        <td><a href="{}?{}">{}</a>{}{}</td>\n'
    "      </tr>"
)


@register.simple_tag
def notice_rows(rows, page_query: str) -> SafeString:
    """``rows``: NoticeRecipient rows with their notices and types (``notice_page_rows``);
    ``page_query``: the search and page, urlencoded, for the notice's *Previous* link."""
    urgent = format_html(' <span class="tag tag-urgent">{}</span>', gettext("Urgent"))
    unread = format_html(' <span class="tag tag-unread">{}</span>', gettext("Unread"))
    unread_class = mark_safe(' class="unread"')
    # One reverse for the page: the notice's id is the URL's last part.
    detail = reverse("notices:detail", args=[0])[:-2]

    def cells(row):
        notice = row.notice
        day = row.display_date.isoformat()
        return (
            "" if row.read_at else unread_class,
            day,
            day,
            notice.account_number or "–",
            notice.type.label,
            f"{detail}{row.notice_id}/",
            page_query,
            notice.subject,
            urgent if notice.urgent else "",
            "" if row.read_at else unread,
        )

    return format_html_join("\n      ", ROW, (cells(row) for row in rows))
