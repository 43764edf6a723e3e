from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetitionsConfig(AppConfig):
    name = "nomadcloud.competitions"
    label = "competitions"
    verbose_name = _("Maker competitions")

    def ready(self) -> None:
        from nomadcloud.competitions import personal_data, workspace
        from nomadcloud.core import privacy

        workspace.register()
        from nomadcloud.competitions import incentive_facts

        incentive_facts.register()  # prize winners as facts of incentives' task 15 support
        privacy.register(
            "competitions",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("your competition entries and submissions"),
        )
