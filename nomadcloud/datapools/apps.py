from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatapoolsConfig(AppConfig):
    name = "nomadcloud.datapools"
    label = "datapools"
    verbose_name = _("Data resource pools")

    def ready(self) -> None:
        from nomadcloud.consent import events as consent_events
        from nomadcloud.core import privacy
        from nomadcloud.datapools import personal_data, services

        privacy.register(
            "datapools",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("the data you contributed to data pools and the consents it was given under"),
        )
        consent_events.consent_withdrawn.connect(
            services.on_consent_withdrawn, uid="datapools.consent_withdrawn"
        )
        from nomadcloud.datapools import workspace

        workspace.register()  # its tools on the role workspaces (accounts/workspace.py)
