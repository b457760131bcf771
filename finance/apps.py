from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_transaction_types(sender, **kwargs):
    from finance.reference import transaction_types_sync

    transaction_types_sync(apps=kwargs.get("apps"), using=kwargs.get("using", "default"))


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Financial information")

    def ready(self):
        # The shipped transaction types exist after every migrate and flush (as the
        # notice types do); types the operator loaded or renamed are left alone.
        post_migrate.connect(
            _sync_transaction_types, sender=self, dispatch_uid="finance.transaction_types"
        )
