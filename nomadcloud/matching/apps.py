from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "nomadcloud.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from nomadcloud.matching import checks, notices, signals  # noqa: F401  (registration)

        signals.connect()
