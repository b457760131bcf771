from django.contrib import admin

from finance.models import Payment, Statement, Transaction


@admin.register(Transaction)
class TransactionAdmin(admin.ModelAdmin):
    list_display = ("number", "date", "program_account", "description", "amount", "status")
    list_filter = ("status",)
    list_select_related = ("program_account__business",)
    search_fields = ("number", "program_account__business__bn9")
    autocomplete_fields = ("program_account",)
    date_hierarchy = "date"


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("reference", "date", "program_account", "amount")
    list_select_related = ("program_account__business",)
    search_fields = ("reference", "program_account__business__bn9")
    autocomplete_fields = ("program_account",)


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    """Statements are never changed once issued (FIN-2): read-only here."""

    list_display = ("program_account", "date", "period_start", "period_end", "balance")
    list_select_related = ("program_account__business",)
    search_fields = ("program_account__business__bn9",)

    def has_change_permission(self, request, obj=None):
        return False
