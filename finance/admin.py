"""Finance in the CBSA staff admin (STYLE 17): everything visible, read-only, except the
allowed actions: recording a financial security (and its release), answering a change
request. Bank details are never shown, only the masked account number."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from carm_portal.admin import AnswerAdmin, ReadOnlyAdmin
from carm_portal.audit import AuditContext, audit_record
from carm_portal.templatetags.portal import money
from carm_portal.workflow import TransitionNotAllowed
from finance import services
from finance.models import (
    CardPayment,
    CollectionNotice,
    CreditApplication,
    CreditApplicationLine,
    FinancialSecurity,
    Instalment,
    Invoice,
    InvoiceLine,
    PadAgreement,
    Payment,
    PaymentArrangement,
    PaymentLine,
    PrescribedRate,
    ProcessorEvent,
    SecurityChangeRequest,
    Statement,
    StatementLine,
    Transaction,
    TransactionType,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CorrectionForm(forms.Form):
    """LINK-5: a correction is a new transaction of the difference (as in accounting)."""

    amount = forms.DecimalField(
        label=_("Amount of the correction"),
        max_digits=14,
        decimal_places=2,
        help_text=_("The difference: positive adds a debit, negative a credit."),
    )
    description = forms.CharField(
        label=_("Description (English)"),
        max_length=100,
        required=False,
        help_text=_("Leave both descriptions empty for the type's names: Correction."),
    )
    description_fr = forms.CharField(
        label=_("Description (French)"), max_length=100, required=False
    )
    reason = forms.CharField(
        label=_("Reason (told to the business)"), max_length=500, widget=forms.Textarea
    )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if not amount:
            raise ValidationError(_("A correction has an amount other than zero."))
        return amount

    def clean(self):
        data = super().clean()
        english, french = data.get("description", ""), data.get("description_fr", "")
        if bool(english.strip()) != bool(french.strip()):
            self.add_error(
                "description_fr" if english else "description",
                _("Give the description in both languages, or neither."),
            )
        return data


class PaymentCorrectionForm(forms.Form):
    """LINK-5: a payment's correction is a new payment record of the difference."""

    amount = forms.DecimalField(
        label=_("Amount of the correction"),
        max_digits=14,
        decimal_places=2,
        help_text=_("The difference: what the payment on file lacks (or, negative, has too much)."),
    )
    reason = forms.CharField(
        label=_("Reason (told to the business)"), max_length=500, widget=forms.Textarea
    )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if not amount:
            raise ValidationError(_("A correction has an amount other than zero."))
        return amount


