"""Delegation forms: crispy with the gcds pack; fields a person may not set are never
taken from the request (X-4)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from business.models import ProgramAccount
from delegation.models import Employment
from notices.forms import DATE_ERRORS, DateInput

# --- Employees (DELEG-1) -------------------------------------------------------------------


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


class ProgramAccountsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj) -> str:
        return f"{obj.reference} {obj.name}".strip()


class _GrantForm(forms.Form):
    """A role and program accounts, limited to what the manager may give (DELEG-0)."""

    role = forms.ChoiceField(label=gettext_lazy("Role"), widget=forms.RadioSelect)
    program_accounts = ProgramAccountsField(
        label=gettext_lazy("Program accounts"), queryset=ProgramAccount.objects.none()
    )

    def __init__(self, *args, reach, **kwargs):
        super().__init__(*args, **kwargs)
        self.reach = reach
        self.fields["role"].choices = [
            (value, label) for value, label in Employment.Role.choices if value in reach.roles()
        ]
        accounts = self.fields["program_accounts"]
        accounts.queryset = reach.accounts()
        accounts.required = reach.restricted
        accounts.help_text = (
            _("Choose one or more of your program accounts.")
            if reach.restricted
            else _(
                "Leave every box empty to give access to all the program accounts, "
                "including those added later. A Business Account Manager always has all of them."
            )
        )
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Employment.Role.BUSINESS_ACCOUNT_MANAGER:
            cleaned["program_accounts"] = []
        return cleaned


class EmployeeApproveForm(_GrantForm):
    prefix = "approve"


class EmployeeChangeForm(_GrantForm):
    prefix = "change"


class EmployeeRejectForm(forms.Form):
    prefix = "reject"
    reason = forms.CharField(
        label=gettext_lazy("Reason for the refusal"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The person who asked receives it in a notice."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()


class EmployeesBulkApproveForm(_GrantForm):
    """DELEG-5: many pending requests approved at once, in one role."""

    prefix = "bulk"
    requests = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Requests to approve"),
        queryset=Employment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Select at least one request.")},
    )

    def __init__(self, *args, pending, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requests"].queryset = pending


class HistorySearchForm(forms.Form):
    """DELEG-6: date range, person, action; every field optional."""

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
    person = forms.TypedChoiceField(
        label=gettext_lazy("Person"), required=False, coerce=int, empty_value=None
    )
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)

    PARAMETERS = ("start", "end", "person", "action")

    def __init__(self, *args, people, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Everyone")), *people]
        self.fields["action"].choices = [("", _("All actions")), *actions]
        self.fields["start"].help_text = _("YYYY-MM-DD")
        self.fields["end"].help_text = _("YYYY-MM-DD")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error(
                "end",
                ValidationError(
                    _("The end of the date range must not be before its start."), code="order"
                ),
            )
        return cleaned

    def query(self) -> dict[str, str]:
        data = self.cleaned_data
        params = {}
        for name in self.PARAMETERS:
            value = data.get(name)
            if value not in (None, ""):
                params[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return params


# --- end of employees ---------------------------------------------------------------------


# --- Relationships, assignments, client groups ---------------------------------------------


# --- end of relationships -----------------------------------------------------------------
