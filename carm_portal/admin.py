from urllib.parse import urlencode

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.selectors import has_second_factor
from carm_portal.models import AuditEntry

__all__ = ["has_second_factor"]  # kept importable from here (tests, the admin site)


class CbsaAdminSite(admin.AdminSite):
    """The administration site of CBSA staff (SPEC STAFF-1).

    Staff sign in through the portal's own sign-in, with its lockout and second factor
    (STYLE 17): the admin has no password form of its own, and a staff account without
    an authenticator app is sent to enrol one first.
    """

    site_header = _("CARM Client Portal — CBSA administration")
    site_title = _("CARM administration")
    index_title = _("CBSA staff")

    def has_permission(self, request):
        return super().has_permission(request) and has_second_factor(request.user)

    def login(self, request, extra_context=None):
        next_url = request.GET.get("next") or reverse("admin:index")
        user = request.user
        if user.is_authenticated and user.is_staff and not has_second_factor(user):
            return redirect("mfa_activate_totp")
        return redirect(f"{reverse('accounts:sign_in')}?{urlencode({'next': next_url})}")


class ReadOnlyAdmin(admin.ModelAdmin):
    """What staff only read (STYLE 17): the portal's audited services write these rows;
    an admin adds its own allowed actions on top."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: audit rows are never changed (STYLE 17)."""

    list_display = ("created_at", "action", "actor", "subject", "business", "ip_address")
    list_filter = ("action",)
    list_select_related = ("actor", "business")
    search_fields = ("action", "subject", "actor__username", "=request_id")
    date_hierarchy = "created_at"


admin.site.register(AuditEntry, AuditEntryAdmin)
