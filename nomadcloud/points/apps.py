from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "nomadcloud.points"
    label = "points"
    verbose_name = _("Consumption points")

    def ready(self) -> None:
        import nomadcloud.points.merchants.notices  # noqa: F401  (registers kinds)
        from nomadcloud.points.wallet import services as exchange
        from nomadcloud.proofs import signals

        # Work units follow proofs of work, inside the issuing/revoking transaction.
        signals.credentials_issued.connect(
            exchange.on_credentials_issued, dispatch_uid="points.credentials_issued"
        )
        signals.credential_revoked.connect(
            exchange.on_credential_revoked, dispatch_uid="points.credential_revoked"
        )
