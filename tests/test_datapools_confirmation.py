"""The lead department's 核定 of data-pool agreements (decision 0062): both sides agreeing
leaves the negotiation ``confirming``; the department confirms (a recorded decision: who,
when, note, charter version) or refuses with a reason that names it; the step has a deadline
like every waiting state; and nothing treats an agreement awaiting 核定 as in force."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, Forbidden
from nomadcloud.datapools import aggregates, downloads, dsp, negotiation
from nomadcloud.datapools.models import IN_FORCE, AgreementConfirmation, Negotiation
from tests.builders import datapools as b
from tests.builders.world import verify_org
from tests.conftest import World
from tests.helpers import api_get, api_post, assert_error


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_the_departments_confirmation_is_a_recorded_decision(world: World) -> None:
    confirming = b.negotiation(world, "confirming")
    assert confirming.state == "confirming" and "confirming" not in IN_FORCE
    assert confirming.deadline is not None and confirming.agreed_at is None
    assert dsp.protocol_state(confirming) == "REQUESTED"  # the steward agreed to a request
    # The department's members see it among the agreements awaiting 核定.
    listed = api_get(world.wendy, "/api/v1/datapools/negotiations?state=confirming")
    assert [n["id"] for n in listed.json()["items"]] == [str(confirming.public_id)]
    # Neither side may confirm for the department; a key cannot either.
    url = f"/api/v1/datapools/negotiations/{confirming.public_id}/moves"
    for who in (world.olivia, world.charlie):
        refused = api_post(who, url, {"action": "confirm"})
        assert_error(refused, "department_only")
    answered = api_post(
        world.wendy,
        f"/api/v1/datapools/negotiations/{confirming.public_id}/moves",
        {"action": "confirm", "reason": "Fits the charter."},
    )
    assert answered.status_code == 200, answered.content
    body = answered.json()
    assert body["state"] == "agreed" and body["policy"]["@type"] == "Agreement"
    assert body["confirmation"]["outcome"] == "confirmed"
    assert body["confirmation"]["rule_version"] == "charter v1"
    assert body["confirmation"]["department"] == str(world.department.public_id)
    decision = AgreementConfirmation.objects.get(negotiation=confirming)
    assert (decision.decided_by, decision.note) == (world.wendy, "Fits the charter.")
    assert decision.decided_at is not None
    made = Negotiation.objects.get(pk=confirming.pk)
    assert made.expires_at is not None and made.deadline is None
    assert [e.action for e in made.events.all()] == ["request", "agree", "confirm"]


def test_a_refusal_needs_a_reason_and_names_the_department(world: World) -> None:
    confirming = b.negotiation(world, "confirming")
    url = f"/api/v1/datapools/negotiations/{confirming.public_id}/moves"
    assert_error(api_post(world.wendy, url, {"action": "refuse"}), "invalid_input", "reason")
    assert Negotiation.objects.get(pk=confirming.pk).state == "confirming"
    refused = api_post(
        world.wendy, url, {"action": "refuse", "reason": "Purpose not on the open list."}
    )
    assert refused.json()["state"] == "terminated"
    reason = refused.json()["reason"]
    assert str(world.department) in reason and "Purpose not on the open list." in reason
    assert refused.json()["confirmation"]["outcome"] == "refused"
    assert AgreementConfirmation.objects.get(negotiation=confirming).note == (
        "Purpose not on the open list."
    )


def test_the_confirmation_step_times_out_naming_the_department(world: World) -> None:
    confirming = b.negotiation(world, "confirming")
    assert negotiation.expire_overdue(timezone.now()) == 0
    assert negotiation.expire_overdue(timezone.now() + timedelta(days=11)) == 1
    ended = Negotiation.objects.get(pk=confirming.pk)
    assert ended.state == "terminated"
    assert ended.reason.startswith(f"Timed out: no answer from {world.department} by")
    assert not AgreementConfirmation.objects.exists()


def test_either_side_may_end_it_while_it_awaits_the_department(world: World) -> None:
    confirming = b.negotiation(world, "confirming")
    ended = negotiation.move(
        principal=Principal.for_user(world.charlie),
        negotiation=confirming,
        action="terminate",
        reason="Project stopped",
    )
    assert ended.state == "terminated" and ended.reason == "Project stopped"


def test_nothing_uses_an_agreement_awaiting_confirmation(world: World) -> None:
    charlie = Principal.for_user(world.charlie)
    confirming = b.negotiation(world, "confirming")
    with pytest.raises(Conflict) as aggregate:
        aggregates.aggregate(principal=charlie, negotiation=confirming, group_by=["area"])
    assert aggregate.value.code == "no_agreement"
    # A download agreement awaiting 核定 gives no link either.
    b.agreement_for(world, "download")
    verify_org(world.globex)
    asked = negotiation.request_access(
        principal=charlie,
        pool=confirming.pool,
        consumer=world.globex,
        purpose="dpv:ResearchAndDevelopment",
        access_mode="download",
        duration_days=30,
    )
    waiting = negotiation.move(
        principal=Principal.for_user(world.olivia), negotiation=asked, action="agree"
    )
    with pytest.raises(Conflict) as link:
        downloads.issue_link(principal=charlie, negotiation=waiting)
    assert link.value.code == "no_agreement"
    # The valuation app counts agreements in force only.
    assert not Negotiation.objects.filter(pk=waiting.pk, state__in=IN_FORCE).exists()
    # The consumer cannot verify an agreement that does not exist yet.
    with pytest.raises(Conflict):
        negotiation.move(principal=charlie, negotiation=waiting, action="verify")
    # The department's workspace shows what awaits it.
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(world.wendy)
    page = client.get(reverse("accounts:workspace")).content.decode()
    assert "待核定的协议" in page and "?state=confirming" in page


def test_a_steward_cannot_confirm_even_as_a_department_member_of_another(world: World) -> None:
    confirming = b.negotiation(world, "confirming")
    with pytest.raises(Forbidden) as caught:
        negotiation.move(
            principal=Principal.for_user(world.olivia), negotiation=confirming, action="confirm"
        )
    assert caught.value.code == "department_only"
