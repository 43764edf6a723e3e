from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaxonomyConfig(AppConfig):
    name = "nomadcloud.taxonomy"
    label = "taxonomy"
    verbose_name = _("Skills, tools and occupations")

    def ready(self) -> None:
        from nomadcloud.core import display
        from nomadcloud.taxonomy import lookup

        display.register(lookup.readable_code)

        from nomadcloud.taxonomy import workspace

        workspace.register()  # its tools on the role workspaces (accounts/workspace.py)
