"""How one checked request becomes entries, lots and holds: the limits of the accounts,
taking from and giving back to lots, and the three kinds of movement (transfer or hold,
resolving a hold, reversal). Mixed into ``Ledger``; it needs only the ledger's store."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..codes import AccountFlags, HoldStatus, Kind, Reason
from ..model import (
    MAX_INT64,
    Account,
    Allocation,
    Entry,
    Hold,
    Lot,
    Transfer,
    TransferRequest,
)
from ..store import Store
from .base import (
    MAX_TIMEOUT,
    _Refused,
    _split,
    _total,
)
from .overlay import _Work


class Postings:
    store: Store

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
