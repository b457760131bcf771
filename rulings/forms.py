"""Forms of the rulings pages: the request in two steps (RUL-2), the list's search
(RUL-1), messages to CBSA, and the staff forms of the admin (RUL-3)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carm_portal.forms import SearchForm, form_helper
from rulings.models import CONTEXT_FIELDS, DETAIL_FIELDS, Ruling

PAGE_SIZES = (10, 25, 50)
YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


class YesNoField(forms.TypedChoiceField):
    """A required yes/no question as two radio buttons (no box left unticked by
    accident); ``None`` when unanswered and not required."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=YES_NO,
            widget=forms.RadioSelect,
            coerce=lambda value: value == "yes",
            empty_value=None,
            **kwargs,
        )

    def prepare_value(self, value):
        if value is True:
            return "yes"
        if value is False:
            return "no"
        return value


class ContextForm(forms.ModelForm):
    """Step 1 of 2: the context of the request."""

    imported_before = YesNoField(label=gettext_lazy("Have these goods been imported before?"))
    will_continue = YesNoField(label=gettext_lazy("Will you continue to import these goods?"))
    consent_to_publish = YesNoField(
        label=gettext_lazy("Do you consent to the publication of the decision?"),
        help_text=gettext_lazy(
            "Published decisions are searchable by anyone, without your name or your "
            "business's name."
        ),
    )

    class Meta:
        model = Ruling
        fields = list(CONTEXT_FIELDS)
        labels = {
            "kind": gettext_lazy("Type of ruling"),
            "port_of_entry": gettext_lazy("Port of entry"),
            "prior": gettext_lazy(
                "Have these goods been the subject of a prior ruling, review or appeal?"
            ),
            "prior_reference": gettext_lazy("Its case or reference number"),
        }
        help_texts = {
            "port_of_entry": gettext_lazy(
                "Where the goods are or will be imported, e.g. Montréal."
            ),
            "prior_reference": gettext_lazy("Only if there was a prior ruling, review or appeal."),
        }
        widgets = {"kind": forms.RadioSelect, "prior": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Ruling.Kind.choices
        self.fields["prior"].choices = Ruling.Prior.choices
        self.helper = form_helper()

    def clean(self):
        cleaned = super().clean()
        prior, reference = cleaned.get("prior"), cleaned.get("prior_reference", "").strip()
        if prior and prior != Ruling.Prior.NONE and not reference:
            self.add_error(
                "prior_reference",
                ValidationError(
                    _("Enter the case or reference number of the prior ruling, review or appeal."),
                    code="required",
                ),
            )
        cleaned["prior_reference"] = reference
        return cleaned

    def context(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


DETAIL_LABELS = {
    "goods_description": gettext_lazy("Description of the goods"),
    "composition": gettext_lazy("Composition"),
    "function_and_use": gettext_lazy("Function and use"),
    "proposed_classification": gettext_lazy("Proposed classification number"),
    "classification_reasons": gettext_lazy("Reasons for the proposed classification"),
    "samples_available": gettext_lazy("Are samples available?"),
    "trade_agreement": gettext_lazy("Free trade agreement"),
    "country_of_origin": gettext_lazy("Country of origin"),
    "materials": gettext_lazy("Materials used and their origin"),
    "production_process": gettext_lazy("Production process"),
    "origin_criterion": gettext_lazy("Proposed origin criterion or rule of origin"),
    "related_parties": gettext_lazy("Are the buyer and the seller related?"),
    "valuation_method": gettext_lazy("Proposed valuation method"),
    "valuation_question": gettext_lazy("Your valuation question"),
    "current_marking": gettext_lazy("Current marking of the goods"),
    "marking_question": gettext_lazy("Your marking question"),
}
DETAIL_HELP = {
    "goods_description": gettext_lazy("Trade name, model, what the goods are."),
    "composition": gettext_lazy("Materials and their share by weight or value."),
    "proposed_classification": gettext_lazy("10 digits at most, e.g. 8467.21.00."),
    "production_process": gettext_lazy("Where and how the goods are made."),
}
TEXTAREAS = {
    "goods_description",
    "composition",
    "function_and_use",
    "classification_reasons",
    "materials",
    "production_process",
    "origin_criterion",
    "valuation_question",
    "current_marking",
    "marking_question",
}
BOOLEANS = {"samples_available", "related_parties"}


def details_form_class(kind: str) -> type[forms.ModelForm]:
    """Step 2 of 2: the fields of the request's type (``DETAIL_FIELDS``)."""
    names = [name for name, _required in DETAIL_FIELDS[kind]]
    required = {name for name, req in DETAIL_FIELDS[kind] if req}

    class DetailsForm(forms.ModelForm):
        class Meta:
            model = Ruling
            fields = names
            labels = {name: DETAIL_LABELS[name] for name in names}
            help_texts = {name: DETAIL_HELP[name] for name in names if name in DETAIL_HELP}
            widgets = {
                name: forms.Textarea(attrs={"rows": 4}) for name in names if name in TEXTAREAS
            }

        def __init__(self, *args, draft: bool = False, **kwargs):
            """``draft``: saving a draft keeps whatever was typed, complete or not."""
            super().__init__(*args, **kwargs)
            for name in names:
                if name in BOOLEANS:
                    self.fields[name] = YesNoField(label=DETAIL_LABELS[name])
                field = self.fields[name]
                field.required = name in required and not draft
            self.helper = form_helper()

        def details(self) -> dict:
            return {name: self.cleaned_data.get(name) for name in names}

    return DetailsForm


class MessageForm(forms.Form):
    """An answer to a request for information, or a change asked after the decision."""

    message = forms.CharField(
        label=gettext_lazy("Your message to the CBSA"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, label=None, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["message"].label = label
        if help_text:
            self.fields["message"].help_text = help_text
        self.helper = form_helper()


SORTS = {
    "case": "case_number",
    "type": "kind_label",
    "status": "status_label",
    "submitted": "submitted_at",
    "target": "target_date",
    "account": "program_account__reference_number",
}


class RulingSearchForm(SearchForm):
    """RUL-1: submission date range, free text (type, status, case number), sort,
    items per page. Every field is optional."""

    q = forms.CharField(
        label=gettext_lazy("Filter"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("A type, a status or a case number."),
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(k, k) for key in SORTS for k in (key, f"-{key}")],
        widget=forms.HiddenInput,
    )
    per_page = forms.TypedChoiceField(
        label=gettext_lazy("Items per page"),
        choices=[(size, str(size)) for size in PAGE_SIZES],
        coerce=int,
        required=False,
        empty_value=PAGE_SIZES[0],
    )
    PARAMETERS = ("start", "end", "q", "sort", "per_page")
    QUERY_DEFAULTS = {"per_page": PAGE_SIZES[0]}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())


# --- CBSA staff (admin) ----------------------------------------------------------------


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(
        label=gettext_lazy("CBSA officer"),
        queryset=get_user_model().objects.none(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = (
            get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
        )


class InformationRequestForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Information needed"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("The requester sees this message with the request."),
    )


class DecisionForm(forms.Form):
    decision_en = forms.CharField(
        label=gettext_lazy("Decision in English"), widget=forms.Textarea(attrs={"rows": 10})
    )
    decision_fr = forms.CharField(
        label=gettext_lazy("Decision in French"), widget=forms.Textarea(attrs={"rows": 10})
    )
