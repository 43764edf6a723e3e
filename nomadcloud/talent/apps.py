from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "nomadcloud.talent"
    label = "talent"
    verbose_name = _("Nomad profiles and certification")

    def ready(self) -> None:
        from nomadcloud.core import privacy
        from nomadcloud.talent import personal_data

        privacy.register(
            "talent",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("profile, languages, links, skills, projects, tools, certification"),
        )

        from nomadcloud.core import rules
        from nomadcloud.talent import certification_rules

        rules.register(certification_rules.BOOK)  # ``nomadcloud rules test`` runs its cases

        from nomadcloud.talent import workspace

        workspace.register()  # its tools on the role workspaces (accounts/workspace.py)
        from nomadcloud.talent import indicators

        indicators.register()  # its indicators for the dashboard (core/indicators.py)
