"""Forms of the commercial accounting declarations (SPEC DECL-1, DECL-2, DECL-5, DECL-6).

The header and line forms only parse what is typed (a draft saves at any point, DECL-2):
whether a line can be computed is the engine's answer at submission, shown next to the
line's fields. Codes are typed, not chosen from long lists, as brokers type them (a CAD
may have hundreds of lines): country ISO codes, treatment codes, units of measure.
"""

from __future__ import annotations

import csv
import functools
import io
from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from calculator import selectors
from calculator.currencies import currency_name
from calculator.declarations_services import MAX_LINES
from calculator.forms import MAX_QUANTITY, MAX_VALUE, LocalizedDecimalField, normalize_number
from calculator.models import (
    CARRIER_PATTERN,
    CCN_PATTERN,
    PORT_PATTERN,
    Declaration,
    DeclarationLine,
)
from calculator.rates import MEASURE_UNITS
from carm_portal.forms import IsoDateField, SearchForm

PAGE_SIZES = (25, 50, 100)
BLANK_LINES = 2  # empty lines offered below the typed ones


def _upper(value) -> str:
    return (value or "").strip().upper()


class HeaderForm(forms.Form):
    """DECL-1: the header of a CAD."""

    release_date = IsoDateField(label=_("Release date"), required=False, help_text=_("YYYY-MM-DD."))
    port_code = forms.CharField(
        label=_("Port of entry"),
        required=False,
        max_length=4,
        validators=[RegexValidator(PORT_PATTERN, _("Enter the 4-digit port code, e.g. 0395."))],
        help_text=_("The 4-digit CBSA port code, e.g. 0395 (Montréal)."),
    )
    office = forms.CharField(label=_("Office"), required=False, max_length=100)
    carrier_code = forms.CharField(
        label=_("Carrier code"),
        required=False,
        max_length=4,
        validators=[RegexValidator(CARRIER_PATTERN, _("Enter the carrier's 4-character code."))],
    )
    cargo_control_number = forms.CharField(
        label=_("Cargo control number"),
        required=False,
        max_length=25,
        validators=[
            RegexValidator(
                CCN_PATTERN,
                _(
                    "Enter the cargo control number: the carrier code and up to 21 letters or digits."
                ),
            )
        ],
    )
    vendor_name = forms.CharField(label=_("Vendor name"), required=False, max_length=100)
    vendor_country = forms.CharField(
        label=_("Vendor country"),
        required=False,
        max_length=2,
        help_text=_("Two-letter ISO code, e.g. CN."),
    )
    currency = forms.ChoiceField(label=_("Currency"), required=False)
    exchange_rate_date = IsoDateField(
        label=_("Exchange-rate date"),
        required=False,
        help_text=_("YYYY-MM-DD: the date of direct shipment. Its tariff and rate are used."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [("", "—")] + [
            (code, f"{code} — {currency_name(code)}") for code in selectors.currencies_available()
        ]
        if not any(code == "CAD" for code, _label in self.fields["currency"].choices):
            self.fields["currency"].choices.insert(1, ("CAD", f"CAD — {currency_name('CAD')}"))

    def clean_carrier_code(self):
        return _upper(self.cleaned_data["carrier_code"])

    def clean_cargo_control_number(self):
        return _upper(self.cleaned_data["cargo_control_number"])

    def clean_vendor_country(self):
        return _country(self.cleaned_data["vendor_country"])

    def header(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields}


@functools.cache
def _country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in countries)


def _country(value: str) -> str:
    code = _upper(value)
    if code and code not in _country_codes():
        raise forms.ValidationError(
            _("“%(code)s” is not a two-letter country code (ISO 3166), e.g. CN."),
            params={"code": code},
        )
    return code


def _treatment(value: str) -> str:
    code = _upper(value)
    if code and code not in {t.code for t in selectors.treatment_list()}:
        raise forms.ValidationError(
            _("“%(code)s” is not a tariff treatment code, e.g. MFN, UST, CEUT."),
            params={"code": code},
        )
    return code


def _number(value: str) -> str:
    text = (value or "").strip()
    if not text:
        return ""
    number = normalize_number(text)
    if not number:
        raise forms.ValidationError(
            _("Enter a classification number in the form 0000.00.00.00."), code="format"
        )
    return number


def _unit(value: str) -> str:
    code = _upper(value)
    if code and code not in MEASURE_UNITS:
        raise forms.ValidationError(
            _("“%(code)s” is not a unit of measure of the tariff (%(units)s)."),
            params={"code": code, "units": ", ".join(MEASURE_UNITS)},
        )
    return code


VALUE_ERRORS = {
    "invalid": _("Enter the value as a number, for example 1250.00."),
    "min_value": _("Enter a value greater than zero."),
    "max_value": _("Enter a value of at most 1,000,000,000."),
    "max_decimal_places": _("Enter a value with at most 2 decimals (cents)."),
    "max_digits": _("Enter a value of at most 1,000,000,000."),
    "max_whole_digits": _("Enter a value of at most 1,000,000,000."),
}
QUANTITY_ERRORS = {
    "invalid": _("Enter the quantity as a number, for example 12.5."),
    "min_value": _("Enter a quantity greater than zero."),
    "max_value": _("Enter a quantity of at most 1,000,000,000."),
    "max_decimal_places": _("Enter a quantity with at most 3 decimals."),
    "max_digits": _("Enter a quantity of at most 1,000,000,000."),
    "max_whole_digits": _("Enter a quantity of at most 1,000,000,000."),
}


class LineForm(forms.Form):
    """DECL-1: one commercial invoice line."""

    classification_number = forms.CharField(
        label=_("Classification number"), required=False, max_length=20
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=200)
    origin = forms.CharField(label=_("Origin"), required=False, max_length=2)
    treatment = forms.CharField(label=_("Tariff treatment"), required=False, max_length=8)
    value = LocalizedDecimalField(
        label=_("Value"),
        required=False,
        max_digits=13,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_VALUE,
        error_messages=VALUE_ERRORS,
    )
    quantity = LocalizedDecimalField(
        label=_("Quantity"),
        required=False,
        max_digits=13,
        decimal_places=3,
        min_value=Decimal("0.001"),
        max_value=MAX_QUANTITY,
        error_messages=QUANTITY_ERRORS,
    )
    unit = forms.CharField(label=_("Unit"), required=False, max_length=3)

    def clean_classification_number(self):
        return _number(self.cleaned_data["classification_number"])

    def clean_origin(self):
        return _country(self.cleaned_data["origin"])

    def clean_treatment(self):
        return _treatment(self.cleaned_data["treatment"])

    def clean_unit(self):
        return _unit(self.cleaned_data["unit"])

    def line(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in DeclarationLine.INPUT_FIELDS}

    @property
    def is_blank(self) -> bool:
        return not any((self.data.get(self.add_prefix(n)) or "").strip() for n in self.fields)


class BaseLineFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict]:
        """The typed lines, blank ones left out, in order."""
        return [form.line() for form in self.forms if not form.is_blank]


