"""The committed rows of a test database, taken once and put back instead of building them
again (docs/decisions/0031-faster-tests.md).

The browser journeys run against a live server, so their data must be committed, and each
test's data is wiped afterwards (Django's ``TransactionTestCase`` flush). Seeding the demo
zone for every one of them was most of their time; instead the first journey of a process
seeds it and takes a snapshot, and each later one restores the snapshot into the emptied
database:

- SQLite (an in-memory test database): the whole database is copied with SQLite's online
  backup API, out into a private in-memory database and back again;
- PostgreSQL: every table Django flushes is copied out with ``COPY … TO STDOUT`` (binary)
  and back with ``COPY … FROM STDIN`` after emptying those tables together, with triggers
  and foreign-key checks off for that transaction (``session_replication_role = replica``,
  the test server's user is its superuser): the rows are put back exactly as they were.

Sequences are left where they are: they only move forward, so rows made after a restore
never reuse a restored key.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass
class Snapshot:
    vendor: str
    sqlite: sqlite3.Connection | None = None
    tables: dict[str, bytes] = field(default_factory=dict)
    # Read from another process's file (``load``): its keys are not this database's sequences'.
    loaded: bool = False


def _raw_sqlite(connection: BaseDatabaseWrapper) -> sqlite3.Connection:
    connection.ensure_connection()
    raw = connection.connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def take(connection: BaseDatabaseWrapper) -> Snapshot:
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        _raw_sqlite(connection).backup(copy)
        return Snapshot(vendor="sqlite", sqlite=copy)
    if connection.vendor != "postgresql":
        raise NotImplementedError(connection.vendor)
    quote = connection.ops.quote_name
    tables: dict[str, bytes] = {}
    names = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor
        for name in sorted(names):
            with raw.copy(f"COPY {quote(name)} TO STDOUT (FORMAT binary)") as copy:
                tables[name] = b"".join(bytes(block) for block in copy)
    return Snapshot(vendor="postgresql", tables=tables)


def restore(connection: BaseDatabaseWrapper, snapshot: Snapshot) -> None:
    """Put the snapshot's rows back, replacing whatever the tables hold (after a flush: only
    the reference rows the test harness restores)."""
    if snapshot.vendor != connection.vendor:
        raise ValueError(f"a {snapshot.vendor} snapshot for a {connection.vendor} database")
    if snapshot.sqlite is not None:
        snapshot.sqlite.backup(_raw_sqlite(connection))
        return
    quote = connection.ops.quote_name
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        raw: Any = cursor.cursor
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"TRUNCATE {', '.join(quote(name) for name in snapshot.tables)}")
        for name, data in snapshot.tables.items():
            with raw.copy(f"COPY {quote(name)} FROM STDIN (FORMAT binary)") as copy:
                copy.write(data)
    if snapshot.loaded:
        move_sequences_past(connection)


# ---- sharing a snapshot between the processes of one test run ------------------------------
#
# Each pytest-xdist worker seeded the demo zone itself, once per process (about half a minute
# of CPU each). A snapshot is written to a file named for the run (``PYTEST_XDIST_TESTRUNUID``,
# shared by the workers of one run and no other) and the other workers load it instead of
# seeding (decision 0060). A lock makes a worker wait for one that is seeding.


def save(snapshot: Snapshot, path: Path) -> None:
    """Write ``snapshot`` to ``path`` (atomically: a reader sees all of it or nothing)."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    if snapshot.sqlite is not None:
        target = sqlite3.connect(partial)
        try:
            snapshot.sqlite.backup(target)
        finally:
            target.close()
    else:
        partial.write_bytes(pickle.dumps(snapshot.tables, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(partial, path)


def load(path: Path, vendor: str) -> Snapshot:
    """A snapshot written by ``save`` (by this run: the file is trusted as the run's own)."""
    if vendor == "sqlite":
        source = sqlite3.connect(path)
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        try:
            source.backup(copy)
        finally:
            source.close()
        return Snapshot(vendor="sqlite", sqlite=copy, loaded=True)
    tables = pickle.loads(path.read_bytes())  # noqa: S301 (written by this test run)
    return Snapshot(vendor=vendor, tables=tables, loaded=True)


def move_sequences_past(connection: BaseDatabaseWrapper) -> None:
    """After restoring rows another process took, move every integer key's sequence past the
    highest key restored (never back), so that new rows do not collide with them. SQLite keeps
    its ``sqlite_sequence`` inside the copied database: nothing to do."""
    if connection.vendor != "postgresql":
        return
    from django.apps import apps

    quote = connection.ops.quote_name
    automatic = {"AutoField", "BigAutoField", "SmallAutoField"}
    parts = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        if model._meta.pk.get_internal_type() not in automatic:
            continue
        table, key = model._meta.db_table, str(model._meta.pk.column)
        # Names from the models, not from input.
        sequence = f"pg_get_serial_sequence('{quote(table)}', '{key}')"
        highest = f"(SELECT MAX({quote(key)}) FROM {quote(table)})"  # noqa: S608
        parts.append(f"setval({sequence}, GREATEST(nextval({sequence}), {highest}))")
    with connection.cursor() as cursor:
        for start in range(0, len(parts), 100):
            cursor.execute("SELECT " + ", ".join(parts[start : start + 100]))
