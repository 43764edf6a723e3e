"""Money rewards of data pools (docs/datapools.md, "Contributor rewards"): the charter's share
of fees paid through the payouts app, split by largest remainder to the cent, once per
period, with each contributor's statement showing the payout's state."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, InvalidInput
from nomadcloud.datapools import rewards
from nomadcloud.datapools.models import DistributionRun, RewardLine
from nomadcloud.payouts.models import Commitment, Payout
from tests.builders import datapools as b
from tests.builders import payouts as pb
from tests.conftest import World, client_for
from tests.helpers import api_get, api_post, assert_error


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_split_by_largest_remainder_sums_exactly() -> None:
    parts = rewards.split_cents(Decimal("100.00"), {1: 1, 2: 1, 3: 1})
    assert parts == {1: Decimal("33.34"), 2: Decimal("33.33"), 3: Decimal("33.33")}
    parts = rewards.split_cents(Decimal("36.00"), {7: 28, 9: 16})
    assert sum(parts.values()) == Decimal("36.00") and parts[7] == Decimal("22.91")
    assert rewards.split_cents(Decimal("0.01"), {5: 3, 4: 3}) == {
        5: Decimal("0.00"),
        4: Decimal("0.01"),
    }
    assert rewards.split_cents(Decimal("10.00"), {}) == {}


def test_a_money_run_pays_the_share_of_fees_once_through_payouts(world: World) -> None:
    agreed = b.used_last_month(world)
    pool = agreed.pool
    budget = pb.budget(world.acme, "50.00", code="datapool-rewards")
    olivia = Principal.for_user(world.olivia)
    path = f"/api/v1/datapools/pools/{pool.public_id}/distributions"
    # Fees without a budget, a budget of someone else, more than the budget: nothing changes.
    missing = api_post(world.olivia, path, {"period": b.last_month(), "fees": "120.00"})
    assert_error(missing, "invalid_input", field="budget")
    other = pb.budget(world.globex, "500.00", code="globex-rewards")
    foreign = api_post(
        world.olivia,
        path,
        {"period": b.last_month(), "fees": "120.00", "budget": str(other.public_id)},
    )
    assert_error(foreign, "invalid_input", field="budget")
    with pytest.raises(Conflict) as exceeded:
        rewards.distribute(
            principal=olivia, pool=pool, period=b.last_month(), fees=Decimal("1000"), budget=budget
        )
    assert exceeded.value.code == "budget_exceeded"
    assert not DistributionRun.objects.filter(pool=pool).exists()
    # 30 % of 120.00 = 36.00 over Bob's 14 rows and Charlie's 8 (28 and 16 points' worth).
    made = api_post(
        world.olivia,
        path,
        {"period": b.last_month(), "fees": "120.00", "budget": str(budget.public_id)},
    )
    assert made.status_code == 201, made.content
    assert (made.json()["total_amount"], made.json()["total_points"]) == ("36.00", 44)
    lines = {line.contributor: line for line in RewardLine.objects.select_related("payout")}
    assert {u: line.amount for u, line in lines.items()} == {
        world.bob: Decimal("22.91"),
        world.charlie: Decimal("13.09"),
    }
    payout = lines[world.bob].payout
    assert payout is not None and payout.payee_id == str(world.bob.public_id)
    assert payout.status == Payout.Status.APPROVED
    commitment = Commitment.objects.get(subject_kind=rewards.SUBJECT_KIND)
    assert commitment.amount == Decimal("36.00") and commitment.remaining == 0
    budget.refresh_from_db()
    assert (budget.in_flight, budget.available) == (Decimal("36.00"), Decimal("14.00"))
    again = api_post(
        world.olivia,
        path,
        {"period": b.last_month(), "fees": "120.00", "budget": str(budget.public_id)},
    )
    assert_error(again, "already_distributed")
    assert Payout.objects.count() == 2
    # The statement: the amount and the payout's state (approved, not paid).
    statement = api_get(world.bob, "/api/v1/datapools/rewards").json()["items"]
    assert [(s["amount"], s["payout_status"]) for s in statement] == [("22.91", "approved")]
    page = client_for(world.bob, HTTP_ACCEPT_LANGUAGE="en").get("/datapools/mine/").content
    assert b"22.91" in page and b'data-testid="payout-status">Approved<' in page


def test_fees_under_a_charter_without_a_share_are_refused(world: World) -> None:
    from nomadcloud.datapools.models import Charter

    agreed = b.used_last_month(world)
    Charter.objects.filter(pool=agreed.pool).update(fee_share_percent=0)
    budget = pb.budget(world.acme, "50.00", code="datapool-noshare")
    with pytest.raises(InvalidInput) as refused:
        rewards.distribute(
            principal=Principal.for_user(world.olivia),
            pool=agreed.pool,
            period=b.last_month(),
            fees=Decimal("10.00"),
            budget=budget,
        )
    assert refused.value.fields["fees"]
