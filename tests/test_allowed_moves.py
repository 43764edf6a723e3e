"""The buttons a page shows come from the transition tables (issue 13 item 4), not from status
strings in templates: for each state, exactly the moves the table allows the asker.

Covers the orders' applications (orders/transitions.py APPLICATION_TABLE), a demand's
apply and candidates actions (demands/transitions.py DEMAND_ACTIONS) and an organisation's
verification (accounts/transitions.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from nomadcloud.accounts import transitions as verification
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.demands import transitions as demand_moves
from nomadcloud.demands.models import Demand
from nomadcloud.orders import services as order_services
from nomadcloud.orders import transitions as order_moves
from nomadcloud.orders.models import OrderApplication, Role
from tests.builders import demands as demand_builders
from tests.builders import orders as order_builders
from tests.conftest import World, client_for

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "nomadcloud"
MOVED = [
    "orders/templates/orders/detail.html",
    "demands/templates/demands/detail.html",
    "accounts/templates/accounts/review.html",
    "accounts/templates/accounts/organisation.html",
]


@pytest.mark.parametrize("template", MOVED)
def test_the_templates_test_moves_not_status_strings(template: str) -> None:
    text = (TEMPLATES / template).read_text()
    assert not re.findall(r"status\s*(==|!=)", text), template


# --- the tables ---------------------------------------------------------------------------------

AS = OrderApplication.Status


def test_the_order_application_table() -> None:
    moves = order_moves.application_moves
    assert moves(AS.PENDING, [Role.APPLICANT]) == [AS.WITHDRAWN]
    assert moves(AS.PENDING, [Role.ENTERPRISE]) == [AS.SELECTED, AS.DECLINED]
    assert moves(AS.WITHDRAWN, [Role.APPLICANT]) == [AS.PENDING]
    for final in (AS.SELECTED, AS.DECLINED):
        assert moves(final, list(Role)) == []
    assert moves(AS.PENDING, [Role.OPERATOR, Role.NOMAD, Role.SYSTEM]) == []


def test_the_demand_actions_table() -> None:
    E, N = demand_moves.Role.ENTERPRISE, demand_moves.Role.NOMAD
    for status in Demand.Status.values:
        published = status == Demand.Status.PUBLISHED
        assert demand_moves.demand_actions(status, [N]) == (["apply"] if published else [])
        assert demand_moves.demand_actions(status, [E]) == (["candidates"] if published else [])


def test_the_verification_table() -> None:
    V, M, R = Organisation.Verification, verification.Role.MANAGER, verification.Role.REVIEWER
    expected = {
        (V.UNVERIFIED, M): [V.PENDING],
        (V.REJECTED, M): [V.PENDING],
        (V.PENDING, R): [V.VERIFIED, V.REJECTED],
    }
    for status in V.values:
        for role in (M, R):
            assert verification.verification_moves(status, [role]) == expected.get(
                (status, role), []
            ), (status, role)


# --- the orders page: the applications -------------------------------------------------------


def _testids(html: str) -> set[str]:
    return set(re.findall(r'data-testid="([^"]+)"', html))


def _order_page(user: object, order: object) -> set[str]:
    response = client_for(user).get(reverse("orders:detail", args=[order.public_id]))  # type: ignore[attr-defined]
    assert response.status_code == 200
    return _testids(response.content.decode())


def test_a_pending_application_shows_withdraw_to_its_nomad_and_assign_to_the_enterprise(
    world: World,
) -> None:
    order = order_builders.applied_order(world)
    assign = f"assign-{world.wendy.public_id}"
    nomad = _order_page(world.wendy, order)
    assert "withdraw-application" in nomad and "apply-form" not in nomad
    assert assign not in nomad
    owner = _order_page(world.olivia, order)
    assert assign in owner and "withdraw-application" not in owner
    readonly = _order_page(world.rita, order)  # sees the applications, may not choose
    assert "applications" in readonly and assign not in readonly
    operator = _order_page(world.oscar, order)
    assert assign not in operator


def test_a_withdrawn_application_offers_applying_again_and_nothing_else(world: World) -> None:
    order = order_builders.applied_order(world)
    application = order.applications.get(applicant=world.wendy)
    order_services.withdraw_application(
        principal=Principal.for_user(world.wendy), application=application
    )
    nomad = _order_page(world.wendy, order)
    assert "withdraw-application" not in nomad and "apply-form" in nomad
    assert f"assign-{world.wendy.public_id}" not in _order_page(world.olivia, order)


def test_decided_applications_offer_no_move(world: World) -> None:
    order = order_builders.applied_order(world)
    order_services.apply_for_order(principal=Principal.for_user(world.charlie), order=order)
    order = order_builders.reload(order)
    chosen = order.applications.get(applicant=world.wendy)
    order_services.assign(
        principal=Principal.for_user(world.olivia), order=order, application=chosen
    )
    owner = _order_page(world.olivia, order)
    assert not any(t.startswith("assign-") for t in owner)
    page = _order_page(world.wendy, order)  # selected (the declined one no longer sees it)
    assert "withdraw-application" not in page and "apply-form" not in page
    declined = order.applications.get(applicant=world.charlie)
    assert declined.status == AS.DECLINED
    assert order_moves.application_moves(declined.status, list(Role)) == []


def test_the_automatic_acceptance_notice_shows_while_the_system_may_accept(world: World) -> None:
    notice = "accepted automatically"
    delivered = order_builders.delivered_order(world)
    response = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("orders:detail", args=[delivered.public_id])
    )
    assert "Delivered work is " + notice in response.content.decode()
    in_progress = order_builders.half_accepted_order(world)
    response = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("orders:detail", args=[in_progress.public_id])
    )
    assert "Delivered work is " + notice not in response.content.decode()


# --- the demand page: apply and candidates -----------------------------------------------------


def _demand_page(user: object, demand: Demand) -> set[str]:
    """The page's test ids; an empty set when the asker may not see the demand (404)."""
    response = client_for(user).get(reverse("demands:detail", args=[demand.public_id]))
    assert response.status_code in (200, 404)
    return _testids(response.content.decode()) if response.status_code == 200 else set()


