from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from carm_portal.models import AuditEntry


class CbsaAdminSite(admin.AdminSite):
    """The administration site of CBSA staff (SPEC STAFF-1)."""

    site_header = _("CARM Client Portal — CBSA administration")
    site_title = _("CARM administration")
    index_title = _("CBSA staff")


class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: audit rows are never changed (STYLE 17)."""

    list_display = ("created_at", "action", "actor", "subject", "business", "ip_address")
    list_filter = ("action",)
    list_select_related = ("actor", "business")
    search_fields = ("action", "subject", "actor__username")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(AuditEntry, AuditEntryAdmin)
