from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "nomadcloud.teams"
    label = "teams"
    verbose_name = _("Teams and studios")

    def ready(self) -> None:
        from nomadcloud.core import privacy
        from nomadcloud.teams import personal_data

        privacy.register(
            "teams",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("the teams you lead and your memberships"),
        )
        from nomadcloud.teams import workspace

        workspace.register()
