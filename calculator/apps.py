from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalculatorConfig(AppConfig):
    name = "calculator"
    verbose_name = _("Duties and taxes calculator")

    def ready(self):
        from calculator import signals

        signals.connect()
