"""Access to a pool's data (docs/datapools.md): requests checked against the charter with
the failed constraint named, the negotiation's moves by side, timeouts that always end with a
reason, the ODRL agreement, and k-anonymous aggregates computed by DuckDB over the version's
Parquet file, every use logged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput
from nomadcloud.datapools import aggregates, negotiation
from nomadcloud.datapools.models import Negotiation, UsageEvent
from tests.builders import datapools as b
from tests.builders.world import verify_org
from tests.conftest import World
from tests.helpers import api_post, assert_error


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("change", "field", "named"),
    [
        ({"purpose": "dpv:FraudPreventionAndDetection"}, "purpose", "'purpose' isA"),
        ({"access_mode": "download"}, "access_mode", "'accessMode' isAnyOf"),
        ({"duration_days": 400}, "duration_days", "'elapsedTime' lteq P365D"),
        ({"spatial": "DE"}, "spatial", "'spatial' eq 'CN'"),
    ],
)
def test_a_request_outside_the_charter_names_the_failed_constraint(
    world: World, change: dict[str, object], field: str, named: str
) -> None:
    pool = b.busy_pool(world)
    verify_org(world.globex)
    terms = {
        "purpose": "dpv:ResearchAndDevelopment",
        "access_mode": "aggregate",
        "duration_days": 90,
        "spatial": "CN",
        **change,
    }
    with pytest.raises(InvalidInput) as caught:
        negotiation.request_access(
            principal=Principal.for_user(world.charlie),
            pool=pool,
            consumer=world.globex,
            **terms,  # type: ignore[arg-type]
        )
    assert caught.value.code == "constraint_failed"
    assert named in caught.value.fields[field][0]
    assert not Negotiation.objects.exists()


def test_an_unverified_enterprise_is_refused(world: World) -> None:
    """Acme (the steward itself here) has not been verified in the test world."""
    with pytest.raises(InvalidInput) as caught:
        negotiation.request_access(
            principal=Principal.for_user(world.olivia),
            pool=b.busy_pool(world),
            consumer=world.acme,
            purpose="dpv:ResearchAndDevelopment",
            access_mode="aggregate",
            duration_days=30,
        )
    assert "'assignee' isA verified organisation" in caught.value.fields["consumer"][0]


def test_counter_offer_accept_and_the_agreement(world: World) -> None:
    made = b.negotiation(world)
    olivia, charlie = Principal.for_user(world.olivia), Principal.for_user(world.charlie)
    with pytest.raises(Forbidden) as caught:
        negotiation.move(principal=charlie, negotiation=made, action="agree")
    assert caught.value.code == "steward_only"
    with pytest.raises(InvalidInput):
        negotiation.move(principal=olivia, negotiation=made, action="offer", duration_days=120)
    offered = negotiation.move(principal=olivia, negotiation=made, action="offer", duration_days=30)
    assert offered.state == "offered" and offered.policy["@type"] == "Offer"
    with pytest.raises(Forbidden) as consumer:
        negotiation.move(principal=olivia, negotiation=offered, action="accept")
    assert consumer.value.code == "consumer_only"
    accepted = negotiation.move(principal=charlie, negotiation=offered, action="accept")
    # Both sides agree; the agreement waits for the lead department's 核定 (decision 0062).
    assert accepted.state == "confirming" and accepted.expires_at is None
    with pytest.raises(Forbidden) as steward:
        negotiation.move(principal=olivia, negotiation=accepted, action="confirm")
    assert steward.value.code == "department_only"
    agreed = negotiation.move(
        principal=Principal.for_user(world.wendy), negotiation=accepted, action="confirm"
    )
    assert agreed.state == "agreed"
    assert agreed.policy["@type"] == "Agreement"
    assert agreed.policy["prohibition"] == [{"action": "nc:reidentify"}]
    assert (agreed.expires_at - agreed.agreed_at).days == 30
    assert [e.action for e in agreed.events.all()] == ["request", "offer", "accept", "confirm"]
    with pytest.raises(Conflict):
        negotiation.move(principal=charlie, negotiation=agreed, action="accept")


def test_no_negotiation_waits_past_its_deadline(world: World) -> None:
    made = b.negotiation(world)
    assert negotiation.expire_overdue(timezone.now()) == 0
    ended = negotiation.expire_overdue(timezone.now() + timedelta(days=11))
    assert ended == 1
    made.refresh_from_db()
    assert made.state == "terminated"
    assert made.reason.startswith("Timed out: no answer from the steward")
    terminated = b.negotiation(world)
    ended_by_hand = negotiation.move(
        principal=Principal.for_user(world.charlie),
        negotiation=terminated,
        action="terminate",
        reason="Project cancelled",
    )
    assert ended_by_hand.reason == "Project cancelled"


def test_aggregates_keep_k_anonymity_and_are_logged(world: World) -> None:
    agreed = b.negotiation(world, "agreed")
    charlie = Principal.for_user(world.charlie)
    with pytest.raises(InvalidInput) as small:
        aggregates.aggregate(principal=charlie, negotiation=agreed, group_by=["area"])
    assert small.value.code == "group_below_k"
    assert not UsageEvent.objects.exists()
    with pytest.raises(InvalidInput) as column:
        aggregates.aggregate(principal=charlie, negotiation=agreed, group_by=["trips"])
    assert column.value.fields["group_by"]
    # By mode the two bus trips are still a group below k.
    with pytest.raises(InvalidInput):
        aggregates.aggregate(principal=charlie, negotiation=agreed, group_by=["mode"])


def test_an_aggregate_over_groups_of_at_least_k(world: World) -> None:
    pool = b.busy_pool(world)
    # Two more bus trip files from others make the Sandu group reach k = 10.
    rows = "".join(f"2026-11-{d:02d},sandu,bus,1,1,\n" for d in range(3, 11))
    b.contribute(world, pool, who="charlie", data=("day,area,mode,trips,km,note\n" + rows).encode())
    from nomadcloud.datapools import services

    services.release_version(principal=Principal.for_user(world.olivia), pool=pool)
    agreed = b.negotiation(world, "agreed")
    result = api_post(
        world.charlie,
        f"/api/v1/datapools/negotiations/{agreed.public_id}/aggregate",
        {"group_by": ["area"]},
    )
    assert result.status_code == 200, result.content
    body = result.json()
    assert body["groups"] == [{"area": "sandu", "count": 10}, {"area": "yangpu", "count": 12}]
    (use,) = UsageEvent.objects.all()
    assert use.parameters == {"group_by": ["area"]} and use.rows == 2
    assert use.query_hash == body["query_hash"]
    assert_error(
        api_post(
            world.olivia,
            f"/api/v1/datapools/negotiations/{agreed.public_id}/aggregate",
            {"group_by": ["area"]},
        ),
        "not_found",
    )


def test_the_expiry_command(world: World) -> None:
    from io import StringIO

    from django.core.management import call_command

    b.negotiation(world)
    out = StringIO()
    call_command("expire_negotiations", stdout=out)
    assert out.getvalue().strip() == "0 negotiations ended (timeout)."


def test_a_distribution_run_pays_each_contributor_once_with_a_statement(world: World) -> None:
    from nomadcloud.datapools import rewards
    from nomadcloud.datapools.models import RewardLine
    from nomadcloud.points import models as pm
    from nomadcloud.points.merchants.services.payments import balance
    from tests.helpers import api_get

    agreed = b.used_last_month(world)
    olivia = Principal.for_user(world.olivia)
    with pytest.raises(InvalidInput) as unfinished:
        rewards.distribute(
            principal=olivia, pool=agreed.pool, period=timezone.localdate().strftime("%Y-%m")
        )
    assert unfinished.value.fields["period"]
    with pytest.raises(Forbidden):
        rewards.distribute(
            principal=Principal.for_user(world.charlie), pool=agreed.pool, period=b.last_month()
        )
    run = rewards.distribute(principal=olivia, pool=agreed.pool, period=b.last_month())
    assert (run.uses, run.total_points) == (1, 2 * (14 + 8))
    lines = {line.contributor: line for line in RewardLine.objects.filter(run=run)}
    assert {u: line.points for u, line in lines.items()} == {world.bob: 28, world.charlie: 16}
    zp = pm.Asset.objects.get(code="ZP")
    assert balance(world.bob, zp) == 28
    (use,) = lines[world.bob].uses
    assert use["enterprise"] == str(world.globex) and use["purpose"] == "dpv:ResearchAndDevelopment"
    with pytest.raises(Conflict) as again:
        rewards.distribute(principal=olivia, pool=agreed.pool, period=b.last_month())
    assert again.value.code == "already_distributed"
    assert balance(world.bob, zp) == 28
    statement = api_get(world.bob, "/api/v1/datapools/rewards").json()["items"]
    assert [(s["period"], s["points"]) for s in statement] == [(b.last_month(), 28)]
