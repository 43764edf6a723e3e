from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "nomadcloud.points"
    label = "points"
    verbose_name = _("Consumption points")

    def ready(self) -> None:
        from nomadcloud.core import privacy
        from nomadcloud.points import personal_data

        privacy.register(
            "points",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("accounts, transfers, exchanges, payments, refunds, payment codes"),
        )

        from nomadcloud.points import workspace

        workspace.register()  # its tools on the role workspaces (accounts/workspace.py)
        import nomadcloud.points.merchants.notices  # noqa: F401  (registers kinds)
        from nomadcloud.points.wallet import services as exchange
        from nomadcloud.proofs import events
        from nomadcloud.risk import events as risk_events

        # Work units follow proofs of work, inside the issuing/revoking transaction.
        events.credentials_issued.connect(
            exchange.on_credentials_issued, uid="points.credit_work_units"
        )
        events.credential_revoked.connect(
            exchange.on_credential_revoked, uid="points.reclaim_work_units"
        )
        # Work units held by the risk engine are credited when a zone operator releases them.
        risk_events.issuance_released.connect(
            exchange.on_issuance_released, uid="points.credit_released_work_units"
        )
