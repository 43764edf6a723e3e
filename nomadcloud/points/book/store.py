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
table. Definitions, statements and invariant reads use the ORM.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connections, transaction
from django.db.models import Q

from nomadcloud.points import models as m
from nomadcloud.points.ledger import (
    Account,
    AccountFlags,
    Asset,
    Changes,
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


def _combine(bits: tuple[bool, bool, bool, bool]) -> AccountFlags:
    flags = AccountFlags.NONE
    for (flag, _column), on in zip(_FLAG_COLUMNS, bits, strict=True):
        if on:
            flags |= flag
    return flags


_FLAG_SETS = {
    bits: _combine(bits)
    for bits in (
        (a, b, c, d)
        for a in (False, True)
        for b in (False, True)
        for c in (False, True)
        for d in (False, True)
    )
}


def _flags(must_not_be_negative: Any, must_not_be_positive: Any, lots: Any, closed: Any) -> Any:
    """The flags of the four boolean columns (looked up: combining Flags is slow)."""
    return _FLAG_SETS[
        (bool(must_not_be_negative), bool(must_not_be_positive), bool(lots), bool(closed))
    ]


def _account(row: m.Account) -> Account:
    return Account(
        id=row.id,
        asset=row.asset_id,
        holder=row.holder,
        flags=_flags(
            row.debits_must_not_exceed_credits,
            row.credits_must_not_exceed_debits,
            row.lots,
            row.closed,
        ),
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


# ---- raw SQL of the transfer path ---------------------------------------------------------

_ACCOUNT_COLUMNS = (
    "id, asset_id, holder, system_role, debits_must_not_exceed_credits,"
    " credits_must_not_exceed_debits, lots, closed,"
    " debits_pending, debits_posted, credits_pending, credits_posted"
)
# PostgreSQL sends instants as text, parsed by ``datetime.fromisoformat`` (in C): Django's
# time zone loader for psycopg runs psycopg's parser in Python, several times slower.
_TRANSFER_COLUMNS = (
    "tid, kind, debit_account_id, credit_account_id, asset_id, amount, {timestamp}, request,"
    " pending_id, reverses, {expires_at}, lot_id, allocation, code, reference"
)
_HOLD_COLUMNS = (
    "id, debit_account_id, credit_account_id, asset_id, amount, {expires_at}, reservation,"
    " {lot_expires_at}, status, posted_amount, resolved_by"
)
_LOT_COLUMNS = (
    "id, account_id, asset_id, amount, remaining, {created_at}, {expires_at}, expired_count"
)
_INSTANTS = ("timestamp", "expires_at", "lot_expires_at", "created_at")
_READS = {
    # name: table, key column, columns, more conditions
    "accounts": ("points_account", "id", _ACCOUNT_COLUMNS, ""),
    "transfers": ("points_transfer", "tid", _TRANSFER_COLUMNS, ""),
    "holds": ("points_hold", "id", _HOLD_COLUMNS, ""),
    "lots": ("points_lot", "id", _LOT_COLUMNS, ""),
    "open_lots": ("points_lot", "account_id", _LOT_COLUMNS, " AND remaining > 0"),
    "reversed": ("points_reversaltotal", "transfer_id", "transfer_id, total", ""),
}
# Built from the constants above only (no input): no injection.
_PG_READS = {
    name: f"SELECT {columns.format(**{c: c + '::text' for c in _INSTANTS})}"  # noqa: S608
    f" FROM {table} WHERE {key} = ANY(%s::text[]){more}"
    for name, (table, key, columns, more) in _READS.items()
}
_PG_READS["lock"] = _PG_READS["accounts"] + ' ORDER BY id COLLATE "C" FOR UPDATE'
_SQLITE_READS = {
    name: f"SELECT {columns.format(**{c: c for c in _INSTANTS})}"  # noqa: S608
    f" FROM {table} WHERE {key} IN ({{in}}){more}"
    for name, (table, key, columns, more) in _READS.items()
}


_PG_GENERIC_PLANS = "SET LOCAL plan_cache_mode = force_generic_plan"


def _pg_array(values: Sequence[str]) -> str:
    """A ``text[]`` literal: cheaper to send than a list, which psycopg inspects element by
    element to choose the array's type."""
    return (
        "{"
        + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
        + "}"
    )


_cursors: weakref.WeakKeyDictionary[Any, list[Any]] = weakref.WeakKeyDictionary()


def _pg_cursors(raw: Any, n: int) -> list[Any]:
    """``n`` psycopg cursors (server-side binding) of the connection, made once and reused:
    making one costs more than a small query."""
    import psycopg

    found = _cursors.get(raw)
    if found is None:
        found = _cursors[raw] = []
    while len(found) < n:
        found.append(psycopg.Cursor(raw))
    return found[:n]


_SQLITE_IN_MAX = 32
"""Up to this many values, SQLite gets them as parameters (statements cached per count)."""


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _aware(value: Any) -> datetime | None:
    """A datetime column as read by a raw cursor: aware on PostgreSQL; on SQLite naive UTC
    (Django's converter) or its text."""
    if value is None:
        return None
    found: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


def _account_row(r: Sequence[Any]) -> Account:
    return Account(r[0], r[1], r[2], _flags(r[4], r[5], r[6], r[7]), r[3], r[8], r[9], r[10], r[11])


def _transfer_row(r: Sequence[Any]) -> Transfer:
    return Transfer(
        id=r[0],
        kind=Kind(r[1]),
        debit_account=r[2],
        credit_account=r[3],
        asset=r[4],
        amount=r[5],
        timestamp=_aware(r[6]),  # type: ignore[arg-type]
        request=request_from_json(_json(r[7])),
        pending_id=r[8],
        reverses=r[9],
        expires_at=_aware(r[10]),
        lot_id=r[11],
        allocation=_allocation(_json(r[12])),
        code=r[13],
        reference=r[14],
    )


def _hold_row(r: Sequence[Any]) -> Hold:
    return Hold(
        id=r[0],
        debit_account=r[1],
        credit_account=r[2],
        asset=r[3],
        amount=r[4],
        expires_at=_aware(r[5]),
        reservation=_allocation(_json(r[6])),
        lot_expires_at=_aware(r[7]),
        status=HoldStatus(r[8]),
        posted_amount=r[9],
        resolved_by=r[10],
    )


def _lot_row(r: Sequence[Any]) -> Lot:
    return Lot(r[0], r[1], r[2], r[3], r[4], _aware(r[5]), _aware(r[6]), r[7])  # type: ignore[arg-type]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _pg_params(changes: Changes) -> dict[str, list[Any]]:
    """The parameters of each part of ``_PG_PARTS`` that has rows: a JSON array of the rows
    (and, for updates, the keys again as an array, so the planner reads them by key)."""
    parts: dict[str, list[Any]] = {}
    if changes.transfers:
        parts["t"] = [
            json.dumps(
                [
                    (
                        t.id,
                        t.kind.value,
                        t.debit_account,
                        t.credit_account,
                        t.asset,
                        t.amount,
                        t.timestamp.isoformat(),
                        request_to_json(t.request),
                        t.pending_id,
                        t.reverses,
                        _iso(t.expires_at),
                        t.lot_id,
                        t.allocation,
                        t.code,
                        t.reference,
                    )
                    for t in changes.transfers
                ]
            )
        ]
    if changes.entries:
        parts["e"] = [
            json.dumps(
                [
                    (
                        e.transfer_id,
                        e.account,
                        e.debits_pending,
                        e.debits_posted,
                        e.credits_pending,
                        e.credits_posted,
                    )
                    for e in changes.entries
                ]
            )
        ]
    if changes.accounts:
        parts["a"] = [
            json.dumps(
                [
                    [a.id, a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted]
                    for a in changes.accounts
                ]
            ),
            _pg_array([a.id for a in changes.accounts]),
        ]
    # A lot's id is the id of the transfer that made it: new lots are those of this write's
    # transfers; the others are updated.
    created = {t.id for t in changes.transfers}
    new = [lot for lot in changes.lots if lot.id in created]
    changed = [lot for lot in changes.lots if lot.id not in created]
    if new:
        parts["l"] = [
            json.dumps(
                [
                    (
                        lot.id,
                        lot.account,
                        lot.asset,
                        lot.amount,
                        lot.remaining,
                        lot.created_at.isoformat(),
                        _iso(lot.expires_at),
                        lot.expired_count,
                    )
                    for lot in new
                ]
            )
        ]
    if changed:
        parts["lu"] = [
            json.dumps([[lot.id, lot.remaining, lot.expired_count] for lot in changed]),
            _pg_array([lot.id for lot in changed]),
        ]
    if changes.moves:
        parts["mv"] = [json.dumps([[mv.transfer_id, mv.lot_id, mv.amount] for mv in changes.moves])]
    if changes.holds:
        parts["h"] = [
            json.dumps(
                [
                    (
                        h.id,
                        h.debit_account,
                        h.credit_account,
                        h.asset,
                        h.amount,
                        _iso(h.expires_at),
                        h.reservation,
                        _iso(h.lot_expires_at),
                        h.status.value,
                        h.posted_amount,
                        h.resolved_by,
                    )
                    for h in changes.holds
                ]
            )
        ]
    if changes.reversed:
        parts["r"] = [json.dumps(list(changes.reversed.items()))]
    return parts


# PostgreSQL: the whole write in one statement of data-modifying CTEs, each reading its rows
# from a JSON array of positional rows (cheap to build, one parameter whatever the number of
# rows; ``jsonb`` so that each field is reached by offset, nested JSON kept as is). Only the
# tables that get rows take part — opening a table and its indexes costs even for no row —,
# so a block's write is one of a few statement texts, each prepared once per connection.
_PG_PARTS: dict[str, str] = {
    "t": """t AS (INSERT INTO points_transfer (tid, kind, debit_account_id, credit_account_id,
    asset_id, amount, timestamp, request, pending_id, reverses, expires_at, lot_id,
    allocation, code, reference)
  SELECT r->>0, r->>1, r->>2, r->>3, r->>4, (r->>5)::bigint, (r->>6)::timestamptz, r->7,
    r->>8, r->>9, (r->>10)::timestamptz, r->>11, r->12, r->>13, r->>14
  FROM jsonb_array_elements(%s::jsonb) AS r)""",
    "e": """e AS (INSERT INTO points_entry (transfer_tid, account_id, debits_pending,
    debits_posted, credits_pending, credits_posted)
  SELECT r->>0, r->>1, (r->>2)::bigint, (r->>3)::bigint, (r->>4)::bigint, (r->>5)::bigint
  FROM jsonb_array_elements(%s::jsonb) AS r)""",
    "a": """a AS (UPDATE points_account AS a SET debits_pending = (r->>1)::bigint,
    debits_posted = (r->>2)::bigint, credits_pending = (r->>3)::bigint,
    credits_posted = (r->>4)::bigint
  FROM jsonb_array_elements(%s::jsonb) AS r
  WHERE a.id = r->>0 AND a.id = ANY(%s::text[]))""",
    "l": """l AS (INSERT INTO points_lot (id, account_id, asset_id, amount, remaining, created_at,
    expires_at, expired_count)
  SELECT r->>0, r->>1, r->>2, (r->>3)::bigint, (r->>4)::bigint, (r->>5)::timestamptz,
    (r->>6)::timestamptz, (r->>7)::integer
  FROM jsonb_array_elements(%s::jsonb) AS r)""",
    "lu": """lu AS (UPDATE points_lot AS l SET remaining = (r->>1)::bigint,
    expired_count = (r->>2)::integer
  FROM jsonb_array_elements(%s::jsonb) AS r
  WHERE l.id = r->>0 AND l.id = ANY(%s::text[]))""",
    "mv": """mv AS (INSERT INTO points_lotmove (transfer_tid, lot_id, amount)
  SELECT r->>0, r->>1, (r->>2)::bigint FROM jsonb_array_elements(%s::jsonb) AS r)""",
    "h": """h AS (INSERT INTO points_hold (id, debit_account_id, credit_account_id, asset_id,
    amount, expires_at, reservation, lot_expires_at, status, posted_amount, resolved_by)
  SELECT r->>0, r->>1, r->>2, r->>3, (r->>4)::bigint, (r->>5)::timestamptz, r->6,
    (r->>7)::timestamptz, r->>8, (r->>9)::bigint, r->>10
  FROM jsonb_array_elements(%s::jsonb) AS r
  ON CONFLICT (id) DO UPDATE SET reservation = EXCLUDED.reservation, status = EXCLUDED.status,
    posted_amount = EXCLUDED.posted_amount, resolved_by = EXCLUDED.resolved_by)""",
    "r": """r AS (INSERT INTO points_reversaltotal (transfer_id, total)
  SELECT r->>0, (r->>1)::bigint FROM jsonb_array_elements(%s::jsonb) AS r
  ON CONFLICT (transfer_id) DO UPDATE SET total = EXCLUDED.total)""",
}
_PG_STATEMENTS: dict[tuple[str, ...], str] = {}


def _pg_write(changes: Changes) -> tuple[str, list[Any]]:
    parts = _pg_params(changes)
    present = tuple(parts)
    sql = _PG_STATEMENTS.get(present)
    if sql is None:
        sql = "WITH " + ",\n".join(_PG_PARTS[n] for n in present) + "\nSELECT 1"
        _PG_STATEMENTS[present] = sql
    return sql, [param for params in parts.values() for param in params]


# SQLite: one executemany per table.
_SQLITE_WRITES = {
    "transfers": """INSERT INTO points_transfer (tid, kind, debit_account_id,
        credit_account_id, asset_id, amount, timestamp, request, pending_id, reverses,
        expires_at, lot_id, allocation, code, reference)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
    "entries": """INSERT INTO points_entry (transfer_tid, account_id, debits_pending,
        debits_posted, credits_pending, credits_posted) VALUES (?, ?, ?, ?, ?, ?)""",
    "accounts": """UPDATE points_account SET debits_pending = ?2, debits_posted = ?3,
        credits_pending = ?4, credits_posted = ?5 WHERE id = ?1""",
    "lots": """INSERT INTO points_lot (id, account_id, asset_id, amount, remaining,
        created_at, expires_at, expired_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET remaining = excluded.remaining,
        expired_count = excluded.expired_count""",
    "moves": "INSERT INTO points_lotmove (transfer_tid, lot_id, amount) VALUES (?, ?, ?)",
    "holds": """INSERT INTO points_hold (id, debit_account_id, credit_account_id, asset_id,
        amount, expires_at, reservation, lot_expires_at, status, posted_amount, resolved_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET reservation = excluded.reservation,
        status = excluded.status, posted_amount = excluded.posted_amount,
        resolved_by = excluded.resolved_by""",
    "reversed": """INSERT INTO points_reversaltotal (transfer_id, total) VALUES (?, ?)
        ON CONFLICT (transfer_id) DO UPDATE SET total = excluded.total""",
}


def _sqlite_dt(value: datetime | None) -> str | None:
    """Django's SQLite format: naive UTC, ``YYYY-MM-DD HH:MM:SS[.ffffff]``."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _alloc_json(allocation: Allocation) -> str:
    return json.dumps(allocation)


def _sqlite_rows(changes: Changes) -> dict[str, list[tuple[Any, ...]]]:
    dt = _sqlite_dt
    return {
        "transfers": [
            (
                t.id,
                t.kind.value,
                t.debit_account,
                t.credit_account,
                t.asset,
                t.amount,
                dt(t.timestamp),
                json.dumps(request_to_json(t.request)),
                t.pending_id,
                t.reverses,
                dt(t.expires_at),
                t.lot_id,
                _alloc_json(t.allocation),
                t.code,
                t.reference,
            )
            for t in changes.transfers
        ],
        "entries": [
            (
                e.transfer_id,
                e.account,
                e.debits_pending,
                e.debits_posted,
                e.credits_pending,
                e.credits_posted,
            )
            for e in changes.entries
        ],
        "accounts": [
            (a.id, a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
            for a in changes.accounts
        ],
        "lots": [
            (
                lot.id,
                lot.account,
                lot.asset,
                lot.amount,
                lot.remaining,
                dt(lot.created_at),
                dt(lot.expires_at),
                lot.expired_count,
            )
            for lot in changes.lots
        ],
        "moves": [(mv.transfer_id, mv.lot_id, mv.amount) for mv in changes.moves],
        "holds": [
            (
                h.id,
                h.debit_account,
                h.credit_account,
                h.asset,
                h.amount,
                dt(h.expires_at),
                _alloc_json(h.reservation),
                dt(h.lot_expires_at),
                h.status.value,
                h.posted_amount,
                h.resolved_by,
            )
            for h in changes.holds
        ],
        "reversed": list(changes.reversed.items()),
    }


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
        """Rows of read ``name`` (``_READS``) for a list of keys: ``= ANY(%s)`` on PostgreSQL
        (prepared on the server); on SQLite ``IN (?, …)`` for a few keys, or
        ``IN (SELECT value FROM json_each(?))`` for many."""
        connection = connections[self.using]
        connection.ensure_connection()
        with connection.wrap_database_errors:
            if connection.vendor == "postgresql":
                (cursor,) = _pg_cursors(self._pg(connection), 1)
                cursor.execute(_PG_READS[name], (_pg_array(param),), prepare=True)
                found: list[Any] = cursor.fetchall()
                return found
            cursor = connection.connection.cursor()
            try:
                if len(param) <= _SQLITE_IN_MAX:
                    sql = _SQLITE_READS[name].replace("{in}", ", ".join("?" * len(param)))
                    found = cursor.execute(sql, param).fetchall()
                    return found
                sql = _SQLITE_READS[name].replace("{in}", "SELECT value FROM json_each(?)")
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
        return {r[0]: _account_row(r) for r in rows}

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
        *cursors, setting = _pg_cursors(raw, 4)
        with connection.wrap_database_errors:
            with raw.pipeline():
                # PostgreSQL re-plans a prepared statement on every execution when a plan for
                # its parameters looks cheaper than the generic plan, as it does for
                # ``= ANY(array)`` (the array's length is known): up to a third of the server's
                # time. Only this path's statements are prepared (Django never prepares), and
                # SET LOCAL ends with the transaction.
                setting.execute(_PG_GENERIC_PLANS)
                for (name, param), cursor in zip(queries, cursors, strict=True):
                    if param:
                        cursor.execute(_PG_READS[name], (_pg_array(param),), prepare=True)
            rows = [
                cursor.fetchall() if param else []
                for (_, param), cursor in zip(queries, cursors, strict=True)
            ]
        return (
            {r[0]: _account_row(r) for r in rows[0]},
            {r[0]: _transfer_row(r) for r in rows[1]},
            [_lot_row(r) for r in rows[2]],
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

    # -- history and state (the transfer path: raw SQL) --

    def get_transfers(self, ids: Iterable[str]) -> dict[str, Transfer]:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = self._query("transfers", wanted)
        return {r[0]: _transfer_row(r) for r in rows}

    def get_holds(self, ids: Iterable[str]) -> dict[str, Hold]:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = self._query("holds", wanted)
        return {r[0]: _hold_row(r) for r in rows}

    def get_lots(self, ids: Iterable[str]) -> dict[str, Lot]:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = self._query("lots", wanted)
        return {r[0]: _lot_row(r) for r in rows}

    def open_lots(self, account_id: str) -> list[Lot]:
        return sorted(self.open_lots_of([account_id]), key=Lot.order_key)

    def open_lots_of(self, account_ids: Iterable[str]) -> list[Lot]:
        wanted = list(account_ids)
        if not wanted:
            return []
        rows = self._query("open_lots", wanted)
        return [_lot_row(r) for r in rows]

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
            (cursor,) = _pg_cursors(self._pg(connection), 1)
            with connection.wrap_database_errors:
                cursor.execute(*_pg_write(changes), prepare=True)
            return
        with connection.wrap_database_errors:
            cursor = connection.connection.cursor()
            try:
                for name, rows in _sqlite_rows(changes).items():
                    if rows:
                        cursor.executemany(_SQLITE_WRITES[name], rows)
            finally:
                cursor.close()

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
