from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "nomadcloud.consent"
    label = "consent"
    verbose_name = _("Consent")

    def ready(self) -> None:
        from nomadcloud.consent import personal_data
        from nomadcloud.core import privacy

        privacy.register(
            "consent",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("the consents you gave for each purpose, and their withdrawal"),
        )
