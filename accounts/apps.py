from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and sign-in")

    def ready(self):
        from allauth.mfa import signals

        from accounts.mfa import on_authenticator_added

        signals.authenticator_added.connect(on_authenticator_added, dispatch_uid="sec9-enrolled")
