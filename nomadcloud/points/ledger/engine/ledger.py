"""The ledger engine: validates and applies transfers on a ``Store``.

Every request is checked completely against a private overlay of what it reads; only when a
whole linked chain succeeds is the overlay written to the store, inside one ``atomic()`` block
whose accounts were locked first, in sorted order. A refused request therefore changes nothing.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from ..codes import CLIENT_KINDS, AccountFlags, HoldStatus, Kind, Reason, Status, SystemRole
from ..model import (
    MAX_INT64,
    Account,
    Asset,
    ExpiryLine,
    Lot,
    Transfer,
    TransferRequest,
    TransferResult,
)
from ..store import Store
from .base import (
    _ALLOWED,
    _OPTIONAL_FIELDS,
    _ROLES,
    ID_PATTERN,
    MAX_BATCH,
    LedgerError,
    _Refused,
    system_account_id,
)
from .overlay import _GC_PAUSE_FROM, _Batch, _gc_paused, _Work
from .postings import Postings


class Ledger(Postings):
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
