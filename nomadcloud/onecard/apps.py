from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnecardConfig(AppConfig):
    name = "nomadcloud.onecard"
    label = "onecard"
    verbose_name = _("One-card services")

    def ready(self) -> None:
        from nomadcloud.core import privacy
        from nomadcloud.onecard import notices, personal_data, workspace  # noqa: F401

        privacy.register(
            "onecard",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("service applications, their materials, ratings, agent authorisations"),
        )
        workspace.register()  # its tools on the role workspaces (accounts/workspace.py)
