from django.contrib import admin

from delegation.models import Employment


@admin.register(Employment)
class EmploymentAdmin(admin.ModelAdmin):
    list_display = ("user", "business", "role", "status", "created_at")
    list_filter = ("role", "status")
    list_select_related = ("user", "business")
    search_fields = ("user__username", "user__last_name", "business__bn9", "business__legal_name")
    autocomplete_fields = ("user", "business")
    filter_horizontal = ("program_accounts",)
