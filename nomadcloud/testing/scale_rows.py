"""Growing PostgreSQL tables by cloning their own rows on the server, for the whole-platform
load test (``benchmarks/scale``, issue 21 §5, decision 0054): one ``INSERT … SELECT … FROM
generate_series`` per table, primary keys from their sequences, unique text and uuid columns
made unique, a unique foreign key given to the parents that have none yet, so every clone is a
valid row of its table. Here (not in ``benchmarks/``) because its tests import it."""

from __future__ import annotations

from typing import Any

# Ten times the zone's size (issue 21 §5, design 11-scale.md §5.5), at --scale 1.
SPEC_ROWS = {
    "accounts_user": 200_000,
    "talent_profile": 200_000,
    "accounts_organisation": 20_000,
    "onecard_application": 500_000,
    "communities_booking": 100_000,
    # Stays (one per booking at most) and foreign guests' 24-hour registrations (one per
    # stay at most): the police's queue, GET /api/v1/communities/registrations. About one
    # guest in ten is foreign (an estimate; the demo's own share is about one in three).
    "communities_stay": 100_000,
    "communities_foreignregistration": 10_000,
    "core_auditevent": 5_000_000,
}
BULK_ROWS = 200_000  # inserts this big drop and rebuild the table's plain indexes


def _columns(cursor: Any, table: str) -> list[tuple[str, str, str | None, bool, int | None]]:
    """(name, data type, default, is identity or generated, character maximum length)."""
    cursor.execute(
        """SELECT column_name, data_type, column_default,
                  is_identity = 'YES' OR is_generated = 'ALWAYS', character_maximum_length
           FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position""",
        [table],
    )
    return list(cursor.fetchall())


def _unique_columns(cursor: Any, table: str) -> set[str]:
    """Columns that alone carry a unique index (primary key included)."""
    cursor.execute(
        """SELECT a.attname FROM pg_index i
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
           WHERE i.indrelid = %s::regclass AND i.indisunique AND i.indnatts = 1""",
        [table],
    )
    return {row[0] for row in cursor.fetchall()}


def _foreign_keys(cursor: Any, table: str) -> dict[str, tuple[str, str]]:
    cursor.execute(
        """SELECT kcu.column_name, ccu.table_name, ccu.column_name
           FROM information_schema.table_constraints tc
           JOIN information_schema.key_column_usage kcu
             ON kcu.constraint_name = tc.constraint_name AND kcu.table_name = tc.table_name
           JOIN information_schema.constraint_column_usage ccu
             ON ccu.constraint_name = tc.constraint_name
           WHERE tc.table_name = %s AND tc.constraint_type = 'FOREIGN KEY'""",
        [table],
    )
    return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


def grow(table: str, target: int) -> int:
    """Clone the table's rows until it holds ``target`` rows; the rows added."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our constant)
        have = cursor.fetchone()[0]
        if have == 0 or have >= target:
            return 0
        add = target - have
        columns = _columns(cursor, table)
        unique = _unique_columns(cursor, table)
        fks = _foreign_keys(cursor, table)
        names, values, joins = [], [], []
        for name, data_type, default, identity, length in columns:
            if identity or (default or "").startswith("nextval("):
                continue  # the key from its sequence
            names.append(f'"{name}"')
            if name not in unique:
                values.append(f't."{name}"')
            elif data_type == "uuid":
                values.append("gen_random_uuid()")
            elif data_type in ("character varying", "text"):
                keep = max((length or 200) - 12, 1)
                values.append(f"left(t.\"{name}\", {keep}) || '~' || g::text")
            elif name in fks:  # a unique foreign key: give it the parents that have none
                parent, key = fks[name]
                joins.append(
                    f"""JOIN (SELECT row_number() OVER () AS n, p."{key}" AS v
                          FROM {parent} AS p WHERE NOT EXISTS
                          (SELECT 1 FROM {table} AS x WHERE x."{name}" = p."{key}")) AS free_{name}
                        ON free_{name}.n = g"""  # noqa: S608 (catalogue names)
                )
                values.append(f"free_{name}.v")
            else:
                raise SystemExit(f"{table}.{name}: unique {data_type}, cannot be cloned")
        template = f"scale_tmpl_{table}"
        cursor.execute(f"DROP TABLE IF EXISTS {template}")
        cursor.execute(
            f"CREATE TEMP TABLE {template} AS"  # noqa: S608 (our constants)
            f" SELECT row_number() OVER () - 1 AS scale_n, * FROM {table} LIMIT 500"
        )
        cursor.execute(f"SELECT count(*) FROM {template}")  # noqa: S608
        templates = cursor.fetchone()[0]
        sql = (
            f"INSERT INTO {table} ({', '.join(names)})"  # noqa: S608 (our constants)
            f" SELECT {', '.join(values)} FROM generate_series(1, %s) AS g"
            f" JOIN {template} AS t ON t.scale_n = g %% {templates} {' '.join(joins)}"
            " ON CONFLICT DO NOTHING"
        )
        # Plain (non-unique) indexes are dropped for a big insert and built again after it:
        # one sort per index instead of millions of B-tree insertions (the audit log's seven
        # indexes). Unique indexes, constraints and the append-only triggers stay.
        dropped = _drop_plain_indexes(cursor, table) if add >= BULK_ROWS else []
        cursor.execute(sql, [add])
        added: int = cursor.rowcount
        if dropped:
            cursor.execute("SET maintenance_work_mem = '256MB'")
        for definition in dropped:
            cursor.execute(definition)
        cursor.execute(f"DROP TABLE {template}")
    return added


def _drop_plain_indexes(cursor: Any, table: str) -> list[str]:
    """Drop the table's indexes that back no constraint and are not unique; their
    definitions, to build them again."""
    cursor.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
           FROM pg_index i
           WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
        [table],
    )
    found = cursor.fetchall()
    for name, _definition in found:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in found]
