from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "nomadcloud.training"
    label = "training"
    verbose_name = _("Scenario training")

    def ready(self) -> None:
        from nomadcloud.core import privacy
        from nomadcloud.training import personal_data

        privacy.register(
            "training",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("enrolments, submissions, assessments"),
        )

        from nomadcloud.training import workspace

        workspace.register()  # its tools on the role workspaces (accounts/workspace.py)
        from nomadcloud.training import notices  # noqa: F401  (registers the kinds)
