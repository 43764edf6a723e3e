"""The storage protocol the ledger engine runs on, and an in-memory implementation.

Locking contract (what a database store must guarantee):

- ``atomic()`` is one transaction: either everything written inside it persists or nothing.
- ``lock_accounts(ids)`` is called once per ``atomic()`` block, with every account the block
  will touch, sorted; a database store takes row locks (``SELECT … FOR UPDATE``) in that order,
  so concurrent blocks cannot deadlock. It returns the accounts found, read under the lock
  (the engine does not read them again).
- Lots, holds and reversal totals belong to an account (a lot and a hold to the debit or
  credit account, a reversal total to the original transfer's accounts) and are only read for
  update and written while that account is locked: they need no locks of their own.
- Transfers are insert-only with a unique ``id``; a unique-key violation on insert (a racing
  retry) makes the Django layer retry the block, which then finds the transfer and answers
  ``EXISTS``.
- Everything a block changes is written at its end by one ``write(changes)`` call, so a store
  can write it in bulk (a few statements whatever the number of transfers).

Reads return copies: the engine mutates what it reads and writes back only on success.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from .codes import HoldStatus
from .model import Account, Asset, Entry, Hold, Lot, LotMove, Transfer


@dataclass
class Changes:
    """What one ``atomic()`` block of the engine changed, written by ``Store.write``: new
    history (transfers, entries, lot moves, in the order created) and the new values of the
    mutable state it touched (balances, lots — new or changed —, holds, reversal totals)."""

    transfers: list[Transfer] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    moves: list[LotMove] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    lots: list[Lot] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    reversed: dict[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.transfers or self.accounts or self.lots or self.holds or self.reversed)


class Store(Protocol):
    # Transactions and locks
    def atomic(self) -> AbstractContextManager[None]: ...
    def lock_accounts(self, ids: Sequence[str]) -> dict[str, Account]:
        """Lock the accounts (sorted ids) and return those that exist, read under the lock."""
        ...

    def lock_and_load(
        self, ids: Sequence[str], transfer_ids: Sequence[str], lots_of: Sequence[str]
    ) -> tuple[dict[str, Account], dict[str, Transfer], list[Lot]]:
        """``lock_accounts(ids)``, then — under the locks — ``get_transfers(transfer_ids)`` and
        ``open_lots_of(lots_of)``: what a batch of transfers reads first, in one go (a
        database store sends the three queries in one round trip)."""
        ...

    # Definitions
    def get_asset(self, code: str) -> Asset | None: ...
    def insert_asset(self, asset: Asset) -> None: ...
    def get_accounts(self, ids: Iterable[str]) -> dict[str, Account]: ...
    def insert_account(self, account: Account) -> None: ...

    # History (insert-only) and state (guarded by account locks)
    def get_transfers(self, ids: Iterable[str]) -> dict[str, Transfer]: ...
    def get_holds(self, ids: Iterable[str]) -> dict[str, Hold]: ...
    def get_lots(self, ids: Iterable[str]) -> dict[str, Lot]: ...
    def open_lots(self, account_id: str) -> list[Lot]:
        """Lots of the account with ``remaining > 0``, oldest first (``Lot.order_key``)."""
        ...

    def open_lots_of(self, account_ids: Iterable[str]) -> list[Lot]:
        """Lots with ``remaining > 0`` of all these accounts (any order)."""
        ...

    def get_reversed(self, ids: Iterable[str]) -> dict[str, int]:
        """Total reversed so far per transfer id (missing: nothing)."""
        ...

    def write(self, changes: Changes) -> None:
        """Insert the new history, insert or update the state (see ``Changes``)."""
        ...

    # Scheduled jobs (unlocked candidate queries; re-read under lock by the engine)
    def due_holds(self, now: datetime, limit: int) -> list[Hold]: ...
    def due_lots(self, now: datetime, limit: int) -> list[Lot]: ...

    # Reads for statements and invariant checks
    def accounts_of(self, holder: str) -> list[Account]: ...
    def history(self, account_id: str) -> list[Transfer]: ...
    def all_assets(self) -> list[Asset]: ...
    def all_accounts(self) -> list[Account]: ...
    def all_transfers(self) -> list[Transfer]: ...
    def all_entries(self) -> list[Entry]: ...
    def all_lots(self) -> list[Lot]: ...
    def all_lot_moves(self) -> list[LotMove]: ...
    def all_holds(self) -> list[Hold]: ...
    def all_reversed(self) -> dict[str, int]: ...


class MemoryStore:
    """A complete ``Store`` in memory. ``atomic()`` takes a re-entrant lock and, on an
    exception, restores the state from before the block (so it behaves like a transaction)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._depth = 0
        self.assets: dict[str, Asset] = {}
        self.accounts: dict[str, Account] = {}
        self.transfers: list[Transfer] = []
        self.transfer_index: dict[str, int] = {}
        self.entries: list[Entry] = []
        self.lot_moves: list[LotMove] = []
        self.lots: dict[str, Lot] = {}
        self.holds: dict[str, Hold] = {}
        self.reversed: dict[str, int] = {}
        self.history_index: dict[str, list[int]] = {}

    _STATE = (
        "assets",
        "accounts",
        "transfers",
        "transfer_index",
        "entries",
        "lot_moves",
        "lots",
        "holds",
        "reversed",
        "history_index",
    )

    @contextmanager
    def atomic(self) -> Iterator[None]:
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            saved = {
                name: (len(v) if isinstance(v, list) else copy.copy(v))
                for name, v in ((n, getattr(self, n)) for n in self._STATE)
            }
            # Stored records are replaced, never changed in place; only the index lists grow.
            mutable = {"history_index": {k: list(v) for k, v in self.history_index.items()}}
            self._depth = 1
            try:
                yield
            except BaseException:
                for name, value in saved.items():
                    if isinstance(value, int):
                        del getattr(self, name)[value:]
                    else:
                        setattr(self, name, mutable.get(name, value))
                raise
            finally:
                self._depth = 0

    def lock_accounts(self, ids: Sequence[str]) -> dict[str, Account]:
        assert list(ids) == sorted(set(ids)), "accounts must be locked once each, in order"
        return self.get_accounts(ids)

    def lock_and_load(
        self, ids: Sequence[str], transfer_ids: Sequence[str], lots_of: Sequence[str]
    ) -> tuple[dict[str, Account], dict[str, Transfer], list[Lot]]:
        accounts = self.lock_accounts(ids)
        return accounts, self.get_transfers(transfer_ids), self.open_lots_of(lots_of)

    def get_asset(self, code: str) -> Asset | None:
        return self.assets.get(code)

    def insert_asset(self, asset: Asset) -> None:
        self.assets[asset.code] = asset

    def get_accounts(self, ids: Iterable[str]) -> dict[str, Account]:
        return {i: copy.copy(self.accounts[i]) for i in ids if i in self.accounts}

    def insert_account(self, account: Account) -> None:
        self.accounts[account.id] = copy.copy(account)

    def get_transfers(self, ids: Iterable[str]) -> dict[str, Transfer]:
        return {i: self.transfers[self.transfer_index[i]] for i in ids if i in self.transfer_index}

    def insert_transfers(self, transfers: Sequence[Transfer]) -> None:
        for t in transfers:
            if t.id in self.transfer_index:
                raise KeyError(f"duplicate transfer id {t.id!r}")
            self.transfer_index[t.id] = len(self.transfers)
            for account in {t.debit_account, t.credit_account}:
                self.history_index.setdefault(account, []).append(len(self.transfers))
            self.transfers.append(t)

    def insert_entries(self, entries: Sequence[Entry]) -> None:
        self.entries.extend(entries)

    def insert_lot_moves(self, moves: Sequence[LotMove]) -> None:
        self.lot_moves.extend(moves)

    def save_balances(self, accounts: Iterable[Account]) -> None:
        for a in accounts:
            self.accounts[a.id] = copy.copy(a)

    def get_holds(self, ids: Iterable[str]) -> dict[str, Hold]:
        return {i: copy.copy(self.holds[i]) for i in ids if i in self.holds}

    def save_holds(self, holds: Iterable[Hold]) -> None:
        for h in holds:
            self.holds[h.id] = copy.copy(h)

    def get_lots(self, ids: Iterable[str]) -> dict[str, Lot]:
        return {i: copy.copy(self.lots[i]) for i in ids if i in self.lots}

    def open_lots(self, account_id: str) -> list[Lot]:
        return sorted(self.open_lots_of([account_id]), key=Lot.order_key)

    def open_lots_of(self, account_ids: Iterable[str]) -> list[Lot]:
        wanted = set(account_ids)
        return [
            copy.copy(lot)
            for lot in self.lots.values()
            if lot.account in wanted and lot.remaining > 0
        ]

    def save_lots(self, lots: Iterable[Lot]) -> None:
        for lot in lots:
            self.lots[lot.id] = copy.copy(lot)

    def get_reversed(self, ids: Iterable[str]) -> dict[str, int]:
        return {i: self.reversed[i] for i in ids if i in self.reversed}

    def save_reversed(self, totals: dict[str, int]) -> None:
        self.reversed.update(totals)

    def write(self, changes: Changes) -> None:
        self.insert_transfers(changes.transfers)
        self.insert_entries(changes.entries)
        self.save_balances(changes.accounts)
        self.save_lots(changes.lots)
        self.insert_lot_moves(changes.moves)
        self.save_holds(changes.holds)
        self.save_reversed(changes.reversed)

    def due_holds(self, now: datetime, limit: int) -> list[Hold]:
        due = [
            copy.copy(h)
            for h in self.holds.values()
            if h.status == HoldStatus.PENDING and h.expires_at is not None and h.expires_at <= now
        ]
        return sorted(due, key=lambda h: (h.expires_at, h.id))[:limit]

    def due_lots(self, now: datetime, limit: int) -> list[Lot]:
        due = [
            copy.copy(lot) for lot in self.lots.values() if lot.remaining and lot.is_expired(now)
        ]
        return sorted(due, key=Lot.order_key)[:limit]

    def accounts_of(self, holder: str) -> list[Account]:
        return [copy.copy(a) for a in self.accounts.values() if a.holder == holder]

    def history(self, account_id: str) -> list[Transfer]:
        return [self.transfers[i] for i in self.history_index.get(account_id, [])]

    def all_assets(self) -> list[Asset]:
        return list(self.assets.values())

    def all_accounts(self) -> list[Account]:
        return [copy.copy(a) for a in self.accounts.values()]

    def all_transfers(self) -> list[Transfer]:
        return list(self.transfers)

    def all_entries(self) -> list[Entry]:
        return list(self.entries)

    def all_lots(self) -> list[Lot]:
        return [copy.copy(lot) for lot in self.lots.values()]

    def all_lot_moves(self) -> list[LotMove]:
        return list(self.lot_moves)

    def all_holds(self) -> list[Hold]:
        return [copy.copy(h) for h in self.holds.values()]

    def all_reversed(self) -> dict[str, int]:
        return dict(self.reversed)
