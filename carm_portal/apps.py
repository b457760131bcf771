from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CarmPortalConfig(AppConfig):
    default = True
    name = "carm_portal"
    verbose_name = "CARM Client Portal"

    def ready(self):
        from django.core.signals import request_finished

        from carm_portal import checks, request_id  # noqa: F401 - registers the checks

        request_finished.connect(request_id.clear, dispatch_uid="carm_request_id_clear")
        # The Celery signals that count task failures per queue (OPS-4), in every process.
        from carm_portal import metrics  # noqa: F401


class CbsaAdminConfig(admin_apps.AdminConfig):
    """The Django admin, for CBSA staff (SPEC STAFF-1)."""

    default = False
    default_site = "carm_portal.admin.CbsaAdminSite"
