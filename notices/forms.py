"""The notices list's search form (SPEC NOTE-2)."""

from __future__ import annotations

import calendar
import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.forms.models import ModelChoiceIterator
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from business.models import Business, ProgramAccount
from carm_portal.forms import DateRangeForm, IsoDateField
from notices.audience import StaffAudience
from notices.models import NoticeType

PAGE_SIZES = (10, 25, 50)
DEFAULT_MONTHS = 7  # the guide's list opens on about the last seven months


def months_before(day: datetime.date, months: int) -> datetime.date:
    years, month_index = divmod(day.month - 1 - months, 12)
    year, month = day.year + years, month_index + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class _SelectIterator(ModelChoiceIterator):
    """The types in one plain SELECT, kept by the queryset: Django's iterator() opens a
    server-side cursor (DECLARE, FETCH, CLOSE: three round trips) for two dozen rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class NoticeTypeChoiceField(forms.ModelChoiceField):
    iterator = _SelectIterator

    def label_from_instance(self, obj: NoticeType) -> str:
        return obj.label


class NoticeSearchForm(DateRangeForm):
    """Date range (default: the last seven months), type, account number, words of the
    subject, items per page. Every field is optional; what is missing takes its
    default, so a link with no parameters shows the default list."""

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

    def clean_account(self) -> str:
        return self.cleaned_data["account"].strip().upper()

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def date_range(self, cleaned: dict) -> tuple:
        """What is missing takes the default range (the last seven months)."""
        cleaned["start"] = cleaned.get("start") or self.default_start
        cleaned["end"] = cleaned.get("end") or self.default_end
        return cleaned["start"], cleaned["end"]

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


class NoticeComposeForm(forms.Form):
    """A notice written by CBSA staff (SPEC STAFF-1), in the admin and in the operator
    command ``send_notice``: both languages required, an audience, an urgent flag."""

    EVERYONE, BUSINESSES, PROGRAM_TYPE = "everyone", "businesses", "program_type"

    type = forms.ModelChoiceField(
        label=gettext_lazy("Type"),
        queryset=NoticeType.objects.filter(system=False).order_by("label_en"),
        to_field_name="code",
    )
    urgent = forms.BooleanField(
        label=gettext_lazy("Urgent: email everyone concerned, subscribed or not"),
        required=False,
    )
    display_date = IsoDateField(
        label=gettext_lazy("Display date"),
        required=False,
        help_text=gettext_lazy("Empty: today. It cannot be in the future."),
    )
    subject_en = forms.CharField(label=gettext_lazy("Subject in English"), max_length=200)
    subject_fr = forms.CharField(label=gettext_lazy("Subject in French"), max_length=200)
    body_en = forms.CharField(
        label=gettext_lazy("Text in English"), widget=forms.Textarea(attrs={"rows": 8})
    )
    body_fr = forms.CharField(
        label=gettext_lazy("Text in French"), widget=forms.Textarea(attrs={"rows": 8})
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("Send to"),
        widget=forms.RadioSelect,
        choices=[
            (EVERYONE, gettext_lazy("Everyone")),
            (BUSINESSES, gettext_lazy("The employees of chosen businesses")),
            (PROGRAM_TYPE, gettext_lazy("The holders of a program account type")),
        ],
    )
    business_numbers = forms.CharField(
        label=gettext_lazy("Business numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("For chosen businesses: their 9-digit business numbers (BN9)."),
    )
    program_type = forms.ChoiceField(
        label=gettext_lazy("Program account type"),
        required=False,
        choices=[("", "---------"), *ProgramAccount.ProgramType.choices],
    )

    def clean_display_date(self):
        value = self.cleaned_data["display_date"] or timezone.localdate()
        if value > timezone.localdate():
            raise ValidationError(_("The display date cannot be in the future."), code="future")
        return value

    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        if audience == self.BUSINESSES:
            numbers = sorted(set(re.split(r"[\s,;]+", cleaned.get("business_numbers", "").strip())))
            numbers = [n for n in numbers if n]
            wrong = [n for n in numbers if not re.fullmatch(r"\d{9}", n)]
            if not numbers:
                self.add_error(
                    "business_numbers",
                    ValidationError(_("Enter at least one business number."), code="required"),
                )
            elif wrong:
                self.add_error(
                    "business_numbers",
                    ValidationError(
                        _("A business number has exactly 9 digits: %(numbers)s")
                        % {"numbers": ", ".join(wrong[:10])},
                        code="invalid",
                    ),
                )
            else:
                found = dict(Business.objects.filter(bn9__in=numbers).values_list("bn9", "pk"))
                unknown = [n for n in numbers if n not in found]
                if unknown:
                    self.add_error(
                        "business_numbers",
                        ValidationError(
                            _("No business has these numbers: %(numbers)s")
                            % {"numbers": ", ".join(unknown[:10])},
                            code="unknown",
                        ),
                    )
                cleaned["business_ids"] = sorted(found.values())
        if audience == self.PROGRAM_TYPE and not cleaned.get("program_type"):
            self.add_error(
                "program_type",
                ValidationError(_("Choose the program account type."), code="required"),
            )
        return cleaned

    def staff_audience(self) -> StaffAudience:
        audience = self.cleaned_data["audience"]
        if audience == self.BUSINESSES:
            return StaffAudience.businesses(self.cleaned_data["business_ids"])
        if audience == self.PROGRAM_TYPE:
            return StaffAudience.holders_of(self.cleaned_data["program_type"])
        return StaffAudience.everyone()

    def send_arguments(self) -> dict:
        """The keyword arguments of ``notices.services.notice_send_bulk``."""
        data = self.cleaned_data
        return {
            "type_code": data["type"].code,
            "subject_en": data["subject_en"],
            "subject_fr": data["subject_fr"],
            "body_en": data["body_en"],
            "body_fr": data["body_fr"],
            "audience": self.staff_audience(),
            "urgent": data["urgent"],
            "display_date": data["display_date"],
        }
