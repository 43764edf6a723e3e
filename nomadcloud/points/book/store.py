"""``DatabaseStore``: the ledger core's ``Store`` protocol on the Django database.

Locking (the core's contract, docs/points.md):

- ``atomic()`` is ``transaction.atomic``: one transaction (a savepoint when nested).
- ``lock_accounts(ids)`` is called once per block with every account the block touches,
  sorted, and returns them. On PostgreSQL it reads them with ``SELECT … FOR UPDATE`` ordered by
  id in the "C" collation (byte order, the same as Python's ``sorted``), so blocks cannot
  deadlock. SQLite has no row locks: the project opens every transaction with
  ``BEGIN IMMEDIATE`` (``dbconfig.py``), which takes the database's write lock first, so
  writers are serialised; the accounts are simply read.
- Lots, holds and reversal totals are only written under their accounts' locks; transfers,
  entries and lot moves are insert-only. A racing retry of the same client id on other
  accounts hits the unique key of ``Transfer.tid``: ``DatabaseLedger.submit`` retries the
  block, which then answers ``exists`` (or ``exists_with_different_fields``).
- The engine writes only what whole chains changed, once per block (``write``).

Speed (docs/points.md, "Ledger performance / stress"): the transfer path does not go through
the ORM. It runs a handful of SQL statements per block whatever its size — lock and read the
accounts; read the transfers, holds, lots and reversal totals the requests need, each kind in
one query; and one write. On PostgreSQL the write is a single statement (data-modifying CTEs
over ``unnest`` of arrays: insert transfers, entries, lot moves; update balances; upsert lots,
holds, reversal totals), prepared on the server; on SQLite it is one ``executemany`` per
table (the statements and the parsing of their rows: sql.py; the conversions of ORM rows:
rows.py). Definitions, statements and invariant reads use the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DataError, IntegrityError, connections, transaction
from django.db.models import Q

from nomadcloud.points import models as m
from nomadcloud.points.book.function import CALL as TRANSFER_ONE
from nomadcloud.points.book.rows import (
    BALANCES,
    FLAG_COLUMNS,
    account_of,
    allocation_of,
    asset_of,
    hold_of,
    lot_of,
    request_to_json,
    transfer_of,
)
from nomadcloud.points.book.sql import (
    PG_GENERIC_PLANS,
    PG_READS,
    SQLITE_IN_MAX,
    SQLITE_READS,
    SQLITE_WRITES,
    account_row,
    hold_row,
    lot_row,
    pg_array,
    pg_cursors,
    pg_write,
    sqlite_rows,
    transfer_row,
)
from nomadcloud.points.ledger import (
    Account,
    Asset,
    Changes,
    Entry,
    Hold,
    HoldStatus,
    Kind,
    Ledger,
    Lot,
    LotMove,
    Status,
    Transfer,
    TransferRequest,
    TransferResult,
)
from nomadcloud.points.ledger.engine import ID_PATTERN
from nomadcloud.points.ledger.model import MAX_INT64

# ---- the store --------------------------------------------------------------------------


class DatabaseStore:
    """The ledger's ``Store`` on a Django database alias (see the module docstring)."""

    def __init__(self, using: str = "default") -> None:
        self.using = using
        self._assets: dict[str, Asset] = {}

    @property
    def vendor(self) -> str:
        return str(connections[self.using].vendor)

    # -- raw SQL --

    @staticmethod
    def _pg(connection: Any) -> Any:
        """The connection's psycopg connection, with explicit server-side prepared statements
        allowed. Django turns them off (``prepare_threshold=None``); a threshold this high
        prepares only what is executed with ``prepare=True`` — the transfer path's statements —
        and nothing else (Django's own cursors bind on the client and never prepare)."""
        connection.ensure_connection()
        raw = connection.connection
        if raw.prepare_threshold is None:
            raw.prepare_threshold = 2**31 - 1
        return raw

    def _query(self, name: str, param: list[str]) -> list[Any]:
        """Rows of read ``name`` (``READS``) for a list of keys: ``= ANY(%s)`` on PostgreSQL
        (prepared on the server); on SQLite ``IN (?, …)`` for a few keys, or
        ``IN (SELECT value FROM json_each(?))`` for many."""
        connection = connections[self.using]
        connection.ensure_connection()
        with connection.wrap_database_errors:
            if connection.vendor == "postgresql":
                (cursor,) = pg_cursors(self._pg(connection), 1)
                cursor.execute(PG_READS[name], (pg_array(param),), prepare=True)
                found: list[Any] = cursor.fetchall()
                return found
            cursor = connection.connection.cursor()
            try:
                if len(param) <= SQLITE_IN_MAX:
                    sql = SQLITE_READS[name].replace("{in}", ", ".join("?" * len(param)))
                    found = cursor.execute(sql, param).fetchall()
                    return found
                sql = SQLITE_READS[name].replace("{in}", "SELECT value FROM json_each(?)")
                found = cursor.execute(sql, (json.dumps(param),)).fetchall()
                return found
            finally:
                cursor.close()

    # -- transactions and locks --

    @contextmanager
    def atomic(self) -> Iterator[None]:
        with transaction.atomic(using=self.using):
            yield

    def lock_accounts(self, ids: Sequence[str]) -> dict[str, Account]:
        if not ids:
            return {}
        wanted = list(ids)
        if self.vendor == "sqlite":
            options = connections[self.using].settings_dict.get("OPTIONS", {})
            if options.get("transaction_mode") != "IMMEDIATE":
                raise ImproperlyConfigured("the points ledger needs SQLite IMMEDIATE transactions")
            # BEGIN IMMEDIATE already holds the database's write lock: read them.
            rows = self._query("accounts", wanted)
        else:
            rows = self._query("lock", wanted)
        return {r[0]: account_row(r) for r in rows}

    def lock_and_load(
        self, ids: Sequence[str], transfer_ids: Sequence[str], lots_of: Sequence[str]
    ) -> tuple[dict[str, Account], dict[str, Transfer], list[Lot]]:
        connection = connections[self.using]
        if connection.vendor != "postgresql":
            return (
                self.lock_accounts(ids),
                self.get_transfers(transfer_ids),
                self.open_lots_of(lots_of),
            )
        # One round trip (psycopg's pipeline mode): BEGIN if due, the locks, then the two
        # reads. Each statement takes its snapshot when it starts (READ COMMITTED), so the
        # reads see everything committed before the locks were granted.
        raw = self._pg(connection)
        queries = [("lock", ids), ("transfers", transfer_ids), ("open_lots", lots_of)]
        *cursors, setting = pg_cursors(raw, 4)
        with connection.wrap_database_errors:
            with raw.pipeline():
                # PostgreSQL re-plans a prepared statement on every execution when a plan for
                # its parameters looks cheaper than the generic plan, as it does for
                # ``= ANY(array)`` (the array's length is known): up to a third of the server's
                # time. Only this path's statements are prepared (Django never prepares), and
                # SET LOCAL ends with the transaction.
                setting.execute(PG_GENERIC_PLANS)
                for (name, param), cursor in zip(queries, cursors, strict=True):
                    if param:
                        cursor.execute(PG_READS[name], (pg_array(param),), prepare=True)
            rows = [
                cursor.fetchall() if param else []
                for (_, param), cursor in zip(queries, cursors, strict=True)
            ]
        return (
            {r[0]: account_row(r) for r in rows[0]},
            {r[0]: transfer_row(r) for r in rows[1]},
            [lot_row(r) for r in rows[2]],
        )

    # -- definitions --

    def get_asset(self, code: str) -> Asset | None:
        if code in self._assets:
            return self._assets[code]
        row = m.Asset.objects.using(self.using).filter(code=code).first()
        if row is None:
            return None
        self._assets[code] = asset = asset_of(row)  # assets never change: cache
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
        return {row.id: account_of(row) for row in rows}

    def insert_account(self, account: Account) -> None:
        m.Account.objects.using(self.using).create(
            id=account.id,
            asset_id=account.asset,
            holder=account.holder,
            system_role=account.system_role,
            **{column: account.has(flag) for flag, column in FLAG_COLUMNS},
            **{f: getattr(account, f) for f in BALANCES},
        )

    # -- history and state (the transfer path: raw SQL) --

    def get_transfers(self, ids: Iterable[str]) -> dict[str, Transfer]:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = self._query("transfers", wanted)
        return {r[0]: transfer_row(r) for r in rows}

    def get_holds(self, ids: Iterable[str]) -> dict[str, Hold]:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = self._query("holds", wanted)
        return {r[0]: hold_row(r) for r in rows}

    def get_lots(self, ids: Iterable[str]) -> dict[str, Lot]:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = self._query("lots", wanted)
        return {r[0]: lot_row(r) for r in rows}

    def open_lots(self, account_id: str) -> list[Lot]:
        return sorted(self.open_lots_of([account_id]), key=Lot.order_key)

    def open_lots_of(self, account_ids: Iterable[str]) -> list[Lot]:
        wanted = list(account_ids)
        if not wanted:
            return []
        rows = self._query("open_lots", wanted)
        return [lot_row(r) for r in rows]

    def get_reversed(self, ids: Iterable[str]) -> dict[str, int]:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = self._query("reversed", wanted)
        return {r[0]: r[1] for r in rows}

    def write(self, changes: Changes) -> None:
        connection = connections[self.using]
        connection.ensure_connection()
        if connection.vendor == "postgresql":
            (cursor,) = pg_cursors(self._pg(connection), 1)
            with connection.wrap_database_errors:
                cursor.execute(*pg_write(changes), prepare=True)
            return
        with connection.wrap_database_errors:
            cursor = connection.connection.cursor()
            try:
                for name, rows in sqlite_rows(changes).items():
                    if rows:
                        cursor.executemany(SQLITE_WRITES[name], rows)
            finally:
                cursor.close()

    # -- scheduled jobs (unlocked candidate queries; the engine re-reads under lock) --

    def due_holds(self, now: datetime, limit: int) -> list[Hold]:
        rows = m.Hold.objects.using(self.using).filter(
            status=HoldStatus.PENDING.value, expires_at__lte=now
        )
        return [hold_of(row) for row in rows.order_by("expires_at", "id")[:limit]]

    def due_lots(self, now: datetime, limit: int) -> list[Lot]:
        rows = m.Lot.objects.using(self.using).filter(remaining__gt=0, expires_at__lte=now)
        return [lot_of(row) for row in rows.order_by("expires_at", "created_at", "id")[:limit]]

    # -- reads for statements and invariant checks --

    def accounts_of(self, holder: str) -> list[Account]:
        rows = m.Account.objects.using(self.using).filter(holder=holder).order_by("id")
        return [account_of(row) for row in rows]

    def history(self, account_id: str) -> list[Transfer]:
        rows = m.Transfer.objects.using(self.using).filter(
            Q(debit_account_id=account_id) | Q(credit_account_id=account_id)
        )
        return [transfer_of(row) for row in rows.order_by("seq")]

    def all_assets(self) -> list[Asset]:
        return [asset_of(row) for row in m.Asset.objects.using(self.using).order_by("code")]

    def all_accounts(self) -> list[Account]:
        return [account_of(row) for row in m.Account.objects.using(self.using).order_by("id")]

    def all_transfers(self) -> list[Transfer]:
        return [transfer_of(row) for row in m.Transfer.objects.using(self.using).order_by("seq")]

    def all_entries(self) -> list[Entry]:
        rows = m.Entry.objects.using(self.using).order_by("id")
        return [
            Entry(row.transfer_id, row.account_id, *(getattr(row, f) for f in BALANCES))
            for row in rows
        ]

    def all_lots(self) -> list[Lot]:
        return [lot_of(row) for row in m.Lot.objects.using(self.using).order_by("id")]

    def all_lot_moves(self) -> list[LotMove]:
        rows = m.LotMove.objects.using(self.using).order_by("id")
        return [LotMove(row.transfer_id, row.lot_id, row.amount) for row in rows]

    def all_holds(self) -> list[Hold]:
        return [hold_of(row) for row in m.Hold.objects.using(self.using).order_by("id")]

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
        self.db_store = store or DatabaseStore()
        super().__init__(self.db_store, clock, **kw)

    def submit(self, requests: Sequence[TransferRequest]) -> list[TransferResult]:
        if len(requests) == 1 and self.db_store.vendor == "postgresql":
            fast = self._transfer_one(requests[0])
            if fast is not None:
                return [fast]
        for attempt in range(self.RETRIES):
            try:
                return super().submit(requests)
            except IntegrityError:
                if attempt == self.RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _transfer_one(self, r: TransferRequest) -> TransferResult | None:
        """A plain transfer on PostgreSQL in one call of ``points_transfer_one``
        (``book/function.py``): the result when it was created, ``None`` when the function
        left it to the Python core (a refusal, an existing id, a lost race) or the request is
        not a plain transfer the function decides."""
        amount = r.amount
        if (
            r.kind is not Kind.TRANSFER
            or r.linked
            or r.pending_id != ""
            or r.reverses != ""
            or r.timeout != 0
            or type(amount) is not int
            or not 0 < amount <= MAX_INT64
            or not all(type(v) is str for v in (r.id, r.debit_account, r.credit_account, r.asset))
            or not all(type(v) is str for v in (r.code, r.reference))
            or not ID_PATTERN.fullmatch(r.id)
            or not r.debit_account
            or not r.credit_account
        ):
            return None
        last = self._last
        ts = self._tick()
        found = self._call_transfer_one(r, amount, ts)
        if found is None:
            self._last = last  # the core ticks again: the same instant it would have had
        return found

    def _call_transfer_one(
        self, r: TransferRequest, amount: int, ts: datetime
    ) -> TransferResult | None:
        expires = r.lot_expires_at
        if expires is not None and (
            not isinstance(expires, datetime) or expires.tzinfo is None or expires <= ts
        ):
            return None
        connection = connections[self.db_store.using]
        connection.ensure_connection()
        (cursor,) = pg_cursors(DatabaseStore._pg(connection), 1)
        params = (
            r.id,
            r.debit_account,
            r.credit_account,
            amount,
            r.asset,
            ts,
            expires,
            json.dumps(request_to_json(r)),
            r.code,
            r.reference,
        )
        try:
            with connection.wrap_database_errors:
                if connection.in_atomic_block:
                    with transaction.atomic(using=self.db_store.using):  # a savepoint
                        cursor.execute(TRANSFER_ONE, params, prepare=True)
                        row = cursor.fetchone()
                else:
                    cursor.execute(TRANSFER_ONE, params, prepare=True)
                    row = cursor.fetchone()
        except (IntegrityError, DataError):
            return None  # a racing retry of the id: the core answers ``exists``
        if row is None or row[0] is None:
            return None
        asset, lot_id, allocation = row[0]
        transfer = Transfer(
            id=r.id,
            kind=Kind.TRANSFER,
            debit_account=r.debit_account,
            credit_account=r.credit_account,
            asset=asset,
            amount=amount,
            timestamp=ts,
            request=r,
            lot_id=lot_id,
            allocation=allocation_of(json.loads(allocation)),
            code=r.code,
            reference=r.reference,
        )
        return TransferResult(r.id, Status.CREATED, transfer=transfer)


__all__ = ["DatabaseLedger", "DatabaseStore"]
