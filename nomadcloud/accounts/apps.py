from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "nomadcloud.accounts"
    label = "accounts"
    verbose_name = _("People and organisations")

    def ready(self) -> None:
        from nomadcloud.accounts import personal_data
        from nomadcloud.core import privacy

        privacy.register(
            "accounts",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("your account, memberships, API tokens, invitations, sign-in records"),
        )

        from nomadcloud.accounts import desk

        desk.register()  # the workspace: organisation tools and checklist (accounts/workspace.py)
        from nomadcloud.accounts.auth import bearer_token_is_valid
        from nomadcloud.core import idempotency

        # core replays a stored response only to a credential that still authenticates.
        idempotency.register_bearer_check(bearer_token_is_valid)
        from nomadcloud.accounts.access import is_zone_operator
        from nomadcloud.core import workdays

        # core asks who may edit the holiday calendar (core/workdays.py): the zone operator.
        workdays.register_calendar_editor(is_zone_operator)
        from nomadcloud.accounts import indicators

        indicators.register()  # its indicators for the dashboard (core/indicators.py)
