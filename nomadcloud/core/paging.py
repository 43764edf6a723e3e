"""A paginator for lists that grow without bound (the audit log: 5 million rows at ten times
the zone's size, benchmarks/scale): counting them exactly for "page n of N" costs a scan of
the whole table on every page view (about a second at 5 million rows), so above
``ESTIMATE_ABOVE`` rows an unfiltered list takes PostgreSQL's own estimate of the table's
size (``pg_class.reltuples``, kept by autovacuum and ANALYZE) instead.

The estimate may lag the table by the rows added since the last ANALYZE; so every page number
is accepted (a page past the estimate's end is served if it has rows), and a filtered list is
always counted exactly (filters make it small). SQLite and small tables count exactly."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connections
from django.db.models import QuerySet

ESTIMATE_ABOVE = 100_000

if TYPE_CHECKING:
    _Paginator = Paginator[Any]
else:
    _Paginator = Paginator


def table_size(queryset: QuerySet[Any]) -> tuple[int, bool] | None:
    """(rows, estimated) of the queryset's whole table on PostgreSQL, in one query: the
    planner's estimate when it is above ``ESTIMATE_ABOVE``, else an exact count. None on
    other databases."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT CASE WHEN c.reltuples > %s THEN c.reltuples::bigint
                            ELSE (SELECT count(*) FROM {table}) END,
                       c.reltuples > %s
                FROM pg_class c WHERE c.oid = %s::regclass""",  # noqa: S608 (a model's table)
            [ESTIMATE_ABOVE, ESTIMATE_ABOVE, queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return (int(row[0]), bool(row[1])) if row else None


class EstimatingPaginator(_Paginator):
    """``Paginator`` whose count of an unfiltered, large table is PostgreSQL's estimate."""

    def __init__(self, rows: QuerySet[Any], per_page: int, *, filtered: bool) -> None:
        super().__init__(rows, per_page)
        self.rows = rows
        self.filtered = filtered

    @cached_property
    def _size(self) -> tuple[int, bool]:
        size = None if self.filtered else table_size(self.rows)
        return size if size is not None else (self.rows.count(), False)

    @property
    def estimated(self) -> bool:
        return self._size[1]

    @cached_property
    def count(self) -> int:
        return self._size[0]

    def page(self, number: Any) -> Any:
        if not self.estimated:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page  # no clamping to an estimated end
        return Page(self.rows[bottom : bottom + self.per_page], number, self)

    def validate_number(self, number: Any) -> int:
        try:
            return int(super().validate_number(number))
        except EmptyPage:
            if not self.estimated:
                raise
            # Past the estimate's end: the rows added since the last ANALYZE may be there.
            value = int(number)
            if value < 1 or not self.rows[(value - 1) * self.per_page :].exists():
                raise
            return value
