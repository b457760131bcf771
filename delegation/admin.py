"""Delegation in the CBSA staff admin: the businesses change it themselves through the
portal's audited services (STYLE 17); staff read it here."""

from django.contrib import admin

from carm_portal.admin import ReadOnlyAdmin
from delegation.models import ClientAssignment, ClientGroup, Employment, Relationship


@admin.register(Employment)
class EmploymentAdmin(admin.ModelAdmin):
    list_display = ("user", "business", "role", "status", "created_at")
    list_filter = ("role", "status")
    list_select_related = ("user", "business")
    search_fields = ("user__username", "user__last_name", "business__bn9", "business__legal_name")
    autocomplete_fields = ("user", "business")
    filter_horizontal = ("program_accounts",)


@admin.register(Relationship)
class RelationshipAdmin(ReadOnlyAdmin):
    list_display = ("provider", "client", "kind", "status", "created_at", "answered_at", "ended_at")
    list_filter = ("status", "kind")
    list_select_related = ("provider", "client")
    search_fields = ("provider__bn9", "provider__legal_name", "client__bn9", "client__legal_name")


@admin.register(ClientGroup)
class ClientGroupAdmin(ReadOnlyAdmin):
    list_display = ("name", "provider", "created_at", "deleted_at")
    list_select_related = ("provider",)
    search_fields = ("name", "provider__bn9", "provider__legal_name")


@admin.register(ClientAssignment)
class ClientAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("employment", "client", "created_at")
    list_select_related = ("employment__user", "employment__business", "client")
    search_fields = ("client__bn9", "employment__user__username")