class CorrectionAdmin(ReadOnlyAdmin):
    """Read-only, with one allowed action (LINK-5): *Correct this …*, which adds a new
    record of the difference through the model's correction service (audited, the
    business told) and never changes the record corrected nor an issued statement."""

    correction_form: type[forms.Form] = CorrectionForm
    correct_label = _("Add a correction")

    def correction_intro(self, original) -> str:  # pragma: no cover - each admin says
        raise NotImplementedError

    def correction_save(self, original, data: dict, audit: AuditContext):
        """Call the service; return (the message for staff, the object to show next)."""
        raise NotImplementedError

    @admin.display(description=_("correction"))
    def correct_link(self, obj):
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_correct", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, self.correct_label)

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<int:pk>/correct/",
                self.admin_site.admin_view(self.correct_view),
                name=f"{opts.app_label}_{opts.model_name}_correct",
            ),
            *super().get_urls(),
        ]

    def correct_view(self, request, pk):
        opts = self.model._meta
        if not request.user.is_staff or not request.user.has_perm(
            f"{opts.app_label}.view_{opts.model_name}"
        ):
            raise PermissionDenied
        original = get_object_or_404(self.model, pk=pk)
        form = self.correction_form(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                message, shown = self.correction_save(
                    original, form.cleaned_data, AuditContext.from_request(request)
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, message)
                return redirect(
                    reverse(
                        f"admin:{shown._meta.app_label}_{shown._meta.model_name}_change",
                        args=[shown.pk],
                    )
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "original": original,
            "title": _("Correct %(record)s") % {"record": original},
            "intro": self.correction_intro(original),
            "form": form,
        }
        return TemplateResponse(request, "admin/finance/correct.html", context)


@admin.register(Transaction)
class TransactionAdmin(CorrectionAdmin):
    """Read-only; staff correct a wrong transaction with a new one (LINK-5)."""

    readonly_fields = ("correct_link",)
    correct_label = _("Correct this transaction")

    def correction_intro(self, original) -> str:
        return _(
            "Transaction %(number)s of %(account)s, %(amount)s. It stays as it is, and so do "
            "the statements already issued: the correction is a new transaction of the "
            "difference, dated today, listed on the next statement. The business is "
            "notified; the correction is audited."
        ) % {
            "number": original.number,
            "account": original.program_account.full_reference,
            "amount": money(original.amount),
        }

    def correction_save(self, original, data, audit):
        correction = services.transaction_correct(original=original, audit=audit, **data)
        return (
            _("Transaction %(number)s added; the business was notified.")
            % {"number": correction.number},
            correction,
        )

    list_display = (
        "number",
        "date",
        "program_account",
        "type",
        "description",
        "amount",
        "status",
        "running_balance",
    )
    list_filter = ("status", "type")
    list_select_related = ("program_account__business", "type")
    search_fields = ("number", "program_account__business__bn9")
    date_hierarchy = "date"
    show_full_result_count = False


@admin.register(TransactionType)
class TransactionTypeAdmin(ReadOnlyAdmin):
    """Loaded from CBSA's file (``manage.py load_transaction_types``), in both languages."""

    list_display = ("code", "name", "name_fr")
    search_fields = ("code", "name", "name_fr")


class PaymentLineInline(ReadOnlyInline):
    model = PaymentLine
    fields = ("transaction", "amount")
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(CorrectionAdmin):
    """Read-only; staff correct a wrong payment with a new record of the difference
    (LINK-5): a wrong amount on file can lock a registering business out (LINK-1)."""

    list_display = ("reference", "date", "program_account", "amount", "method", "corrects")
    list_filter = ("method",)
    list_select_related = ("program_account__business", "corrects")
    search_fields = ("reference", "program_account__business__bn9")
    readonly_fields = ("correct_link",)
    inlines = [PaymentLineInline]
    correction_form = PaymentCorrectionForm
    correct_label = _("Correct this payment")

    def correction_intro(self, original) -> str:
        return _(
            "Payment %(reference)s of %(account)s, %(amount)s. It stays as it is: the "
            "correction is a new payment record of the difference, dated today; the payment "
            "on file is then the two together. The business is notified; the correction is "
            "audited."
        ) % {
            "reference": original.reference,
            "account": original.program_account.full_reference,
            "amount": money(original.amount),
        }

    def correction_save(self, original, data, audit):
        correction = services.payment_correct(original=original, audit=audit, **data)
        return (
            _("Payment record %(reference)s added; the business was notified.")
            % {"reference": correction.reference},
            correction,
        )


class ProcessorEventInline(ReadOnlyInline):
    model = ProcessorEvent
    fields = ("event_id", "kind", "received_at")
    readonly_fields = fields


@admin.register(CardPayment)
class CardPaymentAdmin(ReadOnlyAdmin):
    """FIN-6: every payment intent, its state and the processor's events (read-only:
    only the processor's signed webhook changes a card payment)."""

    list_display = ("__str__", "created_at", "program_account", "amount", "status", "created_by")
    list_filter = ("status",)
    list_select_related = ("program_account__business", "created_by")
    search_fields = ("intent", "charge", "program_account__business__bn9")
    inlines = [ProcessorEventInline]


class StatementLineInline(ReadOnlyInline):
    model = StatementLine
    fields = ("date", "number", "description", "amount", "due_date", "status")
    readonly_fields = fields


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    """Statements are never changed once issued (FIN-2): read-only here, and the
    database refuses changes anyway."""

    list_display = ("program_account", "date", "period_start", "period_end", "balance", "due_date")
    list_select_related = ("program_account__business",)
    search_fields = ("program_account__business__bn9",)
    date_hierarchy = "date"
    inlines = [StatementLineInline]


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ("position", "description", "quantity", "unit_price", "amount")
    readonly_fields = fields


@admin.register(Invoice)
class InvoiceAdmin(CorrectionAdmin):
    """Read-only; staff correct an invoice with a new line of the difference (LINK-5)."""

    list_display = ("number", "date", "program_account", "description", "total", "status")
    list_filter = ("status",)
    list_select_related = ("program_account__business",)
    search_fields = ("number", "program_account__business__bn9")
    inlines = [InvoiceLineInline]
    readonly_fields = ("correct_link",)
    correct_label = _("Correct this invoice")

    def correction_intro(self, original) -> str:
        return _(
            "CBSA invoice %(number)s of %(account)s, %(amount)s. Its lines stay as they are: "
            "the correction is a new line of the difference, and the total follows. "
            "Statements of account do not list invoices. The business is notified; the "
            "correction is audited."
        ) % {
            "number": original.number,
            "account": original.program_account.full_reference,
            "amount": money(original.total),
        }

    def correction_save(self, original, data, audit):
        line = services.invoice_correct(invoice=original, audit=audit, **data)
        return (
            _("Line %(position)s added to invoice %(number)s; the business was notified.")
            % {"position": line.position, "number": original.number},
            original,
        )


class CreditApplicationLineInline(ReadOnlyInline):
    model = CreditApplicationLine
    fields = ("transaction", "amount")
    readonly_fields = fields


@admin.register(CreditApplication)
class CreditApplicationAdmin(ReadOnlyAdmin):
    list_display = ("program_account", "applied_at", "applied_by", "total")
    list_select_related = ("program_account__business", "applied_by")
    search_fields = ("program_account__business__bn9",)
    inlines = [CreditApplicationLineInline]


@admin.register(PadAgreement)
class PadAgreementAdmin(ReadOnlyAdmin):
    list_display = (
        "program_account",
        "status",
        "masked_account_number",
        "holder_name",
        "withdrawal_day",
        "created_at",
        "cancelled_at",
    )
    list_filter = ("status",)
    list_select_related = ("program_account__business",)
    search_fields = ("program_account__business__bn9",)
    # The encrypted details stay out of the admin altogether.
    fields = (
        "program_account",
        "status",
        "masked_account_number",
        "holder_name",
        "withdrawal_day",
        "terms_accepted_at",
        "created_by",
        "created_at",
        "updated_at",
        "cancelled_at",
    )
    readonly_fields = fields

    @admin.display(description=_("account number"))
    def masked_account_number(self, obj):
        return obj.masked_account_number


@admin.register(FinancialSecurity)
class FinancialSecurityAdmin(admin.ModelAdmin):
    """CBSA staff record the securities posted; once recorded, only its release date may
    be set."""

    list_display = ("reference", "program_account", "kind", "amount", "posted_on", "released_on")
    list_filter = ("kind",)
    list_select_related = ("program_account__business",)
    search_fields = ("reference", "program_account__business__bn9")
    autocomplete_fields = ("program_account",)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("program_account", "kind", "amount", "reference", "posted_on")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["released_on"])
            audit_record(
                action="finance.security_released",
                request=request,
                subject=obj.reference,
                business=obj.program_account.business,
                changes={"released_on": str(obj.released_on)},
            )
            return
        saved = services.security_record(
            program_account=obj.program_account,
            kind=obj.kind,
            amount=obj.amount,
            reference=obj.reference,
            posted_on=obj.posted_on,
            actor=request.user,
            audit=AuditContext.from_request(request),
        )
        obj.pk = saved.pk


