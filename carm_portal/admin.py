from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class CbsaAdminSite(admin.AdminSite):
    """The administration site of CBSA staff (SPEC STAFF-1)."""

    site_header = _("CARM Client Portal — CBSA administration")
    site_title = _("CARM administration")
    index_title = _("CBSA staff")