LineFormSet = forms.formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=0,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES + BLANK_LINES,
    validate_max=True,
)


class ChangeReasonForm(forms.Form):
    """DECL-4: why a submitted CAD is corrected or adjusted."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the declaration changes.")},
    )


class AdjustmentDecisionForm(forms.Form):
    """CBSA staff: approve or refuse a pending adjustment, with a reason (DECL-4)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )


# --- DECL-5: the list's search ----------------------------------------------------------

# The list's sortable columns: the columns of each order, the last ones keeping it total
# and stable; descending reverses them all, so that one index serves both directions.
SORTS = {
    "number": ("transaction_number",),
    "release": ("release_date", "id"),
    "status": ("status", "release_date", "id"),
    "port": ("port_code", "release_date", "id"),
    "total": ("total", "id"),
    "due": ("due_date", "id"),
}


class DeclarationSearchForm(SearchForm):
    """DECL-5: the release date range (From, To) and the list's own fields."""

    number = forms.CharField(label=_("Transaction number"), required=False, max_length=20)
    status = forms.ChoiceField(label=_("Status"), required=False)
    port = forms.CharField(label=_("Port of entry"), required=False, max_length=4)
    classification = forms.CharField(
        label=_("Classification number"),
        required=False,
        max_length=20,
        help_text=_("All or the start of it, e.g. 6109.10."),
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(k, k) for key in SORTS for k in (key, f"-{key}")],
        widget=forms.HiddenInput,
    )
    per_page = forms.TypedChoiceField(
        label=_("Items per page"),
        choices=[(size, str(size)) for size in PAGE_SIZES],
        coerce=int,
        required=False,
        empty_value=PAGE_SIZES[0],
    )
    PARAMETERS = ("number", "start", "end", "status", "port", "classification", "sort", "per_page")
    QUERY_DEFAULTS = {"per_page": PAGE_SIZES[0]}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status"))] + list(Declaration.Status.choices)

    def clean_number(self) -> str:
        text = "".join(self.cleaned_data["number"].split())
        if text and not text.isdigit():
            raise forms.ValidationError(_("A transaction number has digits only."))
        return text

    def clean_port(self) -> str:
        text = self.cleaned_data["port"].strip()
        if text and not (text.isascii() and text.isdigit()):
            raise forms.ValidationError(_("Enter the 4-digit port code, e.g. 0395."))
        return text

    def clean_classification(self) -> str:
        text = "".join(self.cleaned_data["classification"].split())
        if text and not all(c.isascii() and (c.isdigit() or c == ".") for c in text):
            raise forms.ValidationError(
                _("Enter digits and dots only, e.g. 6109.10 or 6109.10.00.12.")
            )
        return text


