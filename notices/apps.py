from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_catalogue(sender, **kwargs):
    from notices.catalogue import catalogue_sync

    catalogue_sync(apps=kwargs.get("apps"), using=kwargs.get("using", "default"))


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notices")

    def ready(self):
        # The notice types of the catalogue exist after every migrate and flush.
        post_migrate.connect(_sync_catalogue, sender=self, dispatch_uid="notices.catalogue")
