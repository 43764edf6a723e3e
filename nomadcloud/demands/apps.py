from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "nomadcloud.demands"
    label = "demands"
    verbose_name = _("Enterprise demands")

    def ready(self) -> None:
        from nomadcloud.core import privacy
        from nomadcloud.demands import personal_data

        privacy.register(
            "demands",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("demands and status changes you made for an organisation"),
        )

        from nomadcloud.demands import workspace

        workspace.register()  # its tools on the role workspaces (accounts/workspace.py)

        from nomadcloud.demands import notices  # noqa: F401  (registers the kinds)
