from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "nomadcloud.incentives"
    label = "incentives"
    verbose_name = _("Incentives")

    def ready(self) -> None:
        from nomadcloud.core import privacy, rules
        from nomadcloud.incentives import notices, personal_data, policies  # noqa: F401

        privacy.register(
            "incentives",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("introductions that name you, claims and appeals you made or decided"),
        )

        rules.register(policies.BOOK)
        policies.parameters()  # a malformed parameter file fails at start

        from nomadcloud.incentives import hooks, workspace

        hooks.register()  # 公示 subject and payouts events

        from nomadcloud.incentives import recorded_facts

        # investments (with the 纳统 figure's indicator) and conferences as fact providers
        recorded_facts.register()

        workspace.register()  # its tools on the role workspaces (accounts/workspace.py)
