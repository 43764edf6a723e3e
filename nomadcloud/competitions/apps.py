from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetitionsConfig(AppConfig):
    name = "nomadcloud.competitions"
    label = "competitions"
    verbose_name = _("Maker competitions")

    def ready(self) -> None:
        from nomadcloud.competitions import workspace

        workspace.register()
