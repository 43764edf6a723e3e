"""Database triggers that make the ledger's history append-only for every database client.

PostgreSQL refuses UPDATE and DELETE on transfers, entries and lot moves (TRUNCATE, used by
the test harness to empty tables, fires no row triggers). SQLite refuses UPDATE only: the
test harness empties SQLite tables with DELETE between transactional tests, as it does for the
audit log (see ``nomadcloud/core/triggers.py``); the models refuse deletes on both.

SQLite rebuilds a table to alter one of its columns, which drops the table's triggers: a
migration that alters these tables must run ``install`` again (as 0006 does).
"""

from __future__ import annotations

from typing import Any

TABLES = ("points_transfer", "points_entry", "points_lotmove")

SQL: dict[str, list[str]] = {
    "sqlite": [
        f"""CREATE TRIGGER IF NOT EXISTS {t}_no_update BEFORE UPDATE ON {t}
            BEGIN SELECT RAISE(ABORT, 'points history is append-only'); END;"""
        for t in TABLES
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION points_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'points history is append-only'; END; $$ LANGUAGE plpgsql;""",
        *(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};" for t in TABLES),
        *(
            f"""CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t}
                FOR EACH ROW EXECUTE FUNCTION points_append_only();"""
            for t in TABLES
        ),
    ],
}
REVERSE: dict[str, list[str]] = {
    "sqlite": [f"DROP TRIGGER IF EXISTS {t}_no_update;" for t in TABLES],
    "postgresql": [
        *(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};" for t in TABLES),
        "DROP FUNCTION IF EXISTS points_append_only();",
    ],
}


def install(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in SQL.get(connection.vendor, []):
            cursor.execute(statement)


def remove(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in REVERSE.get(connection.vendor, []):
            cursor.execute(statement)
