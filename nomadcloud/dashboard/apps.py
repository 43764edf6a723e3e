from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "nomadcloud.dashboard"
    label = "dashboard"
    verbose_name = _("Operations dashboard")

    def ready(self) -> None:
        from nomadcloud.core import privacy
        from nomadcloud.dashboard import official, personal_data

        official.register()  # the official indicators (core/indicators.py)
        privacy.register(
            "dashboard",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("official figures you reported, approved or imported"),
        )
