from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from business import services
from business.models import (
    Address,
    Business,
    ChangeRequest,
    Person,
    ProgramAccount,
    Registration,
    RegistrationAttempts,
)
from carm_portal.admin import AnswerAdmin
from carm_portal.audit import AuditContext


class ProgramAccountInline(admin.TabularInline):
    model = ProgramAccount
    extra = 0


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    """What CRA has on file (LINK-5), editable by CBSA staff."""

    list_display = ("bn9", "legal_name", "operating_name", "is_registered", "created_at")
    search_fields = ("bn9", "legal_name", "operating_name")
    list_select_related = ("registration",)
    inlines = [AddressInline, PersonInline, ProgramAccountInline]

    @admin.display(boolean=True, description=_("registered on the portal"))
    def is_registered(self, obj):
        return obj.is_registered


@admin.register(ProgramAccount)
class ProgramAccountAdmin(admin.ModelAdmin):
    list_display = ("full_reference", "program_type", "name", "business")
    list_filter = ("program_type",)
    list_select_related = ("business",)
    search_fields = ("business__bn9", "business__legal_name", "reference_number", "name")
    autocomplete_fields = ("business",)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("business", "registered_by", "registered_at")
    list_select_related = ("business", "registered_by")
    search_fields = ("business__bn9", "business__legal_name")
    readonly_fields = ("business", "registered_by", "registered_at")

    def has_add_permission(self, request):
        return False


@admin.register(RegistrationAttempts)
class RegistrationAttemptsAdmin(admin.ModelAdmin):
    """Locked business registrations (LINK-3): CBSA staff unlock them here."""

    list_display = ("user", "bn9", "failures", "locked", "updated_at")
    list_filter = ("locked",)
    list_select_related = ("user",)
    search_fields = ("bn9", "user__username")
    readonly_fields = ("user", "bn9", "failures", "locked", "updated_at")
    actions = ["unlock"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Unlock the business registration"))
    def unlock(self, request, queryset):
        for attempts in queryset:
            services.registration_unlock(
                attempts=attempts, audit=AuditContext.from_request(request)
            )


@admin.register(ChangeRequest)
class ChangeRequestAdmin(AnswerAdmin):
    """FIN-9: CBSA staff approve (applied at once) or refuse, with a reason, a change of
    business or program account information; nothing else changes here."""

    list_display = ("business", "program_account", "kind", "requested_at", "status", "answered_by")
    list_filter = ("status", "kind")
    list_select_related = ("business", "program_account__business", "answered_by")
    search_fields = ("business__bn9", "business__legal_name")

    def answer(self, obj, *, approve, reason, audit):
        services.change_request_answer(change=obj, approve=approve, reason=reason, audit=audit)
