"""Facts that apps above incentives provide (issue 17 item 2): a maker competition's prize
winners, read from competitions through the fact-provider registry, become entitlements to
industrialisation support (task 15) and a claim, instead of a refusal."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from nomadcloud.competitions.models import Competition, Round
from nomadcloud.incentives import facts, services
from nomadcloud.incentives.models import Claim, Entitlement
from tests.builders.competitions import entered, open_competition, submitted
from tests.builders.incentives import as_, last_year, policy
from tests.builders.world import make_org, make_person, verify_org
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_a_competition_winner_whose_project_landed_is_entitled_and_may_claim(
    world: World,
) -> None:
    year = last_year()
    contest = open_competition(world.globex)
    winner = make_person("Wei Winner", "wei.winner@example.com")
    landed = verify_org(make_org(winner, "Wei Robotics"))
    runner_up = make_person("Ru Runner", "ru.runner@example.com")
    make_org(runner_up, "Ru Studio")  # not verified: has not landed
    submitted(entered(contest, winner, "智能分拣"), right=10)
    submitted(entered(contest, runner_up, "选品助手"), right=6)
    closed = timezone.make_aware(datetime(year, 11, 30, 18))
    Round.objects.filter(competition=contest).update(
        opens_at=closed.replace(month=10), closes_at=closed
    )
    Competition.objects.filter(pk=contest.pk).update(status=Competition.Status.CLOSED)

    assert "competition_awards" in facts.platform_fact_kinds()
    services.compute_entitlements(year, notify_organisations=False)
    won = Entitlement.objects.get(organisation=landed, policy__code="competition", year=year)
    first_prize = services.parameters().at("competition.amount_first", date(year, 11, 30))[1]
    assert won.eligible and won.amount == Decimal(first_prize)
    assert won.inputs["items"][0]["rank"] == 1 and won.inputs["items"][0]["industrialised"]
    second = Entitlement.objects.get(policy__code="competition", year=year, eligible=False)
    assert second.reasons[0].endswith(":not_industrialised")

    claim = services.start_claim(
        principal=as_(winner), organisation=landed, policy=policy("competition"), year=year
    )
    assert claim.status == Claim.Status.DRAFT and claim.claimed_amount == won.amount
    assert claim.items.get().label == f"{year}-11-30"
