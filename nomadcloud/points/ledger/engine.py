"""The ledger engine: validates and applies transfers on a ``Store``.

Every request is checked completely against a private overlay of what it reads; only when a
whole linked chain succeeds is the overlay written to the store, inside one ``atomic()`` block
whose accounts were locked first, in sorted order. A refused request therefore changes nothing.
"""

from __future__ import annotations

import copy
import gc
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from .codes import CLIENT_KINDS, AccountFlags, HoldStatus, Kind, Reason, Status, SystemRole
from .model import (
    MAX_INT64,
    Account,
    Allocation,
    Asset,
    Entry,
    ExpiryLine,
    Hold,
    Lot,
    LotMove,
    Transfer,
    TransferRequest,
    TransferResult,
)
from .store import Changes, Store

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


class Ledger:
    """Assets, accounts and transfers over a ``Store``. ``clock`` gives aware UTC datetimes;
    the ledger makes each transfer's timestamp strictly later than the previous one."""

    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime] | None = None,
        *,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self.store = store
        self.clock = clock or (lambda: datetime.now(UTC))
        self.max_batch = max_batch
        self._last: datetime | None = None

    # ---- definitions -------------------------------------------------------------------

    def create_asset(self, asset: Asset) -> Asset:
        """Define an asset and its sharded system accounts. Idempotent for equal fields."""
        if (
            not ID_PATTERN.fullmatch(asset.code)
            or ":" in asset.code
            or not 0 <= asset.scale <= 18
            or not 0 < asset.max_amount <= MAX_INT64
            or not 1 <= asset.shards <= 1024
        ):
            raise LedgerError(Reason.ASSET_INVALID, asset.code)
        with self.store.atomic():
            existing = self.store.get_asset(asset.code)
            if existing is not None:
                if existing != asset:
                    raise LedgerError(Reason.ASSET_EXISTS_WITH_DIFFERENT_FIELDS, asset.code)
                return existing
            self.store.insert_asset(asset)
            for role in SystemRole:
                for shard in range(asset.shards):
                    self.store.insert_account(
                        Account(
                            id=system_account_id(role, asset.code, shard),
                            asset=asset.code,
                            system_role=role.value,
                        )
                    )
        return asset

    def open_account(
        self,
        account_id: str,
        asset: str,
        holder: str,
        flags: AccountFlags = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS,
    ) -> Account:
        """Open a holder's account. Idempotent for equal fields."""
        if not ID_PATTERN.fullmatch(account_id) or account_id.split(":", 1)[0] in {
            r.value for r in SystemRole
        }:
            raise LedgerError(Reason.ACCOUNT_ID_INVALID, account_id)
        both = (
            AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
            | AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS
        )
        if (flags & both) == both or (
            flags & AccountFlags.LOTS and not flags & AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
        ):
            raise LedgerError(Reason.ACCOUNT_FLAGS_INVALID, account_id)
        account = Account(id=account_id, asset=asset, holder=holder, flags=flags)
        with self.store.atomic():
            if self.store.get_asset(asset) is None:
                raise LedgerError(Reason.ASSET_UNKNOWN, asset)
            existing = self.store.get_accounts([account_id]).get(account_id)
            if existing is not None:
                if not existing.same_definition(account):
                    raise LedgerError(Reason.ACCOUNT_EXISTS_WITH_DIFFERENT_FIELDS, account_id)
                return existing
            self.store.insert_account(account)
        return account

    def system_account(self, role: SystemRole, asset: str, key: str = "") -> str:
        """The shard of a system account to use for ``key`` (e.g. the counterparty's account
        id): the same key always maps to the same shard, different keys spread evenly."""
        found = self.store.get_asset(asset)
        if found is None:
            raise LedgerError(Reason.ASSET_UNKNOWN, asset)
        return system_account_id(role, asset, zlib.crc32(key.encode()) % found.shards)

    def system_balance(self, role: SystemRole, asset: str) -> int:
        """A system account's balance: the sum of its shards."""
        found = self.store.get_asset(asset)
        if found is None:
            raise LedgerError(Reason.ASSET_UNKNOWN, asset)
        ids = [system_account_id(role, asset, i) for i in range(found.shards)]
        return sum(a.balance for a in self.store.get_accounts(ids).values())

    # ---- transfers ---------------------------------------------------------------------

    def submit(self, requests: Sequence[TransferRequest]) -> list[TransferResult]:
        """Apply a batch. Each linked chain applies entirely or not at all; unlinked requests
        are independent. Results come back in request order."""
        if not requests:
            return []
        if len(requests) > self.max_batch:
            return [TransferResult(r.id, Status.REFUSED, Reason.BATCH_TOO_LARGE) for r in requests]
        chains: list[list[TransferRequest]] = [[]]
        for r in requests:
            chains[-1].append(r)
            if not r.linked:
                chains.append([])
        open_chain = chains.pop()
        results: list[TransferResult] = []
        with _gc_paused(len(requests) > _GC_PAUSE_FROM), self.store.atomic():
            batch = self._prepare(requests)
            for chain in chains:
                results.extend(self._apply_chain(chain, batch))
            batch.write()
        results.extend(
            TransferResult(r.id, Status.REFUSED, Reason.LINKED_CHAIN_OPEN) for r in open_chain
        )
        return results

    def transfer(
        self, id: str, debit_account: str, credit_account: str, amount: int, **kw: object
    ) -> TransferResult:
        return self.submit(
            [TransferRequest(id, Kind.TRANSFER, debit_account, credit_account, amount, **kw)]  # type: ignore[arg-type]
        )[0]

    def hold(
        self, id: str, debit_account: str, credit_account: str, amount: int, **kw: object
    ) -> TransferResult:
        return self.submit(
            [TransferRequest(id, Kind.HOLD, debit_account, credit_account, amount, **kw)]  # type: ignore[arg-type]
        )[0]

    def post(self, id: str, pending_id: str, amount: int | None = None) -> TransferResult:
        return self.submit([TransferRequest(id, Kind.POST, amount=amount, pending_id=pending_id)])[
            0
        ]

    def void(self, id: str, pending_id: str) -> TransferResult:
        return self.submit([TransferRequest(id, Kind.VOID, pending_id=pending_id)])[0]

    def reverse(
        self, id: str, reverses: str, amount: int | None = None, code: str = ""
    ) -> TransferResult:
        return self.submit(
            [TransferRequest(id, Kind.REVERSAL, amount=amount, reverses=reverses, code=code)]
        )[0]

    # ---- scheduled jobs ----------------------------------------------------------------

    def expire_holds(self, limit: int = 1000) -> list[TransferResult]:
        """Void every pending hold whose timeout has passed (kind ``EXPIRE_PENDING``)."""
        results = []
        for due in self.store.due_holds(self.clock(), limit):
            with self.store.atomic():
                work = _Work(self._locked({due.debit_account, due.credit_account}))
                hold = work.hold(due.id)
                ts = self._tick()
                if (
                    hold is None
                    or hold.status != HoldStatus.PENDING
                    or hold.expires_at is None
                    or hold.expires_at > ts
                ):
                    continue
                request = TransferRequest(
                    f"expire-hold:{hold.id}", Kind.EXPIRE_PENDING, pending_id=hold.id
                )
                results.append(self._apply_internal(work, request, ts))
        return results

    def expire_lots(self, limit: int = 1000) -> list[TransferResult]:
        """Move what is left in every expired lot to the asset's expiry account (a shard chosen
        by the holder's account), one ``EXPIRE_LOT`` transfer per lot."""
        results = []
        for due in self.store.due_lots(self.clock(), limit):
            expiry = self.system_account(SystemRole.EXPIRY, due.asset, due.account)
            with self.store.atomic():
                work = _Work(self._locked({due.account, expiry}))
                lot = work.lot(due.id)
                ts = self._tick()
                if lot is None or lot.remaining <= 0 or not lot.is_expired(ts):
                    continue
                request = TransferRequest(
                    f"expire-lot:{lot.id}:{lot.expired_count}",
                    Kind.EXPIRE_LOT,
                    debit_account=lot.account,
                    credit_account=expiry,
                    amount=lot.remaining,
                    reference=lot.id,
                )
                results.append(self._apply_internal(work, request, ts))
        return results

    # ---- reads -------------------------------------------------------------------------

    def account(self, account_id: str) -> Account | None:
        return self.store.get_accounts([account_id]).get(account_id)

    def lots(self, account_id: str) -> list[Lot]:
        """Open lots (with something left), in the order they are spent."""
        return self.store.open_lots(account_id)

    def expiry_statement(self, account_id: str) -> list[ExpiryLine]:
        """What expires when: open lots summed per expiry instant, soonest first. Instants in
        the past are expired points the expiry run has not yet swept (they cannot be spent).
        Amounts held by pending holds are not included until the hold is voided."""
        sums: dict[datetime, int] = {}
        for lot in self.store.open_lots(account_id):
            if lot.expires_at is not None:
                sums[lot.expires_at] = sums.get(lot.expires_at, 0) + lot.remaining
        return [ExpiryLine(account_id, t, n) for t, n in sorted(sums.items())]

    def history(self, account_id: str) -> list[Transfer]:
        return self.store.history(account_id)

    # ---- internals ---------------------------------------------------------------------

    def _tick(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the ledger clock must give aware datetimes")
        if self._last is not None and now <= self._last:
            now = self._last + timedelta(microseconds=1)
        self._last = now
        return now

    def _locked(self, ids: Iterable[str]) -> _Batch:
        ordered = sorted({i for i in ids if isinstance(i, str) and i})
        accounts = self.store.lock_accounts(ordered)
        return _Batch(self.store, frozenset(ordered), accounts)

    def _prepare(self, requests: Sequence[TransferRequest]) -> _Batch:
        """Lock every account the batch may touch and read in bulk what it will need.
        Transfers are immutable, so those the requests refer to (holds posted or voided,
        transfers reversed) are read before locking to find their accounts; holds, lots and
        reversal totals are read under the locks."""
        in_batch = {r.id: r for r in requests}
        refs = {
            ref
            for r in requests
            if r.kind in (Kind.POST, Kind.VOID, Kind.REVERSAL)
            for ref in (r.pending_id or r.reverses,)
            if isinstance(ref, str) and ref and ref not in in_batch
        }
        stored = self.store.get_transfers(refs) if refs else {}

        def accounts_of(ref: str, depth: int = 0) -> tuple[str, ...]:
            r = in_batch.get(ref)
            if r is not None and depth < 3:
                if r.kind in (Kind.TRANSFER, Kind.HOLD):
                    return (r.debit_account, r.credit_account)
                return accounts_of(r.pending_id or r.reverses, depth + 1)
            t = stored.get(ref)
            return (t.debit_account, t.credit_account) if t is not None else ()

        ids: set[str] = set()
        debited: set[str] = set()
        for r in requests:
            if r.kind in (Kind.TRANSFER, Kind.HOLD):
                ids.update((r.debit_account, r.credit_account))
                debited.add(r.debit_account)
            elif r.pending_id or r.reverses:
                found = accounts_of(r.pending_id or r.reverses)
                ids.update(found)
                if r.kind == Kind.REVERSAL and found:
                    debited.add(found[1])  # value flows back from the original's credit
        ordered = sorted({i for i in ids if isinstance(i, str) and i})
        tids = [i for i in in_batch if isinstance(i, str) and ID_PATTERN.fullmatch(i)]
        # Lots of the accounts debited (system accounts never keep lots).
        lots_of = sorted(
            i for i in debited if isinstance(i, str) and i and i.split(":", 1)[0] not in _ROLES
        )
        accounts, existing, lots = self.store.lock_and_load(ordered, tids, lots_of)
        batch = _Batch(self.store, frozenset(ordered), accounts)
        for tid in tids:
            batch.known[tid] = existing.get(tid)
        for lot in lots:
            batch._add_lot(lot)
        batch.lots_loaded.update(lots_of)
        for ref in refs:
            t = stored.get(ref)
            batch.known[ref] = t
            if t is None or t.kind != Kind.HOLD:
                batch.holds[ref] = None  # no hold (or none when the accounts were chosen)
        if refs:
            batch.load_holds(t.id for t in stored.values() if t.kind == Kind.HOLD)
            reversible = [t.id for t in stored.values() if t.kind in (Kind.TRANSFER, Kind.POST)]
            batch.load_reversed(reversible)
            lot_ids = [lot for t in stored.values() for lot, _ in t.allocation]
            lot_ids += [
                lot for h in batch.holds.values() if h is not None for lot, _ in h.reservation
            ]
            batch.load_lots(lot_ids)
        return batch

    def _apply_chain(self, chain: list[TransferRequest], batch: _Batch) -> list[TransferResult]:
        work = _Work(batch)
        results: list[TransferResult] = []
        failed: int | None = None
        for i, request in enumerate(chain):
            result = self._apply(work, request, self._tick())
            results.append(result)
            if not result.ok:
                failed = i
                break
        statuses = {r.status for r in results}
        if failed is None and statuses == {Status.CREATED, Status.EXISTS}:
            failed = next(i for i, r in enumerate(results) if r.status == Status.CREATED)
            results[failed] = TransferResult(
                chain[failed].id, Status.REFUSED, Reason.LINKED_CHAIN_MISMATCH
            )
        if failed is None:
            if Status.CREATED in statuses:
                work.merge()
            return results
        return [
            results[i]
            if i == failed
            else TransferResult(r.id, Status.REFUSED, Reason.LINKED_EVENT_FAILED)
            for i, r in enumerate(chain)
        ]

    def _apply_internal(
        self, work: _Work, request: TransferRequest, ts: datetime
    ) -> TransferResult:
        result = self._apply(work, request, ts, internal=True)
        if result.status == Status.CREATED:
            work.merge()
            work.batch.write()
        return result

    def _apply(
        self, work: _Work, request: TransferRequest, ts: datetime, internal: bool = False
    ) -> TransferResult:
        try:
            transfer, created = self._check_and_apply(work, request, ts, internal)
        except _Refused as refused:
            return TransferResult(request.id, Status.REFUSED, refused.reason, refused.field)
        status = Status.CREATED if created else Status.EXISTS
        return TransferResult(request.id, status, transfer=transfer)

    def _check_and_apply(
        self, work: _Work, r: TransferRequest, ts: datetime, internal: bool
    ) -> tuple[Transfer, bool]:
        """The transfer applied (``True``) or found applied before (``False``)."""
        if not isinstance(r.kind, Kind) or (r.kind not in CLIENT_KINDS and not internal):
            raise _Refused(Reason.KIND_INVALID, "kind")
        if not isinstance(r.id, str) or not ID_PATTERN.fullmatch(r.id):
            raise _Refused(Reason.ID_INVALID, "id")
        if r.id in work.transfers:
            raise _Refused(Reason.ID_REPEATED_IN_CHAIN, "id")
        existing = work.transfer(r.id)
        if existing is not None:
            differs = existing.request.first_difference(r)
            if differs is not None:
                raise _Refused(Reason.EXISTS_WITH_DIFFERENT_FIELDS, differs)
            return existing, False
        if r.kind in _ALLOWED:
            for name, default in _OPTIONAL_FIELDS.items():
                if name not in _ALLOWED[r.kind] and getattr(r, name) != default:
                    raise _Refused(Reason.FIELD_NOT_ALLOWED, name)
        if r.kind in (Kind.TRANSFER, Kind.HOLD, Kind.EXPIRE_LOT):
            transfer = self._movement(work, r, ts)
        elif r.kind in (Kind.POST, Kind.VOID, Kind.EXPIRE_PENDING):
            transfer = self._resolve_hold(work, r, ts)
        else:
            transfer = self._reversal(work, r, ts)
        work.transfers[transfer.id] = transfer
        return transfer, True

    # -- checks shared by the kinds --

    @staticmethod
    def _amount(amount: object) -> int:
        if amount is None:
            raise _Refused(Reason.AMOUNT_MISSING, "amount")
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise _Refused(Reason.AMOUNT_NOT_INTEGER, "amount")
        if amount <= 0:
            raise _Refused(Reason.AMOUNT_NOT_POSITIVE, "amount")
        return amount

    def _limits(self, work: _Work, dr: Account, cr: Account, amount: int, ts: datetime) -> None:
        """Refuse a posted or pending debit of ``amount`` that breaks an account's flags."""
        if dr.has(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS):
            if dr.debits_pending + dr.debits_posted + amount > dr.credits_posted:
                raise _Refused(Reason.INSUFFICIENT_FUNDS)
            if dr.has(AccountFlags.LOTS):
                spendable = sum(lot.remaining for lot in work.spendable_lots(dr.id, ts))
                if spendable < amount:
                    raise _Refused(Reason.INSUFFICIENT_FUNDS_EXPIRED)
        if cr.has(AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS) and (
            cr.credits_pending + cr.credits_posted + amount > cr.debits_posted
        ):
            raise _Refused(Reason.CREDIT_LIMIT_EXCEEDED)
        if (
            max(dr.debits_pending + dr.debits_posted, cr.credits_pending + cr.credits_posted)
            + (amount)
            > MAX_INT64
        ):
            raise _Refused(Reason.BALANCE_OVERFLOW)

    def _take(
        self, work: _Work, account: Account, amount: int, ts: datetime, tid: str, prefer: str = ""
    ) -> Allocation:
        """Take ``amount`` from the account's unexpired lots, oldest first (``prefer`` first)."""
        if not account.has(AccountFlags.LOTS):
            return ()
        lots = work.spendable_lots(account.id, ts)
        lots.sort(key=lambda lot: lot.id != prefer)  # stable: keeps FIFO otherwise
        taken: list[tuple[str, int]] = []
        left = amount
        for lot in lots:
            if not left:
                break
            n = min(lot.remaining, left)
            work.move(tid, lot, -n)
            taken.append((lot.id, n))
            left -= n
        if left:
            raise AssertionError(f"lots of {account.id} do not cover its balance")
        return tuple(taken)

    def _give_back(self, work: _Work, allocation: Allocation, tid: str) -> None:
        for lot_id, n in allocation:
            lot = work.lot(lot_id)
            if lot is None:
                raise AssertionError(f"lot {lot_id} vanished")
            work.move(tid, lot, n)

    def _new_lot(
        self,
        work: _Work,
        account: Account,
        amount: int,
        ts: datetime,
        tid: str,
        expires_at: datetime | None,
    ) -> str:
        if not account.has(AccountFlags.LOTS):
            return ""
        if expires_at is None:
            asset = self.store.get_asset(account.asset)
            expires_at = asset.expiry.expires_at(ts) if asset is not None else None
        work.lots[tid] = Lot(tid, account.id, account.asset, amount, amount, ts, expires_at)
        work.dirty_lots[tid] = None
        return tid

    def _book(
        self,
        work: _Work,
        tid: str,
        dr: Account,
        cr: Account,
        *,
        pending: int = 0,
        posted: int = 0,
    ) -> None:
        """Change both sides' balances by ``pending`` and ``posted`` and record the entries."""
        dr.debits_pending += pending
        dr.debits_posted += posted
        cr.credits_pending += pending
        cr.credits_posted += posted
        work.entries.append(Entry(tid, dr.id, debits_pending=pending, debits_posted=posted))
        work.entries.append(Entry(tid, cr.id, credits_pending=pending, credits_posted=posted))

    def _accounts(self, work: _Work, debit: str, credit: str) -> tuple[Account, Account]:
        dr = work.account(debit) if debit else None
        if dr is None:
            raise _Refused(Reason.DEBIT_ACCOUNT_UNKNOWN, "debit_account")
        cr = work.account(credit) if credit else None
        if cr is None:
            raise _Refused(Reason.CREDIT_ACCOUNT_UNKNOWN, "credit_account")
        if dr.id == cr.id:
            raise _Refused(Reason.ACCOUNTS_SAME, "credit_account")
        if dr.asset != cr.asset:
            raise _Refused(Reason.ASSET_MISMATCH, "credit_account")
        return dr, cr

    def _record(
        self,
        r: TransferRequest,
        kind: Kind,
        dr: Account,
        cr: Account,
        amount: int,
        ts: datetime,
        **kw: object,
    ) -> Transfer:
        return Transfer(
            id=r.id,
            kind=kind,
            debit_account=dr.id,
            credit_account=cr.id,
            asset=dr.asset,
            amount=amount,
            timestamp=ts,
            request=r,
            code=r.code,
            reference=r.reference,
            **kw,  # type: ignore[arg-type]
        )

    # -- the kinds --

    def _movement(self, work: _Work, r: TransferRequest, ts: datetime) -> Transfer:
        amount = self._amount(r.amount)
        dr, cr = self._accounts(work, r.debit_account, r.credit_account)
        if r.asset and r.asset != dr.asset:
            raise _Refused(Reason.ASSET_MISMATCH, "asset")
        asset = self.store.get_asset(dr.asset)
        if asset is None:
            raise _Refused(Reason.ASSET_UNKNOWN, "asset")
        if amount > asset.max_amount:
            raise _Refused(Reason.AMOUNT_TOO_LARGE, "amount")
        if r.kind != Kind.EXPIRE_LOT:
            if dr.has(AccountFlags.CLOSED):
                raise _Refused(Reason.ACCOUNT_CLOSED, "debit_account")
            if cr.has(AccountFlags.CLOSED):
                raise _Refused(Reason.ACCOUNT_CLOSED, "credit_account")
        if not isinstance(r.timeout, int) or not 0 <= r.timeout <= MAX_TIMEOUT:
            raise _Refused(Reason.TIMEOUT_INVALID, "timeout")
        if r.lot_expires_at is not None and (
            not isinstance(r.lot_expires_at, datetime)
            or r.lot_expires_at.tzinfo is None
            or r.lot_expires_at <= ts
        ):
            raise _Refused(Reason.EXPIRES_AT_INVALID, "lot_expires_at")
        if r.kind == Kind.EXPIRE_LOT:
            lot = work.lot(r.reference)
            if lot is None or lot.remaining != amount:
                raise AssertionError("expiry of a changed lot")
            work.move(r.id, lot, -amount)
            lot.expired_count += 1
            self._book(work, r.id, dr, cr, posted=amount)
            return self._record(
                r, Kind.EXPIRE_LOT, dr, cr, amount, ts, allocation=((lot.id, amount),)
            )
        self._limits(work, dr, cr, amount, ts)
        allocation = self._take(work, dr, amount, ts, r.id)
        if r.kind == Kind.HOLD:
            expires_at = ts + timedelta(seconds=r.timeout) if r.timeout else None
            work.holds[r.id] = Hold(
                r.id, dr.id, cr.id, dr.asset, amount, expires_at, allocation, r.lot_expires_at
            )
            self._book(work, r.id, dr, cr, pending=amount)
            return self._record(
                r, Kind.HOLD, dr, cr, amount, ts, expires_at=expires_at, allocation=allocation
            )
        self._book(work, r.id, dr, cr, posted=amount)
        lot_id = self._new_lot(work, cr, amount, ts, r.id, r.lot_expires_at)
        return self._record(
            r, Kind.TRANSFER, dr, cr, amount, ts, lot_id=lot_id, allocation=allocation
        )

    def _resolve_hold(self, work: _Work, r: TransferRequest, ts: datetime) -> Transfer:
        if not r.pending_id:
            raise _Refused(Reason.PENDING_ID_MISSING, "pending_id")
        hold = work.hold(r.pending_id)
        if hold is None:
            raise _Refused(Reason.PENDING_NOT_FOUND, "pending_id")
        if hold.status == HoldStatus.POSTED:
            raise _Refused(Reason.PENDING_ALREADY_POSTED, "pending_id")
        if hold.status == HoldStatus.VOIDED:
            raise _Refused(Reason.PENDING_ALREADY_VOIDED, "pending_id")
        timed_out = hold.expires_at is not None and hold.expires_at <= ts
        if hold.status == HoldStatus.EXPIRED or (timed_out and r.kind != Kind.EXPIRE_PENDING):
            raise _Refused(Reason.PENDING_EXPIRED, "pending_id")
        if r.kind == Kind.POST:
            amount = hold.amount if r.amount is None else self._amount(r.amount)
            if amount > hold.amount:
                raise _Refused(Reason.PENDING_AMOUNT_EXCEEDED, "amount")
        elif r.amount is not None:
            raise _Refused(Reason.AMOUNT_NOT_ALLOWED, "amount")
        else:
            amount = hold.amount
        dr, cr = self._accounts(work, hold.debit_account, hold.credit_account)
        if r.kind == Kind.POST:
            consumed, released = _split(hold.reservation, amount)
            self._give_back(work, released, r.id)
            self._book(work, r.id, dr, cr, pending=-hold.amount, posted=amount)
            lot_id = self._new_lot(work, cr, amount, ts, r.id, hold.lot_expires_at)
            hold.status, hold.posted_amount, hold.resolved_by = HoldStatus.POSTED, amount, r.id
            return self._record(
                r,
                Kind.POST,
                dr,
                cr,
                amount,
                ts,
                pending_id=hold.id,
                lot_id=lot_id,
                allocation=consumed,
            )
        self._give_back(work, hold.reservation, r.id)
        self._book(work, r.id, dr, cr, pending=-hold.amount)
        hold.status = HoldStatus.VOIDED if r.kind == Kind.VOID else HoldStatus.EXPIRED
        hold.resolved_by = r.id
        return self._record(r, r.kind, dr, cr, hold.amount, ts, pending_id=hold.id)

    def _reversal(self, work: _Work, r: TransferRequest, ts: datetime) -> Transfer:
        if not r.reverses:
            raise _Refused(Reason.REVERSAL_TARGET_MISSING, "reverses")
        original = work.transfer(r.reverses)
        if original is None:
            raise _Refused(Reason.REVERSAL_TARGET_NOT_FOUND, "reverses")
        if original.kind not in (Kind.TRANSFER, Kind.POST):
            raise _Refused(Reason.REVERSAL_TARGET_NOT_REVERSIBLE, "reverses")
        done = work.reversed_total(original.id)
        left = original.amount - done
        amount = left if r.amount is None else self._amount(r.amount)
        if amount > left or amount <= 0:
            raise _Refused(Reason.REVERSAL_EXCEEDS_ORIGINAL, "amount")
        # Value flows back: the original's credit account is debited.
        dr, cr = self._accounts(work, original.credit_account, original.debit_account)
        self._limits(work, dr, cr, amount, ts)
        allocation = self._take(work, dr, amount, ts, r.id, prefer=original.lot_id)
        self._book(work, r.id, dr, cr, posted=amount)
        # Give back to the lots the original took from, last taken first, so refunded points
        # keep their original expiry (an expired lot stays expired: the next run sweeps it).
        restorable, _ = _split(original.allocation, _total(original.allocation) - done)
        _, give = _split(restorable, _total(restorable) - amount)
        self._give_back(work, give, r.id)
        lot_id = ""
        if _total(give) < amount:
            lot_id = self._new_lot(work, cr, amount - _total(give), ts, r.id, None)
        work.reversed[original.id] = done + amount
        work.dirty_reversed.add(original.id)
        return self._record(
            r,
            Kind.REVERSAL,
            dr,
            cr,
            amount,
            ts,
            reverses=original.id,
            lot_id=lot_id,
            allocation=allocation,
        )
