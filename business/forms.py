"""Forms of the first setup: request access to an employer, register a business (LINK-2, LINK-3)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from business.models import Address, bn9_validator
from business.services import parse_amount
from carm_portal.forms import form_helper

BN9_ERROR = gettext_lazy("Enter the 9 digits of the business number, for example 123456789.")


class Bn9Field(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 9)
        kwargs.setdefault("min_length", 9)
        kwargs.setdefault("error_messages", {"min_length": BN9_ERROR, "max_length": BN9_ERROR})
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value.strip() if isinstance(value, str) else value)
        try:
            bn9_validator(value)
        except ValidationError:
            raise ValidationError(BN9_ERROR, code="bn9") from None
        return value


class EmployerSearchForm(forms.Form):
    bn9 = Bn9Field(label=gettext_lazy("Business number (9 digits)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class AccessRequestForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Why do you need access to this business?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("For example your position and the work you do for the business."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class RegisterIdentifiersForm(forms.Form):
    """Step 1: business number, importer program account, attestation."""

    bn9 = Bn9Field(label=gettext_lazy("Business number (999999999)"))
    program_reference = forms.RegexField(
        label=gettext_lazy("Importer program reference number (RM1234)"),
        regex=r"^[Rr][Mm]\d{4}$",
        max_length=6,
        error_messages={
            "invalid": gettext_lazy("Enter RM followed by 4 digits, for example RM0001.")
        },
    )
    attestation = forms.BooleanField()

    def __init__(self, *args, person_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attestation"].label = _(
            "I, %(name)s, attest that I am authorized to act on behalf of the business to "
            "conduct business with the Canada Border Services Agency (CBSA)."
        ) % {"name": person_name}
        self.fields["attestation"].error_messages["required"] = _(
            "You must attest that you are authorized to act on behalf of the business."
        )
        self.helper = form_helper()

    def clean_program_reference(self):
        return self.cleaned_data["program_reference"].upper()


def country_choices() -> list[tuple[str, str]]:
    """Every ISO 3166 country (django-countries), named and sorted in the page's language,
    Canada first (HOME-5, LINK-3)."""
    from django_countries import countries

    listed = [(code, name) for code, name in countries if code != "CA"]
    return [("", ""), ("CA", countries.name("CA")), *listed]


class RegisterBusinessForm(forms.Form):
    """Step 2: legal name and one of the addresses on file."""

    legal_name = forms.CharField(
        label=gettext_lazy("Legal entity (max. 175 characters)"),
        max_length=175,
        help_text=gettext_lazy(
            "Exactly as the Canada Revenue Agency has it, punctuation included. A sole "
            "proprietor uses their legal name."
        ),
    )
    line1 = forms.CharField(label=gettext_lazy("Address line 1"), max_length=100)
    line2 = forms.CharField(label=gettext_lazy("Address line 2"), max_length=100, required=False)
    po_box = forms.CharField(label=gettext_lazy("PO box/RR"), max_length=30, required=False)
    country = forms.ChoiceField(label=gettext_lazy("Country"), choices=country_choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class AmountField(forms.CharField):
    """Digits and one decimal point; `$` and `,` each get their own message (LINK-3)."""

    def clean(self, value):
        value = super().clean(value)
        if "$" in value:
            raise ValidationError(
                _(
                    "Do not type a dollar sign ($): enter digits and a decimal point only, for example 1234.56."
                ),
                code="dollar",
            )
        if "," in value:
            raise ValidationError(
                _(
                    "Do not type commas (,): enter digits and a decimal point only, for example 1234.56."
                ),
                code="comma",
            )
        amount = parse_amount(value)
        if amount is None:
            raise ValidationError(
                _(
                    "Enter digits and a decimal point only, with at most 2 decimals, for example 1234.56."
                ),
                code="amount",
            )
        return amount


class RegisterQuestionsForm(forms.Form):
    """Step 3: two or three questions about the account's transactions."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        if questions.transaction_number:
            self.fields["total_duties_taxes"] = AmountField(
                label=gettext_lazy("Total duties and taxes"),
                help_text=_("Transaction number %(number)s")
                % {"number": questions.transaction_number},
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        if questions.ask_payment:
            self.fields["last_payment"] = AmountField(
                label=gettext_lazy("Amount of your last payment"),
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        if questions.ask_statement:
            self.fields["last_statement_balance"] = AmountField(
                label=gettext_lazy("Balance of your last statement of account"),
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        self.helper = form_helper()


# --- FIN-9: change requests ---------------------------------------------------------------


class AddressChangeForm(forms.Form):
    address_kind = forms.ChoiceField(
        label=gettext_lazy("Which address"), choices=Address.Kind.choices, widget=forms.RadioSelect
    )
    line1 = forms.CharField(label=gettext_lazy("Address line 1"), max_length=100)
    line2 = forms.CharField(label=gettext_lazy("Address line 2"), max_length=100, required=False)
    po_box = forms.CharField(label=gettext_lazy("PO box/RR"), max_length=30, required=False)
    city = forms.CharField(label=gettext_lazy("City"), max_length=60)
    province = forms.CharField(
        label=gettext_lazy("Province or state"), max_length=30, required=False
    )
    postal_code = forms.CharField(label=gettext_lazy("Postal code"), max_length=12, required=False)
    country = forms.RegexField(
        label=gettext_lazy("Country"),
        regex=r"^[A-Za-z]{2}$",
        initial="CA",
        error_messages={
            "invalid": gettext_lazy("Enter the country's two-letter code, such as CA.")
        },
        help_text=gettext_lazy("Two letters, for example CA."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data["country"] = data["country"].upper()
        return data


class ContactChangeForm(forms.Form):
    person = forms.TypedChoiceField(
        label=gettext_lazy("Contact"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=gettext_lazy("A contact on file to change, or a new contact."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=100, required=False)
    phone = forms.RegexField(
        label=gettext_lazy("Telephone number"),
        regex=r"^[0-9 ()+.-]{7,20}$",
        required=False,
        error_messages={
            "invalid": gettext_lazy("Enter a telephone number, for example 613-555-0199.")
        },
    )

    def __init__(self, *args, contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", gettext_lazy("A new contact"))] + [
            (person.pk, person.name) for person in contacts
        ]
        self.helper = form_helper()

    def changes(self) -> dict:
        return dict(self.cleaned_data)


class MailingChangeForm(forms.Form):
    correspondence_language = forms.ChoiceField(
        label=gettext_lazy("Language of correspondence"),
        choices=[("en", gettext_lazy("English")), ("fr", gettext_lazy("French"))],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def changes(self) -> dict:
        return dict(self.cleaned_data)


CHANGE_FORMS = {
    "address": AddressChangeForm,
    "contact": ContactChangeForm,
    "mailing": MailingChangeForm,
}
