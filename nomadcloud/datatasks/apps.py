from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatatasksConfig(AppConfig):
    name = "nomadcloud.datatasks"
    label = "datatasks"
    verbose_name = _("Data-processing work")

    def ready(self) -> None:
        from nomadcloud.core import privacy
        from nomadcloud.datatasks import personal_data

        privacy.register(
            "datatasks",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("batches joined, labelled items and answers, accepted work"),
        )

        from nomadcloud.datatasks import workspace

        workspace.register()  # its tools on the role workspaces (accounts/workspace.py)
        from nomadcloud.datatasks import notices  # noqa: F401  (registers the kinds)
