"""The rulings list's rows in Python (RUL-1, X-4): the markup the template drew, without
two dozen template nodes a row; every value is escaped by format_html."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()

ROW = (
    "<tr>\n"
    "        <td>{}</td>\n"
    "        <td>{}</td>\n"
    '        <td><span class="tag tag-{}">{}</span>{}</td>\n'
    "        <td>{}</td>\n"
    "        <td>{}</td>\n"
    "        <td>{}</td>\n"
    '        <td class="actions">\n'
    '          <a href="{}">{}<span class="visually-hidden"> {}</span></a>\n'
    "          {}\n"
    "        </td>\n"
    "      </tr>"
)


def _day(day) -> SafeString | str:
    if day is None:
        return "–"
    text = day.isoformat()
    return format_html('<time datetime="{}">{}</time>', text, text)


@register.simple_tag
def ruling_rows(rulings, can_edit: bool) -> SafeString:
    """``rulings``: a page of ``selectors.ruling_list`` (with their program accounts);
    ``can_edit``: whether the person may upload documents to a request."""
    overdue = format_html(' <span class="tag tag-overdue">{}</span>', gettext("Overdue"))
    view, upload = gettext("View"), gettext("Upload a document")
    # One reverse for the page: the request's id is the URL's last part.
    detail = reverse("rulings:detail", args=[0])[:-2]
    upload_url = reverse("documents:upload")

    kinds: dict[str, str] = {}  # each label read once a page, as the other row tags do
    statuses: dict[str, str] = {}

    def cells(ruling):
        if ruling.kind not in kinds:
            kinds[ruling.kind] = ruling.get_kind_display()
        if ruling.status not in statuses:
            statuses[ruling.status] = ruling.get_status_display()
        submitted = ruling.submitted_at and timezone.localtime(ruling.submitted_at).date()
        action = ""
        if can_edit and ruling.status != "withdrawn":
            action = format_html(
                '<a href="{}?case={}">{}<span class="visually-hidden"> {}</span></a>',
                upload_url,
                ruling.case_number,
                upload,
                ruling.case_number,
            )
        return (
            ruling.case_number,
            kinds[ruling.kind],
            ruling.status,
            statuses[ruling.status],
            overdue if ruling.is_overdue else "",
            _day(submitted),
            _day(ruling.target_date),
            ruling.program_account.reference,
            f"{detail}{ruling.pk}/",
            view,
            ruling.case_number,
            action,
        )

    return format_html_join("\n      ", ROW, (cells(ruling) for ruling in rulings))