# --- DECL-6: lines uploaded as CSV -------------------------------------------------------

CSV_COLUMNS = (
    "classification_number",
    "description",
    "origin",
    "treatment",
    "value",
    "quantity",
    "unit",
)
MAX_CSV_BYTES = 2 * 1024 * 1024


class LinesUploadForm(forms.Form):
    """A CSV file of a CAD's lines (format on the page and in docs/declarations.md)."""

    file = forms.FileField(label=_("CSV file of the lines"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from error
        return text


def csv_lines(text: str) -> tuple[list[dict], list[tuple[int, str]]]:
    """Parse the CSV's rows with the line form (in the active language): the lines, and
    every bad row's number (the header is row 1) and reason. Nothing is kept when a row
    is bad: the caller saves only an error-free file."""
    reader = csv.reader(io.StringIO(text))
    errors: list[tuple[int, str]] = []
    try:
        rows = list(reader)
    except csv.Error as error:
        return [], [(reader.line_num, gettext("The file is not valid CSV (%s).") % error)]
    if not rows:
        return [], [(1, gettext("The file is empty."))]
    header = [name.strip().lower() for name in rows[0]]
    if header != list(CSV_COLUMNS):
        return [], [
            (
                1,
                gettext("The first row must name the columns: %(columns)s.")
                % {"columns": ",".join(CSV_COLUMNS)},
            )
        ]
    body = [(n, row) for n, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)]
    if not body:
        return [], [(2, gettext("The file has no lines."))]
    if len(body) > MAX_LINES:
        return [], [
            (
                body[MAX_LINES][0],
                gettext("A declaration has at most %(max)s lines; this file has %(count)s.")
                % {"max": MAX_LINES, "count": len(body)},
            )
        ]
    lines = []
    for number, row in body:
        if len(row) != len(CSV_COLUMNS):
            errors.append(
                (
                    number,
                    gettext("%(found)s columns instead of %(expected)s.")
                    % {"found": len(row), "expected": len(CSV_COLUMNS)},
                )
            )
            continue
        form = LineForm(dict(zip(CSV_COLUMNS, row, strict=True)))
        if not form.is_valid():
            reasons = [
                f"{form.fields[name].label}: {' '.join(str(m) for m in messages)}"
                for name, messages in form.errors.items()
            ]
            errors.append((number, "; ".join(reasons)))
            continue
        lines.append((number, form.line()))
    return lines, errors
