from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "nomadcloud.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self) -> None:
        from nomadcloud.core import personal_data, privacy

        privacy.register(
            "core",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("the audit trail of what you did, stored API answers, objections you filed"),
        )
        from nomadcloud.core import checks, scale_checks  # noqa: F401  (registers the checks)
        from nomadcloud.core.runtime import tune_garbage_collector

        tune_garbage_collector()
        from django.db.models.signals import post_migrate

        from nomadcloud.core.sharedcache import create_cache_table

        post_migrate.connect(create_cache_table, sender=self)
