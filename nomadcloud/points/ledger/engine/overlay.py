"""What a batch reads and writes: the locked accounts and everything loaded for it
(``_Batch``), and the private overlay one chain of requests works on until it succeeds
(``_Work``), so a refused request changes nothing."""

from __future__ import annotations

import copy
import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from ..model import (
    Account,
    Entry,
    Hold,
    Lot,
    LotMove,
    Transfer,
)
from ..store import Changes, Store

_GC_PAUSE_FROM = 64


@contextmanager
def _gc_paused(pause: bool) -> Iterator[None]:
    """A large batch allocates many small objects that live until it ends: the cyclic garbage
    collector would scan them again and again (doubling the time of a batch of thousands)
    and find nothing. Paused while the batch runs; whatever it would have collected is
    collected on its next run."""
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _copy_account(a: Account) -> Account:
    return Account(
        a.id,
        a.asset,
        a.holder,
        a.flags,
        a.system_role,
        a.debits_pending,
        a.debits_posted,
        a.credits_pending,
        a.credits_posted,
    )


def _copy_lot(lot: Lot) -> Lot:
    return Lot(
        lot.id,
        lot.account,
        lot.asset,
        lot.amount,
        lot.remaining,
        lot.created_at,
        lot.expires_at,
        lot.expired_count,
    )


class _Batch:
    """What one ``atomic()`` block read under its locks and what its successful chains changed.
    Read in bulk up front where the requests tell what is needed (accounts with their locks,
    transfers, holds, lots, reversal totals), otherwise on first use; written once at the end
    (``Store.write``)."""

    def __init__(self, store: Store, locked: frozenset[str], accounts: dict[str, Account]):
        self.store = store
        self.locked = locked
        self.accounts = accounts
        self.dirty_accounts: dict[str, None] = {}
        self.known: dict[str, Transfer | None] = {}
        """Stored transfers read (``None``: known not to be stored)."""
        self.transfers: dict[str, Transfer] = {}
        """Created by this block, in order."""
        self.entries: list[Entry] = []
        self.moves: list[LotMove] = []
        self.lots: dict[str, Lot] = {}
        self.by_account: dict[str, dict[str, Lot]] = {}
        self.lots_loaded: set[str] = set()
        self.dirty_lots: dict[str, None] = {}
        self.holds: dict[str, Hold | None] = {}
        self.dirty_holds: dict[str, None] = {}
        self.reversed: dict[str, int] = {}
        self.dirty_reversed: dict[str, None] = {}

    # -- bulk loads --

    def load_transfers(self, ids: Iterable[str]) -> None:
        wanted = [i for i in ids if i not in self.known and i not in self.transfers]
        if wanted:
            found = self.store.get_transfers(wanted)
            for i in wanted:
                self.known[i] = found.get(i)

    def load_holds(self, ids: Iterable[str]) -> None:
        wanted = [i for i in ids if i not in self.holds]
        if wanted:
            found = self.store.get_holds(wanted)
            for i in wanted:
                self.holds[i] = found.get(i)

    def load_reversed(self, ids: Iterable[str]) -> None:
        wanted = [i for i in ids if i not in self.reversed]
        if wanted:
            found = self.store.get_reversed(wanted)
            for i in wanted:
                self.reversed[i] = found.get(i, 0)

    def _add_lot(self, lot: Lot) -> None:
        self.lots[lot.id] = lot
        self.by_account.setdefault(lot.account, {})[lot.id] = lot

    def load_lots(self, ids: Iterable[str]) -> None:
        wanted = [i for i in ids if i not in self.lots]
        if wanted:
            for lot in self.store.get_lots(wanted).values():
                self._add_lot(lot)

    def load_open_lots(self, account_ids: Iterable[str]) -> None:
        wanted = [i for i in account_ids if i not in self.lots_loaded]
        if wanted:
            for lot in self.store.open_lots_of(wanted):
                if lot.id not in self.lots:
                    self._add_lot(lot)
            self.lots_loaded.update(wanted)

    # -- reads on first use --

    def account(self, account_id: str) -> Account | None:
        found = self.accounts.get(account_id)
        if (
            found is None
            and account_id not in self.locked
            and self.store.get_accounts([account_id])
        ):
            raise AssertionError(f"account {account_id!r} used without its lock")
        return found

    def transfer(self, transfer_id: str) -> Transfer | None:
        if transfer_id in self.transfers:
            return self.transfers[transfer_id]
        self.load_transfers([transfer_id])
        return self.known[transfer_id]

    def hold(self, hold_id: str) -> Hold | None:
        self.load_holds([hold_id])
        return self.holds[hold_id]

    def lot(self, lot_id: str) -> Lot | None:
        self.load_lots([lot_id])
        return self.lots.get(lot_id)

    def open_lots(self, account_id: str) -> Iterable[Lot]:
        self.load_open_lots([account_id])
        return self.by_account.get(account_id, {}).values()

    def reversed_total(self, transfer_id: str) -> int:
        self.load_reversed([transfer_id])
        return self.reversed[transfer_id]

    def write(self) -> None:
        changes = Changes(
            transfers=list(self.transfers.values()),
            entries=self.entries,
            moves=self.moves,
            accounts=[self.accounts[i] for i in self.dirty_accounts],
            lots=[self.lots[i] for i in self.dirty_lots],
            holds=[h for h in (self.holds[i] for i in self.dirty_holds) if h is not None],
            reversed={i: self.reversed[i] for i in self.dirty_reversed},
        )
        if changes:
            self.store.write(changes)


