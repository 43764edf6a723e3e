"""The finance officer's pages and API (docs/payouts.md): a payout moved from approval to
confirmation, big moves confirmed on their own page first, nothing shown as paid before it
is confirmed, and refusals that change nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from nomadcloud.payouts.models import Payout
from tests.builders.payouts import acme_payout
from tests.conftest import World, client_for, database_fingerprint
from tests.helpers import api_get, api_post, assert_error

S = Payout.Status


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def moves(world: World, payout: Payout, body: dict) -> dict:
    response = api_post(
        world.olivia,
        f"/api/v1/payouts/payouts/{payout.public_id}/moves",
        body,
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_the_api_moves_a_payout_to_confirmed(world: World) -> None:
    payout = acme_payout(world)
    listed = api_get(world.olivia, "/api/v1/payouts/payouts?status=approved").json()["items"]
    assert [p["public_id"] for p in listed] == [str(payout.public_id)]
    assert listed[0]["moves"] == ["schedule", "reverse"]
    assert moves(world, payout, {"action": "schedule"})["status"] == "scheduled"
    sent = moves(world, payout, {"action": "send"})
    assert sent["status"] == "paying" and sent["bank_order"].startswith("FAKE-")
    assert_error(
        api_post(
            world.olivia,
            f"/api/v1/payouts/payouts/{payout.public_id}/moves",
            {"action": "confirm"},
        ),
        "invalid_transition",
        status=409,
    )
    reported = moves(world, payout, {"action": "mark_paid", "external_reference": "BOC-1"})
    assert (reported["status"], reported["status_label"]) == (
        "paid",
        "银行已回单，待确认",  # Olivia reads Chinese (her preference beats Accept-Language)
    )
    budget = api_get(world.olivia, f"/api/v1/payouts/budgets/{payout.budget.public_id}").json()
    assert (budget["in_flight"], budget["paid"]) == ("800.00", "0.00")
    done = moves(world, payout, {"action": "confirm"})
    assert (done["status"], done["status_label"]) == ("confirmed", "已支付（已确认）")
    assert [e["action"] for e in done["events"]] == [
        "approve",
        "schedule",
        "send",
        "bank_accepted",
        "mark_paid",
        "confirm",
    ]
    budget = api_get(world.olivia, f"/api/v1/payouts/budgets/{payout.budget.public_id}").json()
    assert (budget["in_flight"], budget["paid"], budget["available"]) == (
        "0.00",
        "800.00",
        "4000.00",
    )


def test_a_read_only_member_sees_but_does_not_move(world: World) -> None:
    payout = acme_payout(world)
    assert api_get(world.rita, f"/api/v1/payouts/payouts/{payout.public_id}").status_code == 200
    before = database_fingerprint(["payouts"])
    assert_error(
        api_post(
            world.rita, f"/api/v1/payouts/payouts/{payout.public_id}/moves", {"action": "schedule"}
        ),
        "finance_only",
        status=403,
    )
    assert database_fingerprint(["payouts"]) == before
    page = client_for(world.rita).get(f"/payouts/{payout.public_id}/").content.decode()
    assert 'data-testid="move-schedule"' not in page


def test_the_pages_confirm_big_moves_and_never_show_paid_before_confirmation(
    world: World,
) -> None:
    payout = acme_payout(world)
    client = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(f"/payouts/{payout.public_id}/").content.decode()
    assert 'data-testid="move-schedule"' in page and 'data-testid="move-reverse"' in page
    url = f"/payouts/{payout.public_id}/move/"
    assert client.post(url, {"action": "schedule"}).status_code == 302
    asked = client.post(url, {"action": "send"})  # shown its confirmation page, not sent
    assert asked.status_code == 200
    assert b'data-testid="confirm-button"' in asked.content
    payout.refresh_from_db()
    assert payout.status == S.SCHEDULED
    assert client.post(url, {"action": "send", "confirm": "yes"}).status_code == 302
    client.post(url, {"action": "mark_paid", "external_reference": "BOC-7"})
    payout.refresh_from_db()
    assert payout.status == S.PAID
    page = client.get(f"/payouts/{payout.public_id}/").content.decode()
    assert "Reported by the bank, awaiting confirmation" in page
    assert "Paid (confirmed)" not in page
    listing = client.get("/payouts/").content.decode()
    assert "Reported by the bank, awaiting confirmation" in listing
    confirm = client.post(url, {"action": "confirm"})
    assert "BOC-7" in confirm.content.decode()
    assert client.post(url, {"action": "confirm", "confirm": "yes"}).status_code == 302
    payout.refresh_from_db()
    assert (payout.status, payout.confirmed_by) == (S.CONFIRMED, world.olivia)
    budget_page = client.get(f"/payouts/budgets/{payout.budget.public_id}/").content.decode()
    assert "¥800.00" in budget_page and "¥4,000.00" in budget_page
    assert "Data innovation vouchers 2026" in budget_page
