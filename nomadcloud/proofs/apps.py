from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProofsConfig(AppConfig):
    name = "nomadcloud.proofs"
    label = "proofs"
    verbose_name = _("Proofs of work")

    def ready(self) -> None:
        from nomadcloud.proofs import signals

        signals.connect()
