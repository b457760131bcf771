from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CarmPortalConfig(AppConfig):
    default = True
    name = "carm_portal"
    verbose_name = "CARM Client Portal"


class CbsaAdminConfig(admin_apps.AdminConfig):
    """The Django admin, for CBSA staff (SPEC STAFF-1)."""

    default = False
    default_site = "carm_portal.admin.CbsaAdminSite"
