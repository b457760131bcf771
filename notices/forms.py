"""The notices list's search form (SPEC NOTE-2)."""

from __future__ import annotations

import calendar
import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notices.models import NoticeType

PAGE_SIZES = (10, 25, 50)
DEFAULT_MONTHS = 7  # the guide's list opens on about the last seven months


def months_before(day: datetime.date, months: int) -> datetime.date:
    years, month_index = divmod(day.month - 1 - months, 12)
    year, month = day.year + years, month_index + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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


class NoticeTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: NoticeType) -> str:
        return obj.label


class NoticeSearchForm(forms.Form):
    """Date range (default: the last seven months), type, account number, words of the
    subject, items per page. Every field is optional; what is missing takes its
    default, so a link with no parameters shows the default list."""

    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=DateInput(),
        error_messages=DATE_ERRORS,
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=DateInput(),
        error_messages=DATE_ERRORS,
    )
    type = NoticeTypeChoiceField(
        label=gettext_lazy("Type"),
        queryset=NoticeType.objects.none(),
        required=False,
        empty_label=gettext_lazy("All types"),
    )
    account = forms.CharField(
        label=gettext_lazy("Account number"),
        required=False,
        max_length=15,
        help_text=gettext_lazy("A business number or a program account, e.g. 549132583RM0001."),
        validators=[
            RegexValidator(
                r"^[0-9A-Za-z]*$",
                gettext_lazy("An account number has only digits and letters."),
            )
        ],
    )
    q = forms.CharField(label=gettext_lazy("Subject"), required=False, max_length=100)
    per_page = forms.TypedChoiceField(
        label=gettext_lazy("Items per page"),
        choices=[(size, str(size)) for size in PAGE_SIZES],
        coerce=int,
        required=False,
        empty_value=PAGE_SIZES[0],
    )

    ADVANCED = ("type", "account", "q")
    PARAMETERS = ("start", "end", "type", "account", "q", "per_page")

    @classmethod
    def from_query(cls, query) -> NoticeSearchForm:
        """Bound to the URL's parameters; the date range shows its default when absent."""
        data = {name: query.get(name, "") for name in cls.PARAMETERS}
        today = timezone.localdate()
        data["start"] = data["start"] or months_before(today, DEFAULT_MONTHS).isoformat()
        data["end"] = data["end"] or today.isoformat()
        return cls(data)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label = "label_fr" if (translation.get_language() or "").startswith("fr") else "label_en"
        self.fields["type"].queryset = NoticeType.objects.order_by(label)
        today = timezone.localdate()
        self.default_end = today
        self.default_start = months_before(today, DEFAULT_MONTHS)
        self.fields["start"].help_text = _("YYYY-MM-DD")
        self.fields["end"].help_text = _("YYYY-MM-DD")

    def clean_account(self) -> str:
        return self.cleaned_data["account"].strip().upper()

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("start") or self.default_start
        end = cleaned.get("end") or self.default_end
        if "start" not in self.errors and "end" not in self.errors and start > end:
            self.add_error(
                "end",
                ValidationError(
                    _("The end of the date range must not be before its start."), code="order"
                ),
            )
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    @property
    def advanced_used(self) -> bool:
        return any(self.data.get(name) for name in self.ADVANCED)

    def search(self) -> dict:
        """The search to run: the cleaned values (the form must be valid)."""
        data = self.cleaned_data
        return {
            "start": data["start"],
            "end": data["end"],
            "type_id": data["type"].pk if data.get("type") else None,
            "account_number": data.get("account", ""),
            "words": data.get("q", ""),
        }

    def query(self) -> dict[str, str]:
        """The search as URL parameters, to keep it across pages and back from a notice."""
        data = self.cleaned_data
        params = {"start": data["start"].isoformat(), "end": data["end"].isoformat()}
        if data.get("type"):
            params["type"] = str(data["type"].pk)
        if data.get("account"):
            params["account"] = data["account"]
        if data.get("q"):
            params["q"] = data["q"]
        if data.get("per_page") and data["per_page"] != PAGE_SIZES[0]:
            params["per_page"] = str(data["per_page"])
        return params
