from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class DelegationConfig(AppConfig):
    name = "delegation"
    verbose_name = _("Delegation")

    def ready(self) -> None:
        from delegation.signals import follow_client_name

        post_save.connect(
            follow_client_name, sender="business.Business", dispatch_uid="relationship-client-name"
        )
