"""The kinds of notification that payments at merchants send, and the history labels of
their ledger transfers. Imported by the app's ``ready()`` (apps.py), so every process —
web, worker, command — knows them, and by ``services/payments.py``."""

from django.utils.translation import gettext_lazy as _

from nomadcloud.notifications.kinds import register
from nomadcloud.points.book import history

PAYMENT = "merchant_payment"
REFUND = "merchant_refund"
SETTLEMENT = "merchant_settlement"
SETTLEMENT_RETURN = "merchant_settlement_return"

history.register(PAYMENT, _("Payment at a merchant"))
history.register(REFUND, _("Refund from a merchant"))
history.register(SETTLEMENT, _("Daily settlement of a merchant's points"))
history.register(SETTLEMENT_RETURN, _("Settled points returned for a refund"))

register(
    "points.merchant_payment",
    title=_("You paid %(amount)s at %(merchant)s"),
    body=_("%(merchant)s took a payment of %(amount)s %(asset)s from you."),
    label=_("Points: a payment at a merchant was confirmed"),
    email_default=False,
)
register(
    "points.merchant_refund",
    title=_("Refund from %(merchant)s: %(amount)s"),
    body=_("%(merchant)s refunded %(amount)s %(asset)s of your payment. Reason: %(reason)s"),
    label=_("Points: a merchant refunded a payment"),
)
