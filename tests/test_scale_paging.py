"""The audit log's paginator at ten times the zone's size (benchmarks/scale found a whole-table
count per page view): an unfiltered large table takes PostgreSQL's estimate, a filtered list
or a small table counts exactly, and pages past a stale estimate are still served."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import EmptyPage
from django.db import connection

from nomadcloud.core import paging

pytestmark = pytest.mark.django_db


def _rows() -> object:
    return ContentType.objects.order_by("id")


def test_a_small_or_filtered_list_is_counted_exactly() -> None:
    exact = ContentType.objects.count()
    assert paging.EstimatingPaginator(_rows(), 10, filtered=False).count == exact  # small
    with mock.patch.object(paging, "table_size", return_value=(10**7, True)):
        assert paging.EstimatingPaginator(_rows(), 10, filtered=True).count == exact


def test_a_large_table_takes_the_estimate_and_serves_pages_past_it() -> None:
    exact = ContentType.objects.count()
    assert exact > 20
    with mock.patch.object(paging, "table_size", return_value=(10, True)):  # stale, low
        paginator = paging.EstimatingPaginator(_rows(), 10, filtered=False)
        assert paginator.count == 10 and paginator.num_pages == 1
        assert [t.pk for t in paginator.page(2)] == [t.pk for t in _rows()[10:20]]
        with pytest.raises(EmptyPage):
            paginator.validate_number(exact // 10 + 2)  # no rows there


def test_the_estimate_is_postgresqls_own() -> None:
    exact = ContentType.objects.count()
    if connection.vendor != "postgresql":
        assert paging.table_size(ContentType.objects.all()) is None
        return
    assert paging.table_size(ContentType.objects.all()) == (exact, False)  # small: counted
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE django_content_type")
    with mock.patch.object(paging, "ESTIMATE_ABOVE", 0):
        estimate, estimated = paging.table_size(ContentType.objects.all()) or (0, False)
    assert estimated and abs(estimate - exact) <= 5
