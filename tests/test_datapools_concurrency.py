"""Two distribution runs of one pool and period at once pay once (issue 20, "Concurrency on
PostgreSQL"): the pool row is locked while a run is written and a unique constraint on
(pool, period) backs the lock. Real parallel API requests on PostgreSQL
(``NOMADCLOUD_TEST_DB=postgres``), each thread with its own connection, released together."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.db.models import Sum

from nomadcloud.datapools.models import DistributionRun, RewardLine
from nomadcloud.payouts.models import Commitment, Payout
from nomadcloud.points import models as pm
from nomadcloud.points.merchants.services.payments import balance
from tests.builders import datapools as b
from tests.builders import payouts as pb
from tests.conftest import World, client_for
from tests.helpers import api_post, assert_error, in_parallel

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
THREADS = 4


@pytest.mark.skipif(
    not ON_POSTGRESQL, reason="real parallel requests need PostgreSQL (NOMADCLOUD_TEST_DB=postgres)"
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("money", [False, True], ids=["points", "points-and-money"])
def test_parallel_distribution_runs_of_one_period_pay_once(world: World, money: bool) -> None:
    agreed = b.used_last_month(world)
    path = f"/api/v1/datapools/pools/{agreed.pool.public_id}/distributions"
    body: dict[str, str] = {"period": b.last_month()}
    if money:
        budget = pb.budget(world.acme, "100.00", code="datapool-rewards")
        body |= {"fees": "120.00", "budget": str(budget.public_id)}
    clients = [client_for(world.olivia) for _ in range(THREADS)]
    answers = in_parallel(THREADS, lambda i: api_post(clients[i], path, body))
    created = [a for a in answers if a.status_code == 201]
    assert len(created) == 1, [(a.status_code, a.content[:200]) for a in answers]
    for other in answers:
        if other.status_code != 201:
            assert_error(other, "already_distributed")
    assert DistributionRun.objects.count() == 1
    assert RewardLine.objects.count() == 2
    assert balance(world.bob, pm.Asset.objects.get(code="ZP")) == 28
    if money:  # 30 % of the fees, committed and approved once
        assert Commitment.objects.count() == 1
        assert Payout.objects.aggregate(total=Sum("amount"))["total"] == Decimal("36.00")
        budget.refresh_from_db()
        assert budget.available == Decimal("64.00")
