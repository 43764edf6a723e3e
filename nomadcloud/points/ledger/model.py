"""Records of the ledger. Definitions and history are frozen; balances, lots and holds are the
only mutable state, and they change only through transfers."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Literal

from .codes import AccountFlags, HoldStatus, Kind, Reason, Status

MAX_INT64 = 2**63 - 1
"""Every amount and balance fits a signed 64-bit column."""

_NEVER = datetime.max.replace(tzinfo=UTC)

Allocation = tuple[tuple[str, int], ...]
"""Amounts taken from lots: ``((lot_id, amount), ...)`` in the order taken."""


@dataclass(frozen=True)
class ExpiryRule:
    """When a lot credited at ``t`` expires: ``t + months + days``, then, with ``at_end_of``,
    moved to the end (the next midnight UTC) of that day, month or year. All zero and no
    ``at_end_of`` means lots never expire."""

    months: int = 0
    days: int = 0
    at_end_of: Literal["day", "month", "year"] | None = None

    def expires_at(self, credited_at: datetime) -> datetime | None:
        if not self.months and not self.days and self.at_end_of is None:
            return None
        t = credited_at.astimezone(UTC)
        if self.months:
            month0 = t.month - 1 + self.months
            year, month = t.year + month0 // 12, month0 % 12 + 1
            day = min(t.day, calendar.monthrange(year, month)[1])
            t = t.replace(year=year, month=month, day=day)
        t += timedelta(days=self.days)
        midnight = t.replace(hour=0, minute=0, second=0, microsecond=0)
        if self.at_end_of == "day":
            t = midnight + timedelta(days=1)
        elif self.at_end_of == "month":
            last = calendar.monthrange(t.year, t.month)[1]
            t = midnight.replace(day=last) + timedelta(days=1)
        elif self.at_end_of == "year":
            t = midnight.replace(month=12, day=31) + timedelta(days=1)
        return t


@dataclass(frozen=True)
class Asset:
    """A unit of value: work units, the zone's unified points, a scenario's own points.
    Amounts are integers in the smallest unit; ``scale`` decimal places are shown
    (scale 2: amount 1050 reads 10.50)."""

    code: str
    scale: int = 0
    max_amount: int = 10**12
    """Largest amount of one transfer."""
    expiry: ExpiryRule = field(default_factory=ExpiryRule)
    """Default expiry of lots credited in this asset."""
    shards: int = 8
    """How many rows each system account of this asset is spread over (no hot row)."""

    def format(self, amount: int) -> str:
        sign = "-" if amount < 0 else ""
        whole, frac = divmod(abs(amount), 10**self.scale)
        return f"{sign}{whole}.{frac:0{self.scale}d}" if self.scale else f"{sign}{whole}"


@dataclass
class Account:
    """An account of one holder in one asset, or a shard of a system account. TigerBeetle's
    four balance fields; ``balance`` is credits minus debits (what a holder owns)."""

    id: str
    asset: str
    holder: str = ""
    flags: AccountFlags = AccountFlags.NONE
    system_role: str = ""
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0

    @property
    def balance(self) -> int:
        return self.credits_posted - self.debits_posted

    @property
    def available(self) -> int:
        """Balance less what is held by pending debits."""
        return self.credits_posted - self.debits_posted - self.debits_pending

    def has(self, flag: AccountFlags) -> bool:
        return (self.flags._value_ & flag._value_) != 0  # without building a new Flag

    def same_definition(self, other: Account) -> bool:
        return (self.asset, self.holder, self.flags, self.system_role) == (
            other.asset,
            other.holder,
            other.flags,
            other.system_role,
        )


@dataclass(frozen=True)
class TransferRequest:
    """What a client asks for. ``id`` is chosen by the client and makes retries safe.

    - ``TRANSFER``/``HOLD``: ``debit_account``, ``credit_account``, ``amount``; optionally
      ``asset`` (checked against the accounts), ``timeout`` seconds (holds only) and
      ``lot_expires_at`` (overrides the asset's expiry rule for the lot credited).
    - ``POST``: ``pending_id``; ``amount`` (≤ held; ``None`` posts all).
    - ``VOID``: ``pending_id``.
    - ``REVERSAL``: ``reverses`` (a posted transfer's id); ``amount`` (``None``: all not yet
      reversed).
    ``linked`` chains this request to the next one of the batch: all apply or none.
    ``code`` and ``reference`` are the business reason and a free reference, kept in history.
    """

    id: str
    kind: Kind = Kind.TRANSFER
    debit_account: str = ""
    credit_account: str = ""
    amount: int | None = None
    asset: str = ""
    pending_id: str = ""
    reverses: str = ""
    timeout: int = 0
    lot_expires_at: datetime | None = None
    linked: bool = False
    code: str = ""
    reference: str = ""

    def first_difference(self, other: TransferRequest) -> str | None:
        """The name of the first field in which the two requests differ."""
        for f in fields(self):
            if getattr(self, f.name) != getattr(other, f.name):
                return f.name
        return None


@dataclass(frozen=True)
class Transfer:
    """An applied transfer: immutable history. Accounts, asset and amount are resolved (a
    post's are taken from its hold). ``allocation`` records the lots its debit took from
    (for a hold: reserved; for a post: consumed out of the hold's reservation)."""

    id: str
    kind: Kind
    debit_account: str
    credit_account: str
    asset: str
    amount: int
    timestamp: datetime
    request: TransferRequest
    pending_id: str = ""
    reverses: str = ""
    expires_at: datetime | None = None
    """A hold's timeout as an instant."""
    lot_id: str = ""
    """The lot its credit created, if the credit account keeps lots."""
    allocation: Allocation = ()
    code: str = ""
    reference: str = ""


@dataclass
class Hold:
    """The state of a pending transfer (id = the hold's transfer id)."""

    id: str
    debit_account: str
    credit_account: str
    asset: str
    amount: int
    expires_at: datetime | None
    reservation: Allocation
    lot_expires_at: datetime | None = None
    status: HoldStatus = HoldStatus.PENDING
    posted_amount: int = 0
    resolved_by: str = ""


@dataclass
class Lot:
    """Points credited together, expiring together. ``remaining`` excludes what holds reserve."""

    id: str
    account: str
    asset: str
    amount: int
    remaining: int
    created_at: datetime
    expires_at: datetime | None
    expired_count: int = 0

    def order_key(self) -> tuple[datetime, datetime, str]:
        """Oldest first: by expiry (never-expiring last), then creation, then id."""
        return (self.expires_at or _NEVER, self.created_at, self.id)

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True)
class Entry:
    """One account's side of a transfer: the change of its four balance fields."""

    transfer_id: str
    account: str
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0


@dataclass(frozen=True)
class LotMove:
    """A change of a lot's ``remaining`` by a transfer (negative: taken; positive: returned)."""

    transfer_id: str
    lot_id: str
    amount: int


@dataclass(frozen=True)
class TransferResult:
    id: str
    status: Status
    reason: Reason | None = None
    field: str | None = None
    """For ``EXISTS_WITH_DIFFERENT_FIELDS`` and ``FIELD_NOT_ALLOWED``: the field."""
    transfer: Transfer | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class ExpiryLine:
    """A statement line: ``amount`` of ``account`` expires at ``expires_at``."""

    account: str
    expires_at: datetime
    amount: int
