from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayoutsConfig(AppConfig):
    name = "nomadcloud.payouts"
    label = "payouts"
    verbose_name = _("Budgets and payouts")

    def ready(self) -> None:
        from nomadcloud.core import privacy
        from nomadcloud.payouts import personal_data

        privacy.register(
            "payouts",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("payments made to you, and payouts you approved or confirmed"),
        )
