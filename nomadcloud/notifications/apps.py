from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "nomadcloud.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from nomadcloud.core import privacy
        from nomadcloud.notifications import personal_data

        privacy.register(
            "notifications",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("notifications and e-mail preferences"),
        )
        from nomadcloud.notifications import notices  # noqa: F401  (registers the kinds)