class _Work:
    """What one linked chain read and changed: copies of the block's state, merged into the
    block only when the whole chain succeeded."""

    def __init__(self, batch: _Batch) -> None:
        self.batch = batch
        self.accounts: dict[str, Account] = {}
        self.transfers: dict[str, Transfer] = {}
        self.entries: list[Entry] = []
        self.moves: list[LotMove] = []
        self.lots: dict[str, Lot] = {}
        self.lot_accounts: set[str] = set()
        self.dirty_lots: dict[str, None] = {}
        self.holds: dict[str, Hold] = {}
        self.reversed: dict[str, int] = {}
        self.dirty_reversed: set[str] = set()

    def account(self, account_id: str) -> Account | None:
        found = self.accounts.get(account_id)
        if found is None:
            stored = self.batch.account(account_id)
            if stored is None:
                return None
            found = self.accounts[account_id] = _copy_account(stored)
        return found

    def transfer(self, transfer_id: str) -> Transfer | None:
        if transfer_id in self.transfers:
            return self.transfers[transfer_id]
        return self.batch.transfer(transfer_id)

    def hold(self, hold_id: str) -> Hold | None:
        if hold_id not in self.holds:
            found = self.batch.hold(hold_id)
            if found is None:
                return None
            self.holds[hold_id] = copy.copy(found)
        return self.holds[hold_id]

    def lot(self, lot_id: str) -> Lot | None:
        if lot_id not in self.lots:
            found = self.batch.lot(lot_id)
            if found is None:
                return None
            self.lots[lot_id] = _copy_lot(found)
        return self.lots[lot_id]

    def spendable_lots(self, account_id: str, now: datetime) -> list[Lot]:
        if account_id not in self.lot_accounts:
            for lot in self.batch.open_lots(account_id):
                if lot.id not in self.lots:
                    self.lots[lot.id] = _copy_lot(lot)
            self.lot_accounts.add(account_id)
        found = [
            lot
            for lot in self.lots.values()
            if lot.account == account_id and lot.remaining > 0 and not lot.is_expired(now)
        ]
        return sorted(found, key=Lot.order_key)

    def reversed_total(self, transfer_id: str) -> int:
        if transfer_id not in self.reversed:
            self.reversed[transfer_id] = self.batch.reversed_total(transfer_id)
        return self.reversed[transfer_id]

    def move(self, transfer_id: str, lot: Lot, amount: int) -> None:
        lot.remaining += amount
        self.dirty_lots[lot.id] = None
        self.moves.append(LotMove(transfer_id, lot.id, amount))

    def merge(self) -> None:
        """The chain succeeded: its reads and changes become the block's."""
        b = self.batch
        for a in self.accounts.values():
            b.accounts[a.id] = a
            b.dirty_accounts[a.id] = None
        b.transfers.update(self.transfers)
        b.entries.extend(self.entries)
        b.moves.extend(self.moves)
        for lot_id in self.dirty_lots:
            b._add_lot(self.lots[lot_id])
            b.dirty_lots[lot_id] = None
        for hold in self.holds.values():
            b.holds[hold.id] = hold
            b.dirty_holds[hold.id] = None
        for tid in self.dirty_reversed:
            b.reversed[tid] = self.reversed[tid]
            b.dirty_reversed[tid] = None
