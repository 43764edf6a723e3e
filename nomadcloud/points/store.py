"""``DatabaseStore``: the ledger core's ``Store`` protocol on the Django database.

Locking (the core's contract, docs/points.md):

- ``atomic()`` is ``transaction.atomic``: one transaction (a savepoint when nested).
- ``lock_accounts(ids)`` is called once per block with every account the block touches,
  sorted. On PostgreSQL it takes ``SELECT … FOR UPDATE`` row locks ordered by id in the "C"
  collation (byte order, the same as Python's ``sorted``), so blocks cannot deadlock. SQLite
  has no row locks: the project opens every transaction with ``BEGIN IMMEDIATE``
  (``dbconfig.py``), which takes the database's write lock first, so writers are serialised.
- Lots, holds and reversal totals are only written under their accounts' locks; transfers,
  entries and lot moves are insert-only. A racing retry of the same client id on other
  accounts hits the unique key of ``Transfer.tid``: ``DatabaseLedger.submit`` retries the
  block, which then answers ``exists`` (or ``exists_with_different_fields``).
- The engine writes only when a whole chain succeeded, so a refused request writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connections, transaction
from django.db.models import Q
from django.db.models.functions import Collate

from nomadcloud.points import models as m
from nomadcloud.points.ledger import (
    Account,
    AccountFlags,
    Asset,
    Entry,
    ExpiryRule,
    Hold,
    HoldStatus,
    Kind,
    Ledger,
    Lot,
    LotMove,
    Transfer,
    TransferRequest,
    TransferResult,
)
from nomadcloud.points.ledger.model import Allocation

_BALANCES = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")
_FLAG_COLUMNS = (
    (AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS, "debits_must_not_exceed_credits"),
    (AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS, "credits_must_not_exceed_debits"),
    (AccountFlags.LOTS, "lots"),
    (AccountFlags.CLOSED, "closed"),
)


# ---- conversions ------------------------------------------------------------------------


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def request_to_json(r: TransferRequest) -> dict[str, Any]:
    return {
        "id": r.id,
        "kind": r.kind.value,
        "debit_account": r.debit_account,
        "credit_account": r.credit_account,
        "amount": r.amount,
        "asset": r.asset,
        "pending_id": r.pending_id,
        "reverses": r.reverses,
        "timeout": r.timeout,
        "lot_expires_at": r.lot_expires_at.isoformat() if r.lot_expires_at else None,
        "linked": r.linked,
        "code": r.code,
        "reference": r.reference,
    }


def request_from_json(d: dict[str, Any]) -> TransferRequest:
    return TransferRequest(
        id=d["id"],
        kind=Kind(d["kind"]),
        debit_account=d["debit_account"],
        credit_account=d["credit_account"],
        amount=d["amount"],
        asset=d["asset"],
        pending_id=d["pending_id"],
        reverses=d["reverses"],
        timeout=d["timeout"],
        lot_expires_at=_dt(d["lot_expires_at"]),
        linked=d["linked"],
        code=d["code"],
        reference=d["reference"],
    )


def _allocation(value: Any) -> Allocation:
    return tuple((str(lot), int(n)) for lot, n in value)


def _asset(row: m.Asset) -> Asset:
    at_end_of: Any = row.expiry_at_end_of or None
    return Asset(
        code=row.code,
        scale=row.scale,
        max_amount=row.max_amount,
        expiry=ExpiryRule(row.expiry_months, row.expiry_days, at_end_of),
        shards=row.shards,
    )


def _account(row: m.Account) -> Account:
    flags = AccountFlags.NONE
    for flag, column in _FLAG_COLUMNS:
        if getattr(row, column):
            flags |= flag
    return Account(
        id=row.id,
        asset=row.asset_id,
        holder=row.holder,
        flags=flags,
        system_role=row.system_role,
        debits_pending=row.debits_pending,
        debits_posted=row.debits_posted,
        credits_pending=row.credits_pending,
        credits_posted=row.credits_posted,
    )


def _transfer(row: m.Transfer) -> Transfer:
    return Transfer(
        id=row.tid,
        kind=Kind(row.kind),
        debit_account=row.debit_account_id,
        credit_account=row.credit_account_id,
        asset=row.asset_id,
        amount=row.amount,
        timestamp=row.timestamp,
        request=request_from_json(row.request),
        pending_id=row.pending_id,
        reverses=row.reverses,
        expires_at=row.expires_at,
        lot_id=row.lot_id,
        allocation=_allocation(row.allocation),
        code=row.code,
        reference=row.reference,
    )


def _hold(row: m.Hold) -> Hold:
    return Hold(
        id=row.id,
        debit_account=row.debit_account_id,
        credit_account=row.credit_account_id,
        asset=row.asset_id,
        amount=row.amount,
        expires_at=row.expires_at,
        reservation=_allocation(row.reservation),
        lot_expires_at=row.lot_expires_at,
        status=HoldStatus(row.status),
        posted_amount=row.posted_amount,
        resolved_by=row.resolved_by,
    )


def _lot(row: m.Lot) -> Lot:
    return Lot(
        id=row.id,
        account=row.account_id,
        asset=row.asset_id,
        amount=row.amount,
        remaining=row.remaining,
        created_at=row.created_at,
        expires_at=row.expires_at,
        expired_count=row.expired_count,
    )


# ---- the store --------------------------------------------------------------------------


class DatabaseStore:
    """The ledger's ``Store`` on a Django database alias (see the module docstring)."""

    def __init__(self, using: str = "default") -> None:
        self.using = using
        self._assets: dict[str, Asset] = {}

    @property
    def vendor(self) -> str:
        return str(connections[self.using].vendor)

    # -- transactions and locks --

    @contextmanager
    def atomic(self) -> Iterator[None]:
        with transaction.atomic(using=self.using):
            yield

    def lock_accounts(self, ids: Sequence[str]) -> None:
        if self.vendor == "sqlite":
            options = connections[self.using].settings_dict.get("OPTIONS", {})
            if options.get("transaction_mode") != "IMMEDIATE":
                raise ImproperlyConfigured("the points ledger needs SQLite IMMEDIATE transactions")
            return  # BEGIN IMMEDIATE already holds the database's write lock
        if not ids:
            return
        list(
            m.Account.objects.using(self.using)
            .select_for_update()
            .filter(id__in=list(ids))
            .order_by(Collate("id", "C"))
            .values_list("id", flat=True)
        )

    # -- definitions --

    def get_asset(self, code: str) -> Asset | None:
        if code in self._assets:
            return self._assets[code]
        row = m.Asset.objects.using(self.using).filter(code=code).first()
        if row is None:
            return None
        self._assets[code] = asset = _asset(row)  # assets never change: cache
        return asset

    def insert_asset(self, asset: Asset) -> None:
        m.Asset.objects.using(self.using).create(
            code=asset.code,
            scale=asset.scale,
            max_amount=asset.max_amount,
            expiry_months=asset.expiry.months,
            expiry_days=asset.expiry.days,
            expiry_at_end_of=asset.expiry.at_end_of or "",
            shards=asset.shards,
        )

    def get_accounts(self, ids: Iterable[str]) -> dict[str, Account]:
        wanted = list(ids)
        rows = m.Account.objects.using(self.using).filter(id__in=wanted)
        return {row.id: _account(row) for row in rows}

    def insert_account(self, account: Account) -> None:
        m.Account.objects.using(self.using).create(
            id=account.id,
            asset_id=account.asset,
            holder=account.holder,
            system_role=account.system_role,
            **{column: account.has(flag) for flag, column in _FLAG_COLUMNS},
            **{f: getattr(account, f) for f in _BALANCES},
        )

    # -- history (insert-only) --

    def get_transfers(self, ids: Iterable[str]) -> dict[str, Transfer]:
        rows = m.Transfer.objects.using(self.using).filter(tid__in=list(ids))
        return {row.tid: _transfer(row) for row in rows}

    def insert_transfers(self, transfers: Sequence[Transfer]) -> None:
        m.Transfer.objects.using(self.using).bulk_create(
            [
                m.Transfer(
                    tid=t.id,
                    kind=t.kind.value,
                    debit_account_id=t.debit_account,
                    credit_account_id=t.credit_account,
                    asset_id=t.asset,
                    amount=t.amount,
                    timestamp=t.timestamp,
                    request=request_to_json(t.request),
                    pending_id=t.pending_id,
                    reverses=t.reverses,
                    expires_at=t.expires_at,
                    lot_id=t.lot_id,
                    allocation=[list(a) for a in t.allocation],
                    code=t.code,
                    reference=t.reference,
                )
                for t in transfers
            ]
        )

    def insert_entries(self, entries: Sequence[Entry]) -> None:
        m.Entry.objects.using(self.using).bulk_create(
            [
                m.Entry(
                    transfer_id=e.transfer_id,
                    account_id=e.account,
                    **{f: getattr(e, f) for f in _BALANCES},
                )
                for e in entries
            ]
        )

    def insert_lot_moves(self, moves: Sequence[LotMove]) -> None:
        m.LotMove.objects.using(self.using).bulk_create(
            [
                m.LotMove(transfer_id=mv.transfer_id, lot_id=mv.lot_id, amount=mv.amount)
                for mv in moves
            ]
        )

    # -- state (guarded by account locks) --

    def save_balances(self, accounts: Iterable[Account]) -> None:
        for a in accounts:
            m.Account.objects.using(self.using).filter(id=a.id).update(
                **{f: getattr(a, f) for f in _BALANCES}
            )

    def get_holds(self, ids: Iterable[str]) -> dict[str, Hold]:
        rows = m.Hold.objects.using(self.using).filter(id__in=list(ids))
        return {row.id: _hold(row) for row in rows}

    def save_holds(self, holds: Iterable[Hold]) -> None:
        rows = [
            m.Hold(
                id=h.id,
                debit_account_id=h.debit_account,
                credit_account_id=h.credit_account,
                asset_id=h.asset,
                amount=h.amount,
                expires_at=h.expires_at,
                reservation=[list(a) for a in h.reservation],
                lot_expires_at=h.lot_expires_at,
                status=h.status.value,
                posted_amount=h.posted_amount,
                resolved_by=h.resolved_by,
            )
            for h in holds
        ]
        if rows:
            m.Hold.objects.using(self.using).bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["id"],
                update_fields=["reservation", "status", "posted_amount", "resolved_by"],
            )

    def get_lots(self, ids: Iterable[str]) -> dict[str, Lot]:
        rows = m.Lot.objects.using(self.using).filter(id__in=list(ids))
        return {row.id: _lot(row) for row in rows}

    def open_lots(self, account_id: str) -> list[Lot]:
        rows = m.Lot.objects.using(self.using).filter(account_id=account_id, remaining__gt=0)
        return sorted((_lot(row) for row in rows), key=Lot.order_key)

    def save_lots(self, lots: Iterable[Lot]) -> None:
        rows = [
            m.Lot(
                id=lot.id,
                account_id=lot.account,
                asset_id=lot.asset,
                amount=lot.amount,
                remaining=lot.remaining,
                created_at=lot.created_at,
                expires_at=lot.expires_at,
                expired_count=lot.expired_count,
            )
            for lot in lots
        ]
        if rows:
            m.Lot.objects.using(self.using).bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["id"],
                update_fields=["remaining", "expired_count"],
            )

    def get_reversed(self, ids: Iterable[str]) -> dict[str, int]:
        rows = m.ReversalTotal.objects.using(self.using).filter(transfer_id__in=list(ids))
        return {row.transfer_id: row.total for row in rows}

    def save_reversed(self, totals: dict[str, int]) -> None:
        rows = [m.ReversalTotal(transfer_id=tid, total=total) for tid, total in totals.items()]
        if rows:
            m.ReversalTotal.objects.using(self.using).bulk_create(
                rows, update_conflicts=True, unique_fields=["transfer"], update_fields=["total"]
            )

    # -- scheduled jobs (unlocked candidate queries; the engine re-reads under lock) --

    def due_holds(self, now: datetime, limit: int) -> list[Hold]:
        rows = m.Hold.objects.using(self.using).filter(
            status=HoldStatus.PENDING.value, expires_at__lte=now
        )
        return [_hold(row) for row in rows.order_by("expires_at", "id")[:limit]]

    def due_lots(self, now: datetime, limit: int) -> list[Lot]:
        rows = m.Lot.objects.using(self.using).filter(remaining__gt=0, expires_at__lte=now)
        return [_lot(row) for row in rows.order_by("expires_at", "created_at", "id")[:limit]]

    # -- reads for statements and invariant checks --

    def accounts_of(self, holder: str) -> list[Account]:
        rows = m.Account.objects.using(self.using).filter(holder=holder).order_by("id")
        return [_account(row) for row in rows]

    def history(self, account_id: str) -> list[Transfer]:
        rows = m.Transfer.objects.using(self.using).filter(
            Q(debit_account_id=account_id) | Q(credit_account_id=account_id)
        )
        return [_transfer(row) for row in rows.order_by("seq")]

    def all_assets(self) -> list[Asset]:
        return [_asset(row) for row in m.Asset.objects.using(self.using).order_by("code")]

    def all_accounts(self) -> list[Account]:
        return [_account(row) for row in m.Account.objects.using(self.using).order_by("id")]

    def all_transfers(self) -> list[Transfer]:
        return [_transfer(row) for row in m.Transfer.objects.using(self.using).order_by("seq")]

    def all_entries(self) -> list[Entry]:
        rows = m.Entry.objects.using(self.using).order_by("id")
        return [
            Entry(row.transfer_id, row.account_id, *(getattr(row, f) for f in _BALANCES))
            for row in rows
        ]

    def all_lots(self) -> list[Lot]:
        return [_lot(row) for row in m.Lot.objects.using(self.using).order_by("id")]

    def all_lot_moves(self) -> list[LotMove]:
        rows = m.LotMove.objects.using(self.using).order_by("id")
        return [LotMove(row.transfer_id, row.lot_id, row.amount) for row in rows]

    def all_holds(self) -> list[Hold]:
        return [_hold(row) for row in m.Hold.objects.using(self.using).order_by("id")]

    def all_reversed(self) -> dict[str, int]:
        return {
            row.transfer_id: row.total for row in m.ReversalTotal.objects.using(self.using).all()
        }


class DatabaseLedger(Ledger):
    """A ``Ledger`` on a ``DatabaseStore`` that retries a batch whose insert lost a race on a
    transfer's unique id (another worker applied the same id meanwhile): the retry answers
    ``exists`` or ``exists_with_different_fields``."""

    RETRIES = 3

    def __init__(
        self,
        store: DatabaseStore | None = None,
        clock: Callable[[], datetime] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(store or DatabaseStore(), clock, **kw)

    def submit(self, requests: Sequence[TransferRequest]) -> list[TransferResult]:
        for attempt in range(self.RETRIES):
            try:
                return super().submit(requests)
            except IntegrityError:
                if attempt == self.RETRIES - 1:
                    raise
        raise AssertionError("unreachable")


__all__ = ["DatabaseLedger", "DatabaseStore"]
