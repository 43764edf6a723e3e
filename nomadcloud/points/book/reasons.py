"""Localized messages for the ledger core's reason codes (``Reason``), for pages and the API."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nomadcloud.points.ledger import Reason

MESSAGES: dict[Reason, Promise] = {
    Reason.ID_INVALID: _("The transfer id must be 1 to 128 printable ASCII characters."),
    Reason.ID_REPEATED_IN_CHAIN: _("The same transfer id appears twice in one linked chain."),
    Reason.EXISTS_WITH_DIFFERENT_FIELDS: _(
        "A transfer with this id was already made with a different %(field)s."
    ),
    Reason.KIND_INVALID: _("This kind of transfer is not accepted."),
    Reason.AMOUNT_MISSING: _("Enter an amount."),
    Reason.AMOUNT_NOT_INTEGER: _("The amount must be a whole number of the smallest unit."),
    Reason.AMOUNT_NOT_POSITIVE: _("The amount must be greater than zero."),
    Reason.AMOUNT_TOO_LARGE: _("The amount is larger than one transfer may move."),
    Reason.AMOUNT_NOT_ALLOWED: _("No amount is accepted here: a void returns the whole hold."),
    Reason.DEBIT_ACCOUNT_UNKNOWN: _("The account to pay from does not exist."),
    Reason.CREDIT_ACCOUNT_UNKNOWN: _("The account to pay to does not exist."),
    Reason.ACCOUNTS_SAME: _("An account cannot pay itself."),
    Reason.ASSET_UNKNOWN: _("This kind of points does not exist."),
    Reason.ASSET_MISMATCH: _("The two accounts hold different kinds of points."),
    Reason.ACCOUNT_CLOSED: _("The account is closed."),
    Reason.INSUFFICIENT_FUNDS: _("Not enough points."),
    Reason.INSUFFICIENT_FUNDS_EXPIRED: _(
        "Not enough points: some of the points in this account have expired."
    ),
    Reason.CREDIT_LIMIT_EXCEEDED: _("The receiving account's limit would be exceeded."),
    Reason.BALANCE_OVERFLOW: _("The balance would exceed the largest amount an account holds."),
    Reason.TIMEOUT_INVALID: _("The hold's time limit is not valid."),
    Reason.EXPIRES_AT_INVALID: _("The expiry of the points must be a future time with a zone."),
    Reason.PENDING_ID_MISSING: _("Name the hold to confirm or cancel."),
    Reason.PENDING_NOT_FOUND: _("The hold does not exist."),
    Reason.PENDING_ALREADY_POSTED: _("The hold has already been confirmed."),
    Reason.PENDING_ALREADY_VOIDED: _("The hold has already been cancelled."),
    Reason.PENDING_EXPIRED: _("The hold has timed out; the points went back."),
    Reason.PENDING_AMOUNT_EXCEEDED: _("The amount is more than was held."),
    Reason.REVERSAL_TARGET_MISSING: _("Name the transfer to refund."),
    Reason.REVERSAL_TARGET_NOT_FOUND: _("The transfer to refund does not exist."),
    Reason.REVERSAL_TARGET_NOT_REVERSIBLE: _(
        "Only payments and transfers can be refunded; cancel a hold instead."
    ),
    Reason.REVERSAL_EXCEEDS_ORIGINAL: _("The refund is more than is left of the original."),
    Reason.FIELD_NOT_ALLOWED: _("This kind of transfer does not take %(field)s."),
    Reason.LINKED_EVENT_FAILED: _(
        "Another transfer of the same group was refused, so none of the group was made."
    ),
    Reason.LINKED_CHAIN_OPEN: _("The group of linked transfers has no end."),
    Reason.LINKED_CHAIN_MISMATCH: _(
        "Part of this group of transfers was made before as another group."
    ),
    Reason.BATCH_TOO_LARGE: _("Too many transfers in one batch."),
    Reason.ASSET_INVALID: _("The kind of points is not valid."),
    Reason.ASSET_EXISTS_WITH_DIFFERENT_FIELDS: _(
        "This kind of points already exists with other settings."
    ),
    Reason.ACCOUNT_ID_INVALID: _("The account id is not valid."),
    Reason.ACCOUNT_FLAGS_INVALID: _("These account settings cannot be combined."),
    Reason.ACCOUNT_EXISTS_WITH_DIFFERENT_FIELDS: _(
        "This account already exists with other settings."
    ),
}


def reason_message(reason: Reason, field: str | None = None) -> str:
    """The refusal in the active language; ``field`` fills the messages that name one."""
    return str(MESSAGES[reason]) % {"field": field or "?"}
