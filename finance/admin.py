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
from carm_portal.workflow import TransitionNotAllowed
from finance import services
from finance.models import (
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
    PrescribedRate,
    SecurityChangeRequest,
    Statement,
    StatementLine,
    Transaction,
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
    description = forms.CharField(label=_("Description (English)"), max_length=100)
    description_fr = forms.CharField(label=_("Description (French)"), max_length=100)
    reason = forms.CharField(
        label=_("Reason (told to the business)"), max_length=500, widget=forms.Textarea
    )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if not amount:
            raise ValidationError(_("A correction has an amount other than zero."))
        return amount


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    """Read-only; staff correct a wrong transaction with a new one (LINK-5)."""

    readonly_fields = ("correct_link",)

    @admin.display(description=_("correction"))
    def correct_link(self, obj):
        url = reverse("admin:finance_transaction_correct", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Correct this transaction"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/correct/",
                self.admin_site.admin_view(self.correct_view),
                name="finance_transaction_correct",
            ),
            *super().get_urls(),
        ]

    def correct_view(self, request, pk):
        if not request.user.is_staff or not request.user.has_perm("finance.view_transaction"):
            raise PermissionDenied
        original = get_object_or_404(Transaction, pk=pk)
        form = CorrectionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            correction = services.transaction_correct(
                original=original,
                audit=AuditContext.from_request(request),
                **form.cleaned_data,
            )
            messages.success(
                request,
                _("Transaction %(number)s added; the business was notified.")
                % {"number": correction.number},
            )
            return redirect(reverse("admin:finance_transaction_change", args=[correction.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": original,
            "title": _("Correct transaction %(number)s") % {"number": original.number},
            "form": form,
        }
        return TemplateResponse(request, "admin/finance/transaction/correct.html", context)

    list_display = (
        "number",
        "date",
        "program_account",
        "description",
        "amount",
        "status",
        "running_balance",
    )
    list_filter = ("status",)
    list_select_related = ("program_account__business",)
    search_fields = ("number", "program_account__business__bn9")
    date_hierarchy = "date"
    show_full_result_count = False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("reference", "date", "program_account", "amount")
    list_select_related = ("program_account__business",)
    search_fields = ("reference", "program_account__business__bn9")


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
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "date", "program_account", "description", "total", "status")
    list_filter = ("status",)
    list_select_related = ("program_account__business",)
    search_fields = ("number", "program_account__business__bn9")
    inlines = [InvoiceLineInline]


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
