from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "nomadcloud.demands"
    label = "demands"
    verbose_name = _("Enterprise demands")

    def ready(self) -> None:
        from nomadcloud.demands import workspace

        workspace.register()  # its tools on the role workspaces (accounts/workspace.py)
