"""Delegation forms: crispy with the gcds pack; fields a person may not set are never
taken from the request (X-4)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from business.forms import Bn9Field
from business.models import Business, ProgramAccount
from carm_portal.forms import SearchForm, form_helper
from delegation.models import ClientGroup, Employment, Relationship

# --- Employees (DELEG-1) -------------------------------------------------------------------


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
        self.helper = form_helper()

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
        self.helper = form_helper()

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


class ActionSelect(forms.Select):
    """The actions' list: an action without a name of its own shows its code's English
    words, so its option says so (``lang="en"``, X-1)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        from delegation.views import ACTION_LABELS

        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value and value not in ACTION_LABELS:
            option["attrs"]["lang"] = "en"
        return option


class HistorySearchForm(SearchForm):
    """DELEG-6: date range, person, action; every field optional."""

    person = forms.TypedChoiceField(
        label=gettext_lazy("Person"), required=False, coerce=int, empty_value=None
    )
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False, widget=ActionSelect)

    PARAMETERS = ("start", "end", "person", "action")

    def __init__(self, *args, people, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Everyone")), *people]
        self.fields["action"].choices = [("", _("All actions")), *actions]


# --- Relationships, assignments, client groups ---------------------------------------------


class RelationshipRequestForm(forms.Form):
    """A service provider asks a client for a relationship (DELEG-2)."""

    bn9 = Bn9Field(label=gettext_lazy("Client's business number (9 digits)"))
    comment = forms.CharField(
        label=gettext_lazy("Message to the client (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class AccountLabel(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.reference} — {obj.get_program_type_display()}"


class RelationshipAnswerForm(forms.Form):
    """The client's answer (DELEG-2): approve choosing the type (and, for program
    management, the accounts), or reject with a reason. A Program Account Manager may
    only grant program management over their own accounts."""

    APPROVE, REJECT = "approve", "reject"
    decision = forms.ChoiceField(
        label=gettext_lazy("Your answer"),
        choices=[(APPROVE, gettext_lazy("Approve")), (REJECT, gettext_lazy("Reject"))],
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Type of relationship"),
        choices=Relationship.Kind.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=gettext_lazy(
            "Business management gives access to all your program accounts, including those "
            "added later. Program management gives access to the program accounts you choose."
        ),
    )
    program_accounts = AccountLabel(
        label=gettext_lazy("Program accounts (program management)"),
        queryset=ProgramAccount.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the rejection"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, accounts, whole_business: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program_accounts"].queryset = accounts
        self.whole_business = whole_business
        if not whole_business:
            self.fields["kind"].choices = [
                c for c in Relationship.Kind.choices if c[0] == Relationship.Kind.PROGRAM
            ]
        self.helper = form_helper()

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.APPROVE:
            kind = data.get("kind")
            if not kind:
                self.add_error("kind", _("Choose the type of relationship."))
            elif kind == Relationship.Kind.PROGRAM and not data.get("program_accounts"):
                self.add_error("program_accounts", _("Choose at least one program account."))
        elif data.get("decision") == self.REJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Enter the reason for the rejection."))
        return data


class _ReadOnce(forms.models.ModelChoiceIterator):
    """The choices from the queryset's own cache: read once a form, however often the
    widget walks them (Django reads them again through a server-side cursor each time).
    For short lists only: a provider's employees and client groups."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class _ChoicesByPk(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class _GroupChoice(forms.ModelChoiceField):
    iterator = _ReadOnce


class ClientLabel(_ChoicesByPk):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.bn9})"


class EmployeeLabel(_ChoicesByPk):
    iterator = _ReadOnce

    def label_from_instance(self, obj):
        return obj.user.display_name


class ChooseClientsForm(forms.Form):
    """A bulk assignment's first step (DELEG-4, DELEG-5): the clients checked on a page of
    the provider's clients."""

    clients = ClientLabel(
        label=gettext_lazy("Clients"),
        queryset=Business.objects.none(),
        error_messages={"required": gettext_lazy("Select at least one client.")},
    )

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clients"].queryset = clients


class AssignClientsForm(forms.Form):
    """Its second step: to whom the clients chosen go (employees, or a client group)."""

    employees = EmployeeLabel(
        label=gettext_lazy("Assign to these employees"),
        queryset=Employment.objects.none(),
        required=False,
    )
    group = _GroupChoice(
        label=gettext_lazy("Or add to this client group"),
        queryset=ClientGroup.objects.none(),
        required=False,
        empty_label=gettext_lazy("No group"),
    )

    def __init__(self, *args, employees, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employees"].queryset = employees
        self.fields["group"].queryset = groups
        self.helper = form_helper()

    def clean(self):
        data = super().clean()
        if not data.get("employees") and not data.get("group"):
            self.add_error("employees", _("Choose employees or a client group."))
        return data


class ClientGroupNameForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Group name"), max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Enter the group name."))
        return name


class ClientGroupMembersForm(forms.Form):
    """The group's clients and employees: the boxes checked are the members after saving."""

    clients = ClientLabel(
        label=gettext_lazy("Clients in the group"), queryset=Business.objects.none(), required=False
    )
    members = EmployeeLabel(
        label=gettext_lazy("Employees in the group"),
        queryset=Employment.objects.none(),
        required=False,
    )

    def __init__(self, *args, clients, employees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clients"].queryset = clients
        self.fields["members"].queryset = employees
        self.helper = form_helper()


class AssignmentAccountsForm(forms.Form):
    """DELEG-1, DELEG-4: the client's program accounts an employee acts on."""

    program_accounts = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Program accounts"),
        queryset=ProgramAccount.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None chosen: every program account of the client."),
    )

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["program_accounts"]
        field.queryset = accounts
        field.label_from_instance = lambda account: (
            account.full_reference + (f" {account.name}" if account.name else "")
        )
        self.helper = form_helper()
