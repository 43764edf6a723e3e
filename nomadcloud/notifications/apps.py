from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "nomadcloud.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from nomadcloud.notifications import notices  # noqa: F401  (registers the kinds)
