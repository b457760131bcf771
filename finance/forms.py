"""Forms of the finance pages (FIN-1, FIN-3, FIN-4, financial security)."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carm_portal.forms import IsoDateField, SearchForm, form_helper
from finance.models import FinancialSecurity, PaymentArrangement, Transaction
from finance.selectors import SORTS

PAGE_SIZES = (25, 50, 100)


class TransactionFilterForm(SearchForm):
    """Date range, status, kind, sort and page size of the transaction history; every
    field optional (no parameters: every transaction, newest first)."""

    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All statuses")), *Transaction.Status.choices],
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("Debits and credits")), *Transaction.Kind.choices],
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[
            ("-date", gettext_lazy("Date, newest first")),
            ("date", gettext_lazy("Date, oldest first")),
            ("-amount", gettext_lazy("Amount, largest first")),
            ("amount", gettext_lazy("Amount, smallest first")),
            ("due", gettext_lazy("Due date, soonest first")),
            ("-due", gettext_lazy("Due date, latest first")),
            ("number", gettext_lazy("Transaction number")),
        ],
    )
    per_page = forms.TypedChoiceField(
        label=gettext_lazy("Items per page"),
        choices=[(size, str(size)) for size in PAGE_SIZES],
        coerce=int,
        required=False,
        empty_value=PAGE_SIZES[0],
    )

    PARAMETERS = ("start", "end", "status", "kind", "sort", "per_page")
    QUERY_DEFAULTS = {"per_page": PAGE_SIZES[0], "sort": "-date"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sort") not in SORTS:
            cleaned["sort"] = "-date"
        return cleaned

    def search(self) -> dict:
        data = self.cleaned_data
        return {
            "start": data.get("start"),
            "end": data.get("end"),
            "status": data.get("status", ""),
            "kind": data.get("kind", ""),
            "sort": data.get("sort") or "-date",
        }


class ApplyCreditsForm(forms.Form):
    """Choose open debits to settle with the account's credit (FIN-3)."""

    debits = forms.MultipleChoiceField(
        label=gettext_lazy("Open transactions to settle"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one transaction to settle.")},
    )
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, debits, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()
        from carm_portal import formatting
        from carm_portal.templatetags.portal import bi

        # The description in the page's language, or the English inside lang="en":
        # the label is markup, its other parts escaped. The sentence and the language
        # once for the hundred debits.
        sentence = conditional_escape(_("%(number)s, %(date)s, %(description)s: %(amount)s"))
        code = formatting.language()
        self.fields["debits"].choices = [
            (
                str(d.pk),
                mark_safe(  # noqa: S308 - our catalogue's sentence, every value escaped
                    sentence
                    % {
                        "number": conditional_escape(d.number),
                        "date": d.date.isoformat(),
                        "description": conditional_escape(bi(d, "description")),
                        "amount": conditional_escape(formatting.money(d.outstanding, code)),
                    }
                ),
            )
            for d in debits
        ]

    @property
    def chosen_debits(self) -> set[str]:
        """The debits checked (the template draws the boxes itself, for speed)."""
        value = self["debits"].value() or []
        return {str(v) for v in value}

    def debit_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["debits"]]


digits = {
    3: RegexValidator(r"^\d{3}$", gettext_lazy("Enter the 3 digits of the institution number.")),
    5: RegexValidator(r"^\d{5}$", gettext_lazy("Enter the 5 digits of the transit number.")),
}
account_validator = RegexValidator(
    r"^\d{7,12}$", gettext_lazy("Enter the account number: 7 to 12 digits, without spaces.")
)


