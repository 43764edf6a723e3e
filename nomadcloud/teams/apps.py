from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "nomadcloud.teams"
    label = "teams"
    verbose_name = _("Teams and studios")

    def ready(self) -> None:
        from nomadcloud.teams import workspace

        workspace.register()
