from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "nomadcloud.supervision"
    label = "supervision"
    verbose_name = _("Plan task supervision")

    def ready(self) -> None:
        from nomadcloud.core import privacy
        from nomadcloud.supervision import personal_data

        privacy.register(
            "supervision",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("supervision reports you recorded and instructions you gave"),
        )
        from nomadcloud.supervision import indicators, notices  # noqa: F401  (registers kinds)

        indicators.register()  # task health for the dashboard (core/indicators.py)
