"""The points ledger core: an exact double-entry ledger with client ids, linked transfers,
two-phase holds, reversals, lots and expiry. Pure Python, no Django: the ``points`` app
wraps it and implements ``Store`` on the database. See docs/points.md."""

from .codes import AccountFlags, HoldStatus, Kind, Reason, Status, SystemRole
from .engine import Ledger, LedgerError, system_account_id
from .invariants import Violation, check_invariants
from .model import (
    Account,
    Asset,
    Entry,
    ExpiryLine,
    ExpiryRule,
    Hold,
    Lot,
    LotMove,
    Transfer,
    TransferRequest,
    TransferResult,
)
from .store import Changes, MemoryStore, Store

__all__ = [
    "Account",
    "AccountFlags",
    "Asset",
    "Changes",
    "Entry",
    "ExpiryLine",
    "ExpiryRule",
    "Hold",
    "HoldStatus",
    "Kind",
    "Ledger",
    "LedgerError",
    "Lot",
    "LotMove",
    "MemoryStore",
    "Reason",
    "Status",
    "Store",
    "SystemRole",
    "Transfer",
    "TransferRequest",
    "TransferResult",
    "Violation",
    "check_invariants",
    "system_account_id",
]
