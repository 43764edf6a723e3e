from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrossborderConfig(AppConfig):
    name = "nomadcloud.crossborder"
    label = "crossborder"
    verbose_name = _("Cross-border data export")

    def ready(self) -> None:
        from nomadcloud.core import privacy, rules
        from nomadcloud.crossborder import notices, personal_data, procedure, workspace

        privacy.register(
            "crossborder",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("the cross-border export requests, evidence and transfers you recorded"),
        )
        rules.register(procedure.BOOK)
        notices.register()
        workspace.register()