class PadForm(forms.Form):
    """A pre-authorized debit agreement (FIN-4): bank account, holder, withdrawal day,
    terms and certification."""

    institution = forms.CharField(
        label=gettext_lazy("Institution number"),
        max_length=3,
        validators=[digits[3]],
        help_text=gettext_lazy("3 digits, for example 001."),
    )
    transit = forms.CharField(
        label=gettext_lazy("Transit number"),
        max_length=5,
        validators=[digits[5]],
        help_text=gettext_lazy("5 digits, for example 12345."),
    )
    account = forms.CharField(
        label=gettext_lazy("Account number"),
        max_length=12,
        validators=[account_validator],
        help_text=gettext_lazy("7 to 12 digits."),
    )
    holder_name = forms.CharField(label=gettext_lazy("Account holder name"), max_length=100)
    withdrawal_day = forms.TypedChoiceField(
        label=gettext_lazy("Withdrawal day of the month"),
        choices=[(day, str(day)) for day in range(1, 29)],
        coerce=int,
        help_text=gettext_lazy("The amount due is withdrawn on this day each month."),
    )
    terms = forms.BooleanField(
        label=gettext_lazy(
            "I have read and accept the terms and conditions of the pre-authorized debit agreement."
        ),
        error_messages={"required": gettext_lazy("Accept the terms and conditions to continue.")},
    )
    certification = forms.BooleanField(
        label=gettext_lazy(
            "I certify that I am authorized to sign on this bank account and that the "
            "information given is correct."
        ),
        error_messages={"required": gettext_lazy("Certify the information to continue.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()
        for name in ("institution", "transit", "account"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean_holder_name(self) -> str:
        return " ".join(self.cleaned_data["holder_name"].split())


class SecurityChangeForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of security"),
        choices=FinancialSecurity.Kind.choices,
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(
        label=gettext_lazy("Amount requested"),
        min_value=1,
        max_digits=14,
        decimal_places=2,
        help_text=gettext_lazy("In Canadian dollars, for example 25000.00."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class PaymentForm(forms.Form):
    """Choose open debits, or type an amount to pay on account (FIN-6). The amount is
    typed as digits with a point: no dollar sign, no thousands separator."""

    debits = forms.MultipleChoiceField(
        label=gettext_lazy("Open transactions to pay"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    amount = forms.CharField(
        label=gettext_lazy("Or an amount to pay on account"),
        required=False,
        max_length=20,
        help_text=gettext_lazy(
            "In Canadian dollars, digits with a point for the cents, for example 1250.00. "
            "It is applied to the oldest open transactions first."
        ),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, debits, owed: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()
        self.owed = owed
        self.fields["debits"].choices = ApplyCreditsForm(debits=debits).fields["debits"].choices

    @property
    def chosen_debits(self) -> set[str]:
        value = self["debits"].value() or []
        return {str(v) for v in value}

    def clean_amount(self) -> Decimal | None:
        text = self.cleaned_data["amount"].strip()
        if not text:
            return None
        if "$" in text or "," in text or " " in text:
            raise ValidationError(
                _("Type the amount with digits and a point only, without $ or commas: 1250.00.")
            )
        if not _AMOUNT.fullmatch(text):
            raise ValidationError(_("Enter an amount in dollars and cents, for example 1250.00."))
        amount = Decimal(text)
        if amount.as_tuple().exponent < -2:
            raise ValidationError(_("Enter at most 2 digits after the point (cents)."))
        if amount <= 0:
            raise ValidationError(_("Enter an amount greater than zero."))
        if amount > self.owed:
            from finance.services import payment_too_much_message

            raise ValidationError(payment_too_much_message(self.owed))
        return amount.quantize(Decimal("0.01"))

    def clean(self):
        cleaned = super().clean()
        chosen, amount = cleaned.get("debits"), cleaned.get("amount")
        if chosen and amount is not None:
            self.add_error(
                "amount",
                _("Leave the amount empty when you choose transactions: their total is paid."),
            )
        elif not chosen and amount is None and "amount" not in self.errors:
            self.add_error(
                "debits", _("Choose at least one transaction, or type an amount to pay.")
            )
        return cleaned

    def debit_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("debits") or []]


class ArrangementForm(forms.Form):
    """FIN-7: the instalment, how often, and the first due date; the schedule follows."""

    instalment_amount = forms.DecimalField(
        label=gettext_lazy("Amount of each instalment"),
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
        help_text=gettext_lazy("In Canadian dollars, for example 500.00."),
    )
    frequency = forms.ChoiceField(
        label=gettext_lazy("Frequency"),
        choices=PaymentArrangement.Frequency.choices,
        widget=forms.RadioSelect,
    )
    start_date = IsoDateField(
        label=gettext_lazy("Due date of the first instalment"),
        help_text=gettext_lazy("For example 2026-12-15."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()
