"""The engine's limits, its two errors and the arithmetic of lot allocations."""

from __future__ import annotations

import re

from ..codes import Kind, Reason, SystemRole
from ..model import (
    Allocation,
)

ID_PATTERN = re.compile(r"[\x21-\x7e]{1,128}")
_ROLES = frozenset(r.value for r in SystemRole)
MAX_TIMEOUT = 366 * 24 * 3600
MAX_BATCH = 8190
_BALANCE_FIELDS = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")
_OPTIONAL_FIELDS: dict[str, object] = {
    "debit_account": "",
    "credit_account": "",
    "asset": "",
    "pending_id": "",
    "reverses": "",
    "timeout": 0,
    "lot_expires_at": None,
}
_ALLOWED: dict[Kind, frozenset[str]] = {
    Kind.TRANSFER: frozenset({"debit_account", "credit_account", "asset", "lot_expires_at"}),
    Kind.HOLD: frozenset({"debit_account", "credit_account", "asset", "timeout", "lot_expires_at"}),
    Kind.POST: frozenset({"pending_id"}),
    Kind.VOID: frozenset({"pending_id"}),
    Kind.REVERSAL: frozenset({"reverses"}),
}


class LedgerError(Exception):
    """A refused definition (asset, account)."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail


class _Refused(Exception):
    def __init__(self, reason: Reason, field: str | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.field = field


def system_account_id(role: SystemRole, asset: str, shard: int) -> str:
    return f"{role.value}:{asset}:{shard}"


def _split(allocation: Allocation, amount: int) -> tuple[Allocation, Allocation]:
    """The first ``amount`` units of an allocation, and the rest."""
    head: list[tuple[str, int]] = []
    tail: list[tuple[str, int]] = []
    left = amount
    for lot_id, n in allocation:
        take = min(n, max(left, 0))
        if take:
            head.append((lot_id, take))
        if n - take:
            tail.append((lot_id, n - take))
        left -= take
    return tuple(head), tuple(tail)


def _total(allocation: Allocation) -> int:
    return sum(n for _, n in allocation)
