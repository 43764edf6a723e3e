from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "nomadcloud.communities"
    label = "communities"
    verbose_name = _("Communities and stays")

    def ready(self) -> None:
        from nomadcloud.communities import (
            notices,  # noqa: F401  (registers the kinds)
            personal_data,
            workspace,
        )
        from nomadcloud.core import privacy

        privacy.register(
            "communities",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("bookings, stays, visits, accommodation registrations, reviews"),
        )
        workspace.register()
        from nomadcloud.communities import designation

        designation.register()  # publicity (公示) of designations: who decides objections
        from nomadcloud.communities import indicators

        indicators.register()  # its indicators for the dashboard (core/indicators.py)
