"""Bulk inserts with one ``executemany``, for the hot write paths (issuing proofs of work and
crediting their work units, benchmarks/proofs).

Django's ``bulk_create`` builds a model instance per row and, on PostgreSQL, sends every
column as an array to ``UNNEST``; quoting JSON documents and strings into those arrays cost
more than signing the credentials. Here each row is a tuple of field values, prepared by
its field as ``bulk_create`` would (``get_db_prep_save``), and psycopg pipelines the
statements. No ids come back: callers that need them read them by a unique key.

The fields prepare values with the connection object itself, not ``django.db.connection``:
that is a proxy which looks the connection up in a context-local store on every attribute
access, and the fields read ``connection.ops`` / ``features`` for each value (a tenth of
issuing's time, decision 0059).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model


def insert_rows(
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    prepared: bool = False,
    json_text: Collection[str] = (),
    constants: Mapping[str, Any] | None = None,
) -> None:
    """Insert ``rows`` into ``model``'s table: values in the order of ``fields`` (named by
    field; a foreign key takes the related row's id). ``prepared``: the values are already
    what the driver takes (integers, bytes), so the fields need not prepare them.
    ``json_text``: JSON fields whose values come as JSON text (e.g. the canonical JSON
    already written for a signature), stored as is. ``constants``: fields with the same value
    in every row (a timestamp of the whole batch, a default), prepared by their field once
    and added to each row."""
    connection = connections[DEFAULT_DB_ALIAS]  # the object, not the proxy (see above)
    meta = model._meta
    concrete = {f.name: f for f in meta.concrete_fields}
    columns: list[Field[Any, Any]] = [concrete[name] for name in (*fields, *(constants or {}))]
    quote = connection.ops.quote_name
    json_mark = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    marks = ", ".join(json_mark if f.name in json_text else "%s" for f in columns)
    names = ", ".join(quote(str(f.column)) for f in columns)
    # Quoted names from the model's meta; every value is a parameter.
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    rows = list(rows)
    if not prepared and rows:
        # Column by column: one field method looked up per column, not per value.
        columns_in = list(zip(*rows, strict=True))
        if len(columns_in) != len(fields):
            raise ValueError(f"rows of {len(columns_in)} values for {len(fields)} fields")
        prepared_columns = [
            values if f.name in json_text else [f.get_db_prep_save(v, connection) for v in values]
            for f, values in zip(columns, columns_in, strict=False)  # JSON text is stored as is
        ]
        rows = list(zip(*prepared_columns, strict=True))
    if constants:
        same = tuple(concrete[n].get_db_prep_save(v, connection) for n, v in constants.items())
        rows = [(*row, *same) for row in rows]
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one statement for all rows, where executemany runs one per row.
            copy_sql = f"COPY {quote(meta.db_table)} ({names}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(sql, rows)
