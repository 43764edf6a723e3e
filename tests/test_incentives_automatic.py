"""免申即享 (issue 17 item 3): the training reward is in automatic mode, so the nightly job
opens and submits the claim itself from the platform's training records; the department
verifies it item by item and it is approved and paid like any other claim."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from nomadcloud.core.errors import Conflict
from nomadcloud.incentives import services
from nomadcloud.incentives.models import Claim, ClaimEvent, Policy
from nomadcloud.notifications.models import Notification
from tests.builders.incentives import (
    as_,
    budget,
    certified_nomads,
    last_year,
    load_calendar,
    policy,
    second_officer,
    training_passes,
)
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_the_training_reward_is_claimed_without_an_application_and_paid(world: World) -> None:
    year = last_year()
    training = policy("training")
    assert training.mode == Policy.Mode.AUTOMATIC
    training_passes(world.acme, certified_nomads(world, 20, prefix="tp"), year)

    services.compute_entitlements(year)
    claim = Claim.objects.get(organisation=world.acme, policy=training, year=year)
    assert claim.status == Claim.Status.SUBMITTED
    assert claim.created_by is None and claim.declaration == services.AUTOMATIC_DECLARATION
    assert claim.claimed_amount == training_passes_amount(year)
    assert claim.items.filter(state="pending").count() == 20
    assert ClaimEvent.objects.filter(claim=claim, action="submit_automatically").exists()
    assert Notification.objects.filter(
        recipient=world.olivia, kind="incentives.claim_changed"
    ).exists()
    # the next night finds the claim and opens no second one
    services.compute_entitlements(year)
    assert Claim.objects.filter(organisation=world.acme, policy=training).count() == 1

    officer = as_(world.wendy)
    for item in claim.items.all():
        services.verify_item(principal=officer, claim=claim, reference=item.reference, counted=True)
    claim = services.complete_verification(principal=officer, claim=claim)
    assert claim.status == Claim.Status.VERIFIED and claim.amount == claim.claimed_amount
    load_calendar()
    claim = services.open_publicity(
        principal=officer, claim=claim, at=timezone.now() - timedelta(days=30)
    )
    budget(world, code="training")
    claim = services.approve_claim(principal=as_(second_officer(world)), claim=claim)
    assert claim.status == Claim.Status.APPROVED and claim.payout is not None
    assert claim.payout.amount == claim.amount


def training_passes_amount(year: int) -> Decimal:
    """20 nomads at the amount per nomad in force at the end of the year (the rule's date)."""
    per_nomad = services.parameters().at("training.amount_per_nomad", date(year, 12, 31))[1]
    return Decimal(per_nomad) * 20


def test_no_automatic_claim_before_the_year_is_over_nor_under_an_application_policy(
    world: World,
) -> None:
    this_year = timezone.localdate().year
    assert (
        services.claim_automatic_entitlements(
            policy("training"), this_year, today=timezone.localdate()
        )
        == []
    )
    with pytest.raises(Conflict) as refused:
        services.claim_automatically(
            organisation=world.acme, policy=policy("contract"), year=last_year()
        )
    assert refused.value.code == "not_automatic"
