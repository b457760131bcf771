"""The Douanes step of the calculator (SPEC CALC-2) and the classification search."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout, Submit
from django import forms
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from calculator import duties, selectors
from calculator.currencies import currency_name

MAX_VALUE = Decimal("1000000000")  # one billion: larger is a typing error
MAX_QUANTITY = Decimal("1000000000")
EARLIEST_DATE = date(2000, 1, 1)


def country_choices() -> list[tuple[str, str]]:
    """Every ISO 3166 country but Canada, by name in the active language."""
    return [(code, name) for code, name in countries if code != "CA"]


class LocalizedDecimalField(forms.DecimalField):
    """A decimal typed as people type it: ``1,234.56`` in English, ``1 234,56`` in French;
    more decimals than allowed is an error, never rounded away."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        text = text.removeprefix("$").removesuffix("$")
        if translation.get_language() == "fr":
            text = text.replace(".", "").replace(",", ".") if "," in text else text
        else:
            text = text.replace(",", "")
        if not re.fullmatch(r"[-+]?\d+(\.\d+)?", text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return Decimal(text)
        except InvalidOperation as error:  # pragma: no cover - the regex admits only numbers
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.pop("min", None)
        attrs.pop("max", None)
        attrs["inputmode"] = "decimal"
        attrs["autocomplete"] = "off"
        return attrs


class CustomsForm(forms.Form):
    """Douanes: the customs details of one good."""

    number = forms.CharField(
        label=_("Classification number"),
        help_text=_("10 digits, in the form 0000.00.00.00."),
        max_length=20,
        error_messages={"required": _("Enter the classification number of the goods.")},
    )
    origin = forms.ChoiceField(
        label=_("Country of origin"),
        error_messages={
            "required": _("Select the country of origin."),
            "invalid_choice": _("Select a country of origin from the list."),
        },
    )
    shipping_date = forms.DateField(
        label=_("Date of direct shipment"),
        help_text=_("YYYY-MM-DD. The exchange rate and the tariff of this date are used."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": _("Enter the date of direct shipment."),
            "invalid": _("Enter the date as YYYY-MM-DD."),
        },
    )
    treatment = forms.ChoiceField(
        label=_("Tariff treatment"),
        help_text=_(
            "Only the treatments open to the country of origin that have a rate for this "
            "classification number are offered. MFN applies when no preference is claimed."
        ),
        error_messages={
            "required": _("Select a tariff treatment."),
            "invalid_choice": _("Select a tariff treatment from the list."),
        },
    )
    value = LocalizedDecimalField(
        label=_("Value for duty, in the currency of the invoice"),
        help_text=_("The price paid or payable for the goods, for example 1250.00."),
        max_digits=13,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_VALUE,
        error_messages={
            "required": _("Enter the value of the goods."),
            "invalid": _("Enter the value as a number, for example 1250.00."),
            "min_value": _("Enter a value greater than zero."),
            "max_value": _("Enter a value of at most 1,000,000,000."),
            "max_decimal_places": _("Enter a value with at most 2 decimals (cents)."),
            "max_digits": _("Enter a value of at most 1,000,000,000."),
            "max_whole_digits": _("Enter a value of at most 1,000,000,000."),
        },
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        error_messages={
            "required": _("Select the currency."),
            "invalid_choice": _("Select a currency from the list."),
        },
    )
    quantity = LocalizedDecimalField(
        label=_("Quantity, in the tariff's unit of measure"),
        required=False,
        max_digits=13,
        decimal_places=3,
        min_value=Decimal("0.001"),
        max_value=MAX_QUANTITY,
        error_messages={
            "invalid": _("Enter the quantity as a number, for example 12.5."),
            "min_value": _("Enter a quantity greater than zero."),
            "max_value": _("Enter a quantity of at most 1,000,000,000."),
            "max_decimal_places": _("Enter a quantity with at most 3 decimals."),
            "max_digits": _("Enter a quantity of at most 1,000,000,000."),
            "max_whole_digits": _("Enter a quantity of at most 1,000,000,000."),
        },
    )

    def __init__(self, *args, check_estimate: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.check_estimate = check_estimate
        self.estimate: duties.Estimate | None = None
        language = translation.get_language()
        self.fields["origin"].choices = [("", _("Select a country"))] + country_choices()
        self.fields["currency"].choices = [
            (code, f"{code} — {currency_name(code)}") for code in selectors.currencies_available()
        ]
        self.line = None
        self.fields["treatment"].choices = self.treatment_choices(language)
        self.fields["quantity"].help_text = self.quantity_hint()
        self.helper = FormHelper()
        self.helper.form_id = "customs-form"
        self.helper.attrs = {"data-treatments-url": reverse("calculator_api:treatments")}
        self.helper.layout = Layout(
            HTML(
                '<button type="submit" name="validate" class="visually-hidden" tabindex="-1" '
                'aria-hidden="true"></button>'
            ),
            Field("number", autocomplete="off", placeholder="0000.00.00.00"),
            Div(
                Submit(
                    "classification_help",
                    _("Classification assistance"),
                    css_class="button-secondary",
                ),
                css_class="form-actions field-action",
            ),
            Field("origin"),
            Field("shipping_date"),
            Field("treatment"),
            Div(
                Submit(
                    "refresh",
                    _("Show the treatments for this origin and number"),
                    css_class="button-secondary",
                ),
                css_class="form-actions field-action",
                css_id="refresh-treatments",
            ),
            Field("value"),
            Field("currency"),
            Field("quantity"),
        )
        self.helper.add_input(Submit("validate", _("Validate the data entered")))

    # What the person chose so far, bound or not, to offer the right treatments.
    def _raw(self, name: str) -> str:
        if self.is_bound:
            return (self.data.get(name) or "").strip()
        return str(self.initial.get(name) or "").strip()

    def _raw_date(self) -> date:
        try:
            return date.fromisoformat(self._raw("shipping_date"))
        except ValueError:
            return timezone.localdate()

    def treatment_choices(self, language: str) -> list[tuple[str, str]]:
        number = normalize_number(self._raw("number"))
        origin = self._raw("origin").upper()
        on = self._raw_date()
        if number:
            self.line = selectors.tariff_line_get(number=number, on=on)
        if origin and origin in countries:
            treatments = selectors.treatments_open_to(origin=origin, on=on, line=self.line)
        else:
            treatments = [t for t in selectors.treatment_list() if t.code == "MFN"]
        return [
            (t.code, f"{t.abbreviation(language)} — {t.name(language)}") for t in treatments
        ] or [("MFN", "MFN")]

    def quantity_hint(self):
        if self.line is not None and duties.quantity_unit(self.line) is not None:
            return _(
                "Needed when a rate is specific (per kg, per litre …). Unit of measure of "
                "%(number)s: %(unit)s."
            ) % {"number": self.line.number, "unit": duties.unit_name(self.line)}
        return _("Needed when a rate is specific (per kg, per litre …), in the tariff's unit.")

    def clean_number(self):
        number = normalize_number(self.cleaned_data["number"])
        if not number:
            raise forms.ValidationError(
                _("Enter a classification number of 10 digits, in the form 0000.00.00.00."),
                code="format",
            )
        return number

    def clean_shipping_date(self):
        value = self.cleaned_data["shipping_date"]
        latest = timezone.localdate() + timedelta(days=366)
        if value < EARLIEST_DATE or value > latest:
            raise forms.ValidationError(
                _("Enter a date between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST_DATE.isoformat(), "latest": latest.isoformat()}
            )
        return value

    def clean(self):
        data = super().clean()
        needed = ("number", "origin", "treatment", "value", "currency", "shipping_date")
        if not self.check_estimate or self.errors or not all(data.get(f) for f in needed):
            return data
        try:
            self.estimate = duties.estimate(
                number=data["number"],
                origin=data["origin"],
                treatment=data["treatment"],
                value=data["value"],
                currency=data["currency"],
                shipping_date=data["shipping_date"],
                quantity=data.get("quantity"),
            )
        except duties.EstimateError as error:
            for name, messages in error.errors.items():
                for message in messages:
                    self.add_error(None if name == "__all__" else name, message)
        return data


def normalize_number(text: str) -> str:
    """``0901110010`` or ``0901.11.00.10`` → ``0901.11.00.10``; anything else → ``""``."""
    digits = re.sub(r"[\s.]", "", text or "")
    if not re.fullmatch(r"\d{10}", digits):
        return ""
    return f"{digits[:4]}.{digits[4:6]}.{digits[6:8]}.{digits[8:]}"


class ClassificationSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Describe the goods in a few words, in English or French"),
        help_text=_("For example: cotton T-shirts, t-shirt coton, roasted coffee, 6109."),
        max_length=200,
        error_messages={"required": _("Enter a few words that describe the goods.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "classification-search"
        self.helper.disable_csrf = True
        self.helper.add_input(Submit("search", _("Search")))
