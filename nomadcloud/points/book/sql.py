"""The raw SQL of the ledger's transfer path, in its two dialects (see store.py, "Speed"):
the reads by key (``= ANY`` on PostgreSQL, ``IN`` on SQLite), the parsing of their rows, and
the write of one block — on PostgreSQL one statement of data-modifying CTEs, prepared on the
server; on SQLite one ``executemany`` per table."""

from __future__ import annotations

import json
import weakref
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from nomadcloud.points.book.rows import allocation_of, flags_of, request_from_json, request_to_json
from nomadcloud.points.ledger import (
    Account,
    Changes,
    Hold,
    HoldStatus,
    Kind,
    Lot,
    Transfer,
)
from nomadcloud.points.ledger.model import Allocation

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
READS = {
    # name: table, key column, columns, more conditions
    "accounts": ("points_account", "id", _ACCOUNT_COLUMNS, ""),
    "transfers": ("points_transfer", "tid", _TRANSFER_COLUMNS, ""),
    "holds": ("points_hold", "id", _HOLD_COLUMNS, ""),
    "lots": ("points_lot", "id", _LOT_COLUMNS, ""),
    "open_lots": ("points_lot", "account_id", _LOT_COLUMNS, " AND remaining > 0"),
    "reversed": ("points_reversaltotal", "transfer_id", "transfer_id, total", ""),
}
# Built from the constants above only (no input): no injection.
PG_READS = {
    name: f"SELECT {columns.format(**{c: c + '::text' for c in _INSTANTS})}"  # noqa: S608
    f" FROM {table} WHERE {key} = ANY(%s::text[]){more}"
    for name, (table, key, columns, more) in READS.items()
}
PG_READS["lock"] = PG_READS["accounts"] + ' ORDER BY id COLLATE "C" FOR UPDATE'
SQLITE_READS = {
    name: f"SELECT {columns.format(**{c: c for c in _INSTANTS})}"  # noqa: S608
    f" FROM {table} WHERE {key} IN ({{in}}){more}"
    for name, (table, key, columns, more) in READS.items()
}


PG_GENERIC_PLANS = "SET LOCAL plan_cache_mode = force_generic_plan"


def pg_array(values: Sequence[str]) -> str:
    """A ``text[]`` literal: cheaper to send than a list, which psycopg inspects element by
    element to choose the array's type."""
    return (
        "{"
        + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
        + "}"
    )


_cursors: weakref.WeakKeyDictionary[Any, list[Any]] = weakref.WeakKeyDictionary()


def pg_cursors(raw: Any, n: int) -> list[Any]:
    """``n`` psycopg cursors (server-side binding) of the connection, made once and reused:
    making one costs more than a small query."""
    import psycopg

    found = _cursors.get(raw)
    if found is None:
        found = _cursors[raw] = []
    while len(found) < n:
        found.append(psycopg.Cursor(raw))
    return found[:n]


SQLITE_IN_MAX = 32
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


def account_row(r: Sequence[Any]) -> Account:
    return Account(
        r[0], r[1], r[2], flags_of(r[4], r[5], r[6], r[7]), r[3], r[8], r[9], r[10], r[11]
    )


def transfer_row(r: Sequence[Any]) -> Transfer:
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
        allocation=allocation_of(_json(r[12])),
        code=r[13],
        reference=r[14],
    )


def hold_row(r: Sequence[Any]) -> Hold:
    return Hold(
        id=r[0],
        debit_account=r[1],
        credit_account=r[2],
        asset=r[3],
        amount=r[4],
        expires_at=_aware(r[5]),
        reservation=allocation_of(_json(r[6])),
        lot_expires_at=_aware(r[7]),
        status=HoldStatus(r[8]),
        posted_amount=r[9],
        resolved_by=r[10],
    )


def lot_row(r: Sequence[Any]) -> Lot:
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
            pg_array([a.id for a in changes.accounts]),
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
            pg_array([lot.id for lot in changed]),
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


def pg_write(changes: Changes) -> tuple[str, list[Any]]:
    parts = _pg_params(changes)
    present = tuple(parts)
    sql = _PG_STATEMENTS.get(present)
    if sql is None:
        sql = "WITH " + ",\n".join(_PG_PARTS[n] for n in present) + "\nSELECT 1"
        _PG_STATEMENTS[present] = sql
    return sql, [param for params in parts.values() for param in params]


# SQLite: one executemany per table.
SQLITE_WRITES = {
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


def sqlite_rows(changes: Changes) -> dict[str, list[tuple[Any, ...]]]:
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
