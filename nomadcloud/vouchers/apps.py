from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "nomadcloud.vouchers"
    label = "vouchers"
    verbose_name = _("Data innovation vouchers")

    def ready(self) -> None:
        from nomadcloud.core import privacy
        from nomadcloud.payouts import events as payout_events
        from nomadcloud.vouchers import engine, notices, payments, personal_data, workspace  # noqa: F401

        privacy.register(
            "vouchers",
            exporter=personal_data.export,
            eraser=personal_data.erase,
            holds=_("voucher applications, registrations and redemptions you made or decided"),
        )
        # Parameters are validated at start: a malformed file stops the process here.
        engine.parameters()
        workspace.register()
        payout_events.payout_confirmed.connect(
            payments.on_payout_confirmed, uid="vouchers.payout_confirmed"
        )
        payout_events.payout_failed.connect(payments.on_payout_failed, uid="vouchers.payout_failed")
        payout_events.payout_reversed.connect(
            payments.on_payout_reversed, uid="vouchers.payout_reversed"
        )
