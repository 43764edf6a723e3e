from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "nomadcloud.risk"
    label = "risk"
    verbose_name = _("Risk review")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from nomadcloud.core import privacy
        from nomadcloud.risk import engine, personal_data
        from nomadcloud.risk.middleware import on_signed_in

        privacy.register(
            "risk",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("where you acted from (hashed), and reviews of work units you earned"),
        )

        # Parameters are validated at start: a malformed file stops the process here.
        engine.parameters()
        user_logged_in.connect(on_signed_in, dispatch_uid="risk.sighting_on_sign_in")
