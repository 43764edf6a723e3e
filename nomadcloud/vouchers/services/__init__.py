"""The voucher use cases, one function each: a department opens a programme (its budget in
``payouts``), providers register and are reviewed, enterprises apply and are issued a coded
voucher (the face value committed on the budget), the provider redeems it with the invoice
and the delivery evidence, the enterprise confirms the delivery, the anti-fraud rules hold
what looks wrong, the department verifies (a payout approved in ``payouts``: finance
schedules, pays and confirms it there) and the expiry job releases what was never redeemed.

Keyword-only arguments, one transaction each, an audit record and a voucher event for every
move; refusals are ``DomainError``s whose messages are in the reader's language and name the
field."""

from nomadcloud.vouchers.services.issuing import (
    apply_for_voucher,
    cancel_application,
    copay_minimum,
    decide_application,
    expire_vouchers,
    face_value_for,
    new_code,
    revoke_voucher,
)
from nomadcloud.vouchers.services.programmes import (
    PROVIDER_MOVES,
    add_service,
    create_programme,
    decide_provider,
    provider_moves,
    register_provider,
)
from nomadcloud.vouchers.services.redeeming import (
    MAX_EVIDENCE_FILES,
    confirm_delivery,
    decide_redemption,
    dispute_delivery,
    redemption_facts,
    request_redemption,
)

__all__ = [
    "MAX_EVIDENCE_FILES",
    "PROVIDER_MOVES",
    "add_service",
    "apply_for_voucher",
    "cancel_application",
    "confirm_delivery",
    "copay_minimum",
    "create_programme",
    "decide_application",
    "decide_provider",
    "decide_redemption",
    "dispute_delivery",
    "expire_vouchers",
    "face_value_for",
    "new_code",
    "provider_moves",
    "redemption_facts",
    "register_provider",
    "request_redemption",
    "revoke_voucher",
]
