from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "nomadcloud.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from nomadcloud.core import privacy
        from nomadcloud.matching import personal_data

        privacy.register(
            "matching",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("match scores, invitations received"),
        )

        from nomadcloud.matching import workspace

        workspace.register()  # its tools on the role workspaces (accounts/workspace.py)
        from nomadcloud.demands.events import demand_changed
        from nomadcloud.matching import changes, checks, notices  # noqa: F401  (registration)
        from nomadcloud.talent.events import profile_changed

        # Matching learns of changes from the use cases that make them, never from model
        # signals (docs/decisions/0004): one refresh per changed nomad or demand per transaction.
        profile_changed.connect(changes.on_profile_changed, uid="matching.refresh_profile")
        demand_changed.connect(changes.on_demand_changed, uid="matching.refresh_demand")