@pytest.mark.parametrize("status", ["published", "paused", "closed", "filled"])
def test_a_demand_shows_apply_and_candidates_only_while_published(
    world: World, status: str
) -> None:
    demand = demand_builders.published(world)
    if status != "published":
        Demand.objects.filter(pk=demand.pk).update(status=status)
        demand.refresh_from_db()
    published = status == "published"
    member = _demand_page(world.bob, demand)
    assert ("candidates-link" in member) is published
    assert "demand-action" not in member and "apply-link" not in member
    for outsider in (world.charlie, None):  # outside the enterprise; not signed in
        page = _demand_page(outsider, demand)
        assert ("apply-link" in page) is published
        assert ("demand-action" in page) is published
        assert "candidates-link" not in page


def test_a_draft_demand_shows_its_members_no_candidates(world: World) -> None:
    demand = demand_builders.draft(world)
    page = _demand_page(world.olivia, demand)
    assert "candidates-link" not in page and "demand-action" not in page
    assert {"status-published", "status-closed"} <= page


# --- the organisation pages: verification --------------------------------------------------------


def _org_page(user: object, org: Organisation) -> set[str]:
    response = client_for(user).get(reverse("accounts:organisation", args=[org.public_id]))
    assert response.status_code == 200
    return _testids(response.content.decode())


@pytest.mark.parametrize(
    ("status", "offered"),
    [("unverified", True), ("rejected", True), ("pending", False), ("verified", False)],
)
def test_asking_for_verification_is_offered_to_managers_by_state(
    world: World, status: str, offered: bool
) -> None:
    Organisation.objects.filter(pk=world.acme.pk).update(verification_status=status)
    assert ("request-verification" in _org_page(world.olivia, world.acme)) is offered
    assert "request-verification" not in _org_page(world.rita, world.acme)


@pytest.mark.parametrize("status", ["unverified", "pending", "verified", "rejected"])
def test_the_review_form_shows_only_while_pending(world: World, status: str) -> None:
    Organisation.objects.filter(pk=world.pending.pk).update(verification_status=status)
    response = client_for(world.wendy).get(
        reverse("accounts:review", args=[world.pending.public_id])
    )
    assert response.status_code == 200
    shown = 'name="approve"' in response.content.decode()
    assert shown is (status == "pending")
