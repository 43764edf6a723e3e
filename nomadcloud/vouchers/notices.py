"""The kinds of notification the vouchers app sends (imported by the app's ``ready()``)."""

from django.utils.translation import gettext_lazy as _

from nomadcloud.notifications.kinds import register

ISSUED = register(
    "vouchers.issued",
    title=_("Voucher %(code)s issued"),
    body=_(
        "Your data innovation voucher %(code)s for %(value)s is valid until %(until)s. "
        "%(provider)s can redeem it once the service is delivered."
    ),
    label=_("Vouchers: a voucher was issued"),
)
DELIVERY_TO_CONFIRM = register(
    "vouchers.delivery_to_confirm",
    title=_("Confirm the delivery for voucher %(code)s"),
    body=_(
        "%(provider)s asks to redeem voucher %(code)s for %(amount)s. Confirm that the "
        "service was delivered, or dispute it."
    ),
    label=_("Vouchers: a provider asks to redeem your voucher"),
)
REDEMPTION_DECIDED = register(
    "vouchers.redemption_decided",
    title=_("Redemption of voucher %(code)s: %(outcome)s"),
    body=_("The department decided the redemption of voucher %(code)s: %(outcome)s. %(reason)s"),
    label=_("Vouchers: a redemption was decided"),
)