@admin.register(SecurityChangeRequest)
class SecurityChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ("program_account", "requested_at", "kind", "amount", "status", "answered_by")
    list_filter = ("status",)
    list_select_related = ("program_account__business", "answered_by")
    search_fields = ("program_account__business__bn9",)
    actions = ["accept", "reject"]

    def has_change_permission(self, request, obj=None):
        # The list's actions need it; every field stays read-only.
        return request.user.is_staff

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def _answer(self, request, queryset, accept: bool):
        done = 0
        for change in queryset:
            try:
                services.security_change_request_answer(
                    change=change,
                    accept=accept,
                    actor=request.user,
                    audit=AuditContext.from_request(request),
                )
                done += 1
            except TransitionNotAllowed as error:
                self.message_user(request, f"{change}: {error}", messages.WARNING)
        self.message_user(request, _("%(count)d requests answered.") % {"count": done})

    @admin.action(description=_("Accept the selected requests"))
    def accept(self, request, queryset):
        self._answer(request, queryset, True)

    @admin.action(description=_("Reject the selected requests"))
    def reject(self, request, queryset):
        self._answer(request, queryset, False)


# --- FIN-7, FIN-8 -------------------------------------------------------------------------


class InstalmentInline(ReadOnlyInline):
    model = Instalment
    fields = ("number", "due_date", "amount", "missed_at")
    readonly_fields = fields


@admin.register(PaymentArrangement)
class PaymentArrangementAdmin(AnswerAdmin):
    """CBSA staff approve or refuse a proposed arrangement (FIN-7), with a reason, on a
    page of its own (the buttons of the change page); nothing else changes here."""

    list_display = (
        "program_account",
        "proposed_at",
        "total",
        "instalment_amount",
        "frequency",
        "status",
        "answered_by",
    )
    list_filter = ("status",)
    list_select_related = ("program_account__business", "answered_by")
    search_fields = ("program_account__business__bn9",)
    inlines = [InstalmentInline]
    exclude = ("debits",)

    def answer(self, obj, *, approve, reason, audit):
        services.arrangement_answer(arrangement=obj, approve=approve, reason=reason, audit=audit)


@admin.register(CollectionNotice)
class CollectionNoticeAdmin(ReadOnlyAdmin):
    list_display = ("transaction", "stage", "sent_on")
    list_filter = ("stage",)
    list_select_related = ("transaction",)
    search_fields = ("transaction__number",)


@admin.register(PrescribedRate)
class PrescribedRateAdmin(ReadOnlyAdmin):
    """Loaded by ``manage.py load_prescribed_rates`` (the operator's file), read here."""

    list_display = ("start_date", "rate", "source")
