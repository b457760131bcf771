"""Form pieces every area shares: the crispy helper of forms rendered inside a page's own
``<form>``, the date field typed as the guide shows it (STYLE 9) and the lists' date
range."""

from __future__ import annotations

import re

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy

_PK = re.compile(r"[0-9]{1,18}")


def parse_pk(value) -> int | None:
    """A primary key typed in a request, or None (SEC-5). ASCII digits only:
    ``str.isdigit()`` accepts "²", which ``int()`` then refuses with a 500; 18 digits at
    most, so the value fits PostgreSQL's bigint."""
    if isinstance(value, str) and _PK.fullmatch(value):
        return int(value)
    return None


def form_helper() -> FormHelper:
    """A crispy helper for a form whose ``<form>`` tag and buttons are in the template."""
    helper = FormHelper()
    helper.form_tag = False
    return helper


class DateInput(forms.DateInput):
    """A date typed as the guide shows it, 2021-03-29, whatever the browser's language
    (a native date picker would display the browser's own format)."""

    def __init__(self, attrs=None):
        super().__init__(
            {"inputmode": "numeric", "autocomplete": "off", **(attrs or {})}, format="%Y-%m-%d"
        )


DATE_ERRORS = {
    "invalid": gettext_lazy("Enter a real date in the form YYYY-MM-DD, for example 2021-03-29.")
}


class IsoDateField(forms.DateField):
    """A YYYY-MM-DD date with the portal's input and error message."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        kwargs.setdefault("widget", DateInput())
        kwargs.setdefault("error_messages", DATE_ERRORS)
        super().__init__(**kwargs)


class DateRangeForm(forms.Form):
    """A list's search that starts with an optional date range, From and To; the end may
    not be before the start. ``date_range`` gives the range to check (a form with a
    default range fills it in there)."""

    start = IsoDateField(
        label=gettext_lazy("From"), required=False, help_text=gettext_lazy("YYYY-MM-DD")
    )
    end = IsoDateField(
        label=gettext_lazy("To"), required=False, help_text=gettext_lazy("YYYY-MM-DD")
    )

    def date_range(self, cleaned: dict) -> tuple:
        return cleaned.get("start"), cleaned.get("end")

    def clean(self):
        cleaned = super().clean()
        start, end = self.date_range(cleaned)
        dates_valid = "start" not in self.errors and "end" not in self.errors
        if dates_valid and start and end and start > end:
            self.add_error(
                "end",
                ValidationError(
                    gettext("The end of the date range must not be before its start."),
                    code="order",
                ),
            )
        return cleaned


class SearchForm(DateRangeForm):
    """A list's search (finance transactions, rulings, delegation history): a date range
    and the list's own fields, read from the query string and written back to it.

    ``PARAMETERS``: the query-string names, in order; ``QUERY_DEFAULTS``: values left out
    of the URL (the list's default sort, page size)."""

    PARAMETERS: tuple[str, ...] = ("start", "end")
    QUERY_DEFAULTS: dict = {}

    @classmethod
    def from_query(cls, query, **kwargs):
        return cls({name: query.get(name, "") for name in cls.PARAMETERS}, **kwargs)

    def query(self, **override) -> dict[str, str]:
        """The search as URL parameters (kept by the pages, the column headers and the
        export); ``override`` changes some (a column header's sort)."""
        data = {**self.cleaned_data, **override}
        params = {}
        for name in self.PARAMETERS:
            value = data.get(name)
            if value in (None, "") or (
                name in self.QUERY_DEFAULTS and value == self.QUERY_DEFAULTS[name]
            ):
                continue
            params[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return params


def sort_headers(columns, *, query: dict, sort: str) -> list[dict]:
    """A list's sortable column headers: ``columns`` are ``(key, label)``; each header
    links to the same search sorted by its column (ascending first, then descending) and
    says how the list is sorted now (``aria-sort``)."""
    from urllib.parse import urlencode

    headers = []
    for key, label in columns:
        ascending, descending = sort == key, sort == f"-{key}"
        following = f"-{key}" if ascending else key
        headers.append(
            {
                "label": label,
                "url": "?" + urlencode({**query, "sort": following}),
                "aria_sort": "ascending" if ascending else "descending" if descending else "",
            }
        )
    return headers
