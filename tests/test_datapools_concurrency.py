"""Two distribution runs of one pool and period at once pay once (issue 20, "Concurrency on
PostgreSQL"): the pool row is locked while a run is written and a unique constraint on
(pool, period) backs the lock. Real parallel API requests on PostgreSQL
(``NOMADCLOUD_TEST_DB=postgres``), each thread with its own connection, released together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from nomadcloud.datapools.models import DistributionRun, RewardLine
from nomadcloud.points import models as pm
from nomadcloud.points.merchants.services.payments import balance
from tests.builders import datapools as b
from tests.conftest import World, client_for
from tests.helpers import api_post, assert_error

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
THREADS = 4


def _in_parallel(n: int, send: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(n)
    answers: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            answers[i] = send(i)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return answers


@pytest.mark.skipif(
    not ON_POSTGRESQL, reason="real parallel requests need PostgreSQL (NOMADCLOUD_TEST_DB=postgres)"
)
@pytest.mark.django_db(transaction=True)
def test_parallel_distribution_runs_of_one_period_pay_once(world: World) -> None:
    agreed = b.used_last_month(world)
    path = f"/api/v1/datapools/pools/{agreed.pool.public_id}/distributions"
    clients = [client_for(world.olivia) for _ in range(THREADS)]
    answers = _in_parallel(
        THREADS, lambda i: api_post(clients[i], path, {"period": b.last_month()})
    )
    created = [a for a in answers if a.status_code == 201]
    assert len(created) == 1, [(a.status_code, a.content[:200]) for a in answers]
    for other in answers:
        if other.status_code != 201:
            assert_error(other, "already_distributed")
    assert DistributionRun.objects.count() == 1
    assert RewardLine.objects.count() == 2
    assert balance(world.bob, pm.Asset.objects.get(code="ZP")) == 28
