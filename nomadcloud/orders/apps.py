from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "nomadcloud.orders"
    label = "orders"
    verbose_name = _("Remote orders and conversions")

    def ready(self) -> None:
        from nomadcloud.core import privacy
        from nomadcloud.orders import personal_data

        privacy.register(
            "orders",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("orders taken, applications, messages, deliverables, disputes, ratings"),
        )

        from nomadcloud.orders import workspace

        workspace.register()  # its tools on the role workspaces (accounts/workspace.py)
        from nomadcloud.orders import (
            indicators,
            notices,  # noqa: F401  (registers the kinds)
        )

        indicators.register()  # its indicators for the dashboard (core/indicators.py)
