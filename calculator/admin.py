"""CBSA staff keep the calculator's reference data here (SPEC STAFF-1, CALC-6), and
decide on the adjustments of commercial accounting declarations (DECL-4)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calculator import declarations_services
from calculator.declarations_forms import AdjustmentDecisionForm
from calculator.declarations_selectors import version_changes
from calculator.models import (
    Declaration,
    DeclarationVersion,
    ExchangeRate,
    SearchSynonym,
    TariffEdition,
    TariffLine,
    TariffRate,
    TariffTreatment,
    TradeMeasure,
    TreatmentCountry,
)
from carm_portal.audit import AuditContext
from carm_portal.workflow import TransitionNotAllowed


class TreatmentCountryInline(admin.TabularInline):
    model = TreatmentCountry
    extra = 0


@admin.register(TariffTreatment)
class TariffTreatmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "abbreviation_fr", "cbsa_code", "open_to_all")
    search_fields = ("code", "name_en", "name_fr")
    inlines = [TreatmentCountryInline]


@admin.register(TariffEdition)
class TariffEditionAdmin(admin.ModelAdmin):
    list_display = ("code", "effective_from", "source", "loaded_at")


class TariffRateInline(admin.TabularInline):
    model = TariffRate
    extra = 0


@admin.register(TariffLine)
class TariffLineAdmin(admin.ModelAdmin):
    list_display = ("number", "edition", "label_en", "unit_of_measure", "mfn_rate")
    list_filter = ("edition", "chapter")
    list_select_related = ("edition",)
    search_fields = ("number", "description_en", "description_fr")
    readonly_fields = ("edition", "item")
    inlines = [TariffRateInline]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "date", "kind", "cad_per_unit", "series")
    list_filter = ("kind", "currency")
    date_hierarchy = "date"


@admin.register(TradeMeasure)
class TradeMeasureAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "kind",
        "classification_prefixes",
        "rate_text",
        "valid_from",
        "valid_to",
        "verified",
    )
    list_filter = ("kind", "verified")
    search_fields = ("code", "name_en", "name_fr", "classification_prefixes")


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    list_display = ("word", "equivalent")
    search_fields = ("word", "equivalent")


# --- Commercial accounting declarations (SPEC DECL-4, STAFF-1) ----------------------------


class DeclarationVersionInline(admin.TabularInline):
    """Every version, as submitted (never edited here)."""

    model = DeclarationVersion
    fields = (
        "number",
        "kind",
        "status",
        "release_date",
        "port_code",
        "total",
        "difference",
        "reason",
        "created_by",
        "acting_for_provider",
        "submitted_at",
        "decided_by",
        "decision_reason",
        "posted_transaction",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = gettext_lazy("versions")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Declaration)
class DeclarationAdmin(admin.ModelAdmin):
    """The CADs submitted to the CBSA; pending adjustments first. Staff never edit a CAD:
    they approve or refuse a pending adjustment, with a reason (DECL-4)."""

    list_display = (
        "transaction_number",
        "status",
        "program_account",
        "release_date",
        "port_code",
        "total",
        "submitted_by_provider",
    )
    list_filter = ("status",)
    list_select_related = ("program_account__business", "submitted_by_provider")
    search_fields = ("transaction_number", "program_account__business__legal_name")
    ordering = ("-updated_at",)
    show_full_result_count = False
    inlines = [DeclarationVersionInline]
    change_form_template = "admin/calculator/declaration/change_form.html"
    readonly_fields = (
        "transaction_number",
        "program_account",
        "status",
        "release_date",
        "port_code",
        "vendor_name",
        "total",
        "due_date",
        "payment_due_date",
        "submitted_at",
        "submitted_by",
        "submitted_by_provider",
        "created_by",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        # Drafts are the declarant's own until submitted.
        return (
            super()
            .get_queryset(request)
            .exclude(status__in=[Declaration.Status.DRAFT, Declaration.Status.CANCELLED])
        )

    def changelist_view(self, request, extra_context=None):
        if not request.GET and request.method == "GET":
            return redirect(f"{request.path}?status__exact=adjustment_pending")
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        declaration = self.get_object(request, object_id)
        buttons = []
        if declaration is not None and declaration.status == Declaration.Status.ADJUSTMENT_PENDING:
            buttons = [
                {
                    "url": reverse("admin:calculator_declaration_decide", args=[declaration.pk]),
                    "label": _("Approve or refuse the adjustment"),
                }
            ]
        extra_context = {**(extra_context or {}), "transition_buttons": buttons}
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # only through the decision below

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="calculator_declaration_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk):
        if not self.has_view_permission(request) or not request.user.is_staff:
            raise PermissionDenied
        declaration = get_object_or_404(self.get_queryset(request), pk=pk)
        change_url = reverse("admin:calculator_declaration_change", args=[declaration.pk])
        pending = declaration.versions.filter(status=DeclarationVersion.Status.PENDING).first()
        if pending is None:
            messages.error(
                request,
                _("Not possible while the declaration is %(status)s.")
                % {"status": declaration.get_status_display()},
            )
            return redirect(change_url)
        form = AdjustmentDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                declarations_services.adjustment_decide(
                    declaration=declaration,
                    approve=form.cleaned_data["decision"] == "approve",
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                    audit=AuditContext.from_request(request),
                )
            except TransitionNotAllowed:
                messages.error(request, _("Someone else decided first."))
                return redirect(change_url)
            declaration.refresh_from_db()
            messages.success(
                request,
                _("Declaration %(number)s: %(status)s. The importer was notified.")
                % {
                    "number": declaration.transaction_number,
                    "status": declaration.get_status_display(),
                },
            )
            return redirect(change_url)
        in_force = declaration.current_version
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": declaration,
            "title": _("Approve or refuse the adjustment"),
            "form": form,
            "pending": pending,
            "in_force": in_force,
            "changes": version_changes(in_force, pending),
        }
        return TemplateResponse(request, "admin/calculator/declaration/decide.html", context)
