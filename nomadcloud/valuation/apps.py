from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ValuationConfig(AppConfig):
    name = "nomadcloud.valuation"
    label = "valuation"
    verbose_name = _("Data asset valuation")

    def ready(self) -> None:
        from nomadcloud.core import privacy
        from nomadcloud.valuation import personal_data, watch, workspace

        privacy.register(
            "valuation",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_(
                "the data assets you registered, the valuations you requested or signed and "
                "the prices you recorded"
            ),
        )
        watch.register_kinds()
        workspace.register()
