"""Monthly partitions for append-only tables on PostgreSQL (docs/operations.md, "Monthly
partitions"): the audit log first, then any table with a creation time that only grows.

``convert(table)`` turns a plain table into one partitioned by month on its time column, in
one transaction: the old table is renamed, a partitioned twin is created with the same
columns, defaults, checks and identity, the rows are copied into monthly partitions, and the
indexes, foreign keys and triggers (the append-only ones included: a trigger on a
partitioned table applies to every partition, present and future) are created again under
their old names. The primary key becomes (id, time), as PostgreSQL requires the partition
key in it. ``ensure(table)`` creates the coming months' partitions; the scheduler runs it
daily, so rows never land in the DEFAULT partition, which only catches stray times.

Nothing here runs on SQLite (one host, no partitions): the functions answer ``[]``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

# Append-only tables that grow with use, and their time column.
TABLES = {"core_auditevent": "created_at"}

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _quoted(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not a plain table or column name: {name!r}")
    return f'"{name}"'


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1)


def partition_name(table: str, first: dt.date) -> str:
    return f"{table}_p{first:%Y%m}"


def is_partitioned(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
    return bool(row and row[0] == "p")


def partitions(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname",
            [table],
        )
        return [row[0] for row in cursor.fetchall()]


def ensure(
    table: str, column: str, *, months_ahead: int = 3, today: dt.date | None = None
) -> list[str]:
    """Create this month's and the next ``months_ahead`` months' partitions (and the
    DEFAULT one) if missing; the names created."""
    if connection.vendor != "postgresql" or not is_partitioned(table):
        return []
    first = _month(today or timezone.localdate())
    return _create_partitions(table, first, months_ahead)


def _create_partitions(table: str, first: dt.date, months: int) -> list[str]:
    existing = set(partitions(table))
    created = []
    with connection.cursor() as cursor:
        month = first
        for _ in range(months + 1):
            name = partition_name(table, month)
            if name not in existing:
                cursor.execute(
                    f"CREATE TABLE {_quoted(name)} PARTITION OF {_quoted(table)}"
                    " FOR VALUES FROM (%s) TO (%s)",
                    [_start(month), _start(_next_month(month))],
                )
                created.append(name)
            month = _next_month(month)
        default = f"{table}_default"
        if default not in existing:
            cursor.execute(f"CREATE TABLE {_quoted(default)} PARTITION OF {_quoted(table)} DEFAULT")
            created.append(default)
    return created


def _start(first: dt.date) -> dt.datetime:
    return dt.datetime(first.year, first.month, 1, tzinfo=dt.UTC)


def convert(table: str, column: str, *, months_ahead: int = 3) -> list[str]:
    """Turn ``table`` into a table partitioned by month on ``column`` (no-op if it already
    is); the partitions created. Refuses a table that other tables refer to."""
    if connection.vendor != "postgresql" or is_partitioned(table):
        return []
    t, col, old = _quoted(table), _quoted(column), _quoted(f"{table}__unpartitioned")
    with transaction.atomic(), connection.cursor() as cursor:
        # Deferred foreign-key checks still pending would forbid the ALTER TABLE below.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT count(*) FROM pg_constraint"
            " WHERE contype = 'f' AND confrelid = to_regclass(%s)",
            [table],
        )
        if cursor.fetchone()[0]:
            raise ValueError(f"{table} is referenced by foreign keys: it cannot be partitioned")
        cursor.execute(
            "SELECT indexdef FROM pg_indexes i JOIN pg_index x ON x.indexrelid = to_regclass("
            "quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))"
            " WHERE i.tablename = %s AND NOT x.indisprimary",
            [table],
        )
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype IN ('f', 'u') AND conrelid = to_regclass(%s)",
            [table],
        )
        constraints: list[Any] = cursor.fetchall()
        cursor.execute(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger"
            " WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal",
            [table],
        )
        triggers = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT min({col}), max(id) FROM {t}")  # noqa: S608 (names checked)
        oldest, last_id = cursor.fetchone()

        cursor.execute(f"ALTER TABLE {t} RENAME TO {old}")
        cursor.execute(
            f"CREATE TABLE {t} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS"
            f" INCLUDING IDENTITY INCLUDING GENERATED) PARTITION BY RANGE ({col})"
        )
        cursor.execute(f"ALTER TABLE {t} ADD PRIMARY KEY (id, {col})")
        today = timezone.localdate()
        first = _month(oldest.date() if oldest else today)
        span = (today.year - first.year) * 12 + today.month - first.month + months_ahead
        created = _create_partitions(table, first, span)
        cursor.execute(f"INSERT INTO {t} OVERRIDING SYSTEM VALUE SELECT * FROM {old}")  # noqa: S608
        cursor.execute(f"DROP TABLE {old}")
        if last_id is not None:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, last_id])
        for statement in indexes:
            cursor.execute(statement)
        for name, definition in constraints:
            if definition.startswith("UNIQUE") and column not in definition:
                raise ValueError(f"{table}: unique constraint {name} lacks {column}")
            cursor.execute(f"ALTER TABLE {t} ADD CONSTRAINT {_quoted(name)} {definition}")
        for statement in triggers:
            cursor.execute(statement)
    return created
