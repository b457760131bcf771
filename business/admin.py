from django.contrib import admin

from business.models import Business, ProgramAccount


class ProgramAccountInline(admin.TabularInline):
    model = ProgramAccount
    extra = 0


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ("bn9", "legal_name", "operating_name", "created_at")
    search_fields = ("bn9", "legal_name", "operating_name")
    inlines = [ProgramAccountInline]


@admin.register(ProgramAccount)
class ProgramAccountAdmin(admin.ModelAdmin):
    list_display = ("full_reference", "program_type", "name", "business")
    list_filter = ("program_type",)
    list_select_related = ("business",)
    search_fields = ("business__bn9", "business__legal_name", "reference_number", "name")
    autocomplete_fields = ("business",)
