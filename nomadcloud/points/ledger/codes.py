"""Enumerations of the ledger: reason codes (stable, mapped to localized messages by the Django
layer), transfer kinds, result statuses, account flags and system account roles."""

from __future__ import annotations

from enum import Flag, StrEnum, auto


class Reason(StrEnum):
    """Why a request was refused. Values are stable identifiers (API and translations key)."""

    ID_INVALID = "id_invalid"
    """The client id is empty, too long or has characters outside printable ASCII."""
    ID_REPEATED_IN_CHAIN = "id_repeated_in_chain"
    EXISTS_WITH_DIFFERENT_FIELDS = "exists_with_different_fields"
    """A transfer with this id exists with other fields; ``field`` names the first differing."""
    KIND_INVALID = "kind_invalid"
    AMOUNT_MISSING = "amount_missing"
    AMOUNT_NOT_INTEGER = "amount_not_integer"
    AMOUNT_NOT_POSITIVE = "amount_not_positive"
    AMOUNT_TOO_LARGE = "amount_too_large"
    """Above the asset's ``max_amount`` per transfer."""
    AMOUNT_NOT_ALLOWED = "amount_not_allowed"
    """An amount was given where none is accepted (a void)."""
    DEBIT_ACCOUNT_UNKNOWN = "debit_account_unknown"
    CREDIT_ACCOUNT_UNKNOWN = "credit_account_unknown"
    ACCOUNTS_SAME = "accounts_same"
    ASSET_UNKNOWN = "asset_unknown"
    ASSET_MISMATCH = "asset_mismatch"
    """The accounts' assets differ, or differ from the asset named in the request."""
    ACCOUNT_CLOSED = "account_closed"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    """The debit account must not go negative (debits must not exceed credits)."""
    INSUFFICIENT_FUNDS_EXPIRED = "insufficient_funds_expired"
    """Enough points only when counting lots that have expired (not yet swept)."""
    CREDIT_LIMIT_EXCEEDED = "credit_limit_exceeded"
    """The credit account's credits must not exceed its debits."""
    BALANCE_OVERFLOW = "balance_overflow"
    TIMEOUT_INVALID = "timeout_invalid"
    """A hold's timeout is negative, too long, or given on something other than a hold."""
    EXPIRES_AT_INVALID = "expires_at_invalid"
    """A lot expiry override is naive (no timezone) or not in the future."""
    PENDING_ID_MISSING = "pending_id_missing"
    PENDING_NOT_FOUND = "pending_not_found"
    PENDING_ALREADY_POSTED = "pending_already_posted"
    PENDING_ALREADY_VOIDED = "pending_already_voided"
    PENDING_EXPIRED = "pending_expired"
    PENDING_AMOUNT_EXCEEDED = "pending_amount_exceeded"
    """A post larger than the amount held."""
    REVERSAL_TARGET_MISSING = "reversal_target_missing"
    REVERSAL_TARGET_NOT_FOUND = "reversal_target_not_found"
    REVERSAL_TARGET_NOT_REVERSIBLE = "reversal_target_not_reversible"
    """Only posted value movements (transfers, posts) can be reversed; a hold is voided."""
    REVERSAL_EXCEEDS_ORIGINAL = "reversal_exceeds_original"
    FIELD_NOT_ALLOWED = "field_not_allowed"
    """A field that this kind of request does not take (``field`` names it)."""
    LINKED_EVENT_FAILED = "linked_event_failed"
    """Another transfer of the same linked chain was refused; nothing of the chain applied."""
    LINKED_CHAIN_OPEN = "linked_chain_open"
    """The last transfer of the batch is flagged ``linked``: the chain has no end."""
    LINKED_CHAIN_MISMATCH = "linked_chain_mismatch"
    """Part of this linked chain was applied before (as another chain), part was not."""
    BATCH_TOO_LARGE = "batch_too_large"
    # Definitions (raised as ``LedgerError``)
    ASSET_INVALID = "asset_invalid"
    ASSET_EXISTS_WITH_DIFFERENT_FIELDS = "asset_exists_with_different_fields"
    ACCOUNT_ID_INVALID = "account_id_invalid"
    ACCOUNT_FLAGS_INVALID = "account_flags_invalid"
    """Lots need ``DEBITS_MUST_NOT_EXCEED_CREDITS``; the two limits exclude each other."""
    ACCOUNT_EXISTS_WITH_DIFFERENT_FIELDS = "account_exists_with_different_fields"


class Kind(StrEnum):
    TRANSFER = "transfer"
    """A posted movement of value."""
    HOLD = "hold"
    """A pending transfer: reserves the amount until posted, voided or timed out."""
    POST = "post"
    """Posts a hold, in full or in part; the rest returns to the debit account."""
    VOID = "void"
    """Voids a hold: everything returns to the debit account."""
    REVERSAL = "reversal"
    """A correction: moves (part of) a posted transfer back, opposite direction."""
    EXPIRE_PENDING = "expire_pending"
    """Ledger-generated: a hold's timeout passed."""
    EXPIRE_LOT = "expire_lot"
    """Ledger-generated: what is left in an expired lot moves to the expiry account."""


CLIENT_KINDS = frozenset({Kind.TRANSFER, Kind.HOLD, Kind.POST, Kind.VOID, Kind.REVERSAL})


class Status(StrEnum):
    CREATED = "created"
    EXISTS = "exists"
    """A retry with the same id and fields: the original transfer is returned, nothing applied."""
    REFUSED = "refused"


class HoldStatus(StrEnum):
    PENDING = "pending"
    POSTED = "posted"
    VOIDED = "voided"
    EXPIRED = "expired"


class AccountFlags(Flag):
    NONE = 0
    DEBITS_MUST_NOT_EXCEED_CREDITS = auto()
    """The account must not go negative (holders, merchants)."""
    CREDITS_MUST_NOT_EXCEED_DEBITS = auto()
    """The account must not go positive (a capped source)."""
    LOTS = auto()
    """Credits form lots with expiry dates; debits consume them oldest first."""
    CLOSED = auto()
    """No new transfers (posts, voids and reversals of earlier ones still apply)."""


class SystemRole(StrEnum):
    ISSUANCE = "issuance"
    EXCHANGE = "exchange"
    EXPIRY = "expiry"
    SETTLEMENT = "settlement"
