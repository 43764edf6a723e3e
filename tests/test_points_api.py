"""The points API: the public scenarios and rates, the wallet (balances, lots, expiry,
history pages, statements), quote and exchange with the client's idempotency key, the
operator's endpoints, and batch transfers — for the zone operator and for an authorised
programme's API key, which can never take points out of a holder's account."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from nomadcloud.accounts import services as accounts
from nomadcloud.accounts.principal import Principal
from nomadcloud.points import book
from nomadcloud.points import models as m
from nomadcloud.points.book.store import DatabaseLedger, DatabaseStore
from nomadcloud.points.ledger import SystemRole, check_invariants
from nomadcloud.points.programme import services as programme
from tests.builders.points import SCENARIO, give_work_units, zone_scenario
from tests.conftest import World, client_for, database_fingerprint
from tests.helpers import api_post, assert_error

API = "/api/v1/points"
ZP = book.ZONE_POINTS


def en(user: Any) -> Client:
    return client_for(user, HTTP_ACCEPT_LANGUAGE="en")


def test_scenarios_and_rates_are_public(world: World) -> None:
    zone_scenario(world)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    scenarios = anonymous.get(f"{API}/scenarios").json()
    assert [(s["code"], s["asset"], s["own_points"]) for s in scenarios] == [(SCENARIO, ZP, False)]
    (rate,) = anonymous.get(f"{API}/rates").json()
    assert (rate["scenario"], rate["points_per_work_unit"], rate["asset"]) == (SCENARIO, "10", ZP)


def test_quote_exchange_and_replay_with_the_key(world: World) -> None:
    zone_scenario(world)
    give_work_units(world.rita, "20.00")
    client = en(world.rita)
    quote = api_post(client, f"{API}/exchanges/quote", {"scenario": SCENARIO, "work_units": "3.33"})
    assert quote.status_code == 200, quote.content
    q = quote.json()
    assert (q["points"], q["bonus"], q["total"], q["available_work_units"]) == (33, 0, 33, "20.00")
    body = {
        "scenario": SCENARIO,
        "work_units": "3.33",
        "key": "order-77",
        "rate_id": q["rate"]["id"],
    }
    created = api_post(client, f"{API}/exchanges", body)
    assert created.status_code == 201, created.content
    x = created.json()
    assert (x["work_units"], x["points"], x["points_per_work_unit"]) == ("3.33", 33, "10")
    assert x["transfers"] == [
        f"x:{world.rita.public_id.hex}:order-77:wu",
        f"x:{world.rita.public_id.hex}:order-77:pts",
    ]
    replay = api_post(client, f"{API}/exchanges", body)
    assert replay.status_code == 200 and replay.json()["id"] == x["id"]
    changed = api_post(client, f"{API}/exchanges", {**body, "work_units": "4.00"})
    assert changed.status_code == 409
    assert changed.json()["code"] == "idempotency_key_reused"
    assert m.Exchange.objects.count() == 1
    wallet = client.get(f"{API}/wallet").json()["balances"]
    assert [(b["asset"], b["balance"], b["balance_display"]) for b in wallet] == [
        ("WU", 1667, "16.67"),
        ("ZP", 33, "33"),
    ]
    (mine,) = client.get(f"{API}/exchanges").json()
    assert mine["id"] == x["id"]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"work_units": "0"}, 422, "invalid_input", "work_units"),
        ({"work_units": "-5"}, 422, "invalid_input", "work_units"),
        ({"work_units": 2.5}, 422, "invalid_input", "work_units"),
        ({"work_units": "1.234"}, 422, "invalid_input", "work_units"),
        ({"work_units": "99999999999999"}, 422, "invalid_input", "work_units"),
        ({"work_units": "50.00"}, 422, "insufficient_work_units", "work_units"),
        ({"work_units": "0.05"}, 422, "amount_too_small", "work_units"),
        ({"scenario": "nowhere"}, 422, "unknown_scenario", "scenario"),
        ({"key": "has space"}, 422, "invalid_input", "key"),
    ],
)
def test_bad_exchanges_are_refused_with_the_field(
    world: World, body: dict[str, Any], status: int, code: str, field: str
) -> None:
    zone_scenario(world)
    give_work_units(world.rita, "10.00")
    client = en(world.rita)
    before = database_fingerprint()
    full = {"scenario": SCENARIO, "work_units": "1.00", "key": "k1", **body}
    response = api_post(client, f"{API}/exchanges", full)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert field in response.json()["fields"]
    assert database_fingerprint() == before


def test_no_rate_in_force_is_a_conflict_in_chinese(world: World) -> None:
    programme.create_scenario(
        principal=Principal.for_user(world.oscar),
        code="norate",
        name_zh="无汇率",
        name_en="No rate",
        category="dining",
    )
    give_work_units(world.rita, "10.00")
    client = client_for(world.rita, HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = api_post(
        client, f"{API}/exchanges", {"scenario": "norate", "work_units": "1", "key": "a"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "no_rate_in_force"
    assert "汇率" in response.json()["message"]


def test_wallet_lots_expiry_history_pages_and_statement(world: World) -> None:
    zone_scenario(world)
    give_work_units(world.rita, "30.00")
    client = en(world.rita)
    for i in range(3):
        assert (
            api_post(
                client,
                f"{API}/exchanges",
                {"scenario": SCENARIO, "work_units": "2.00", "key": f"k{i}"},
            ).status_code
            == 201
        )
    lots = client.get(f"{API}/wallet/lots?asset=ZP").json()
    assert [lot["remaining"] for lot in lots] == [20, 20, 20]
    expiry = client.get(f"{API}/wallet/expiry").json()
    assert [(e["asset"], e["amount"], e["locked"]) for e in expiry] == [("ZP", 60, False)]
    page = client.get(f"{API}/wallet/history?limit=4").json()
    assert len(page["items"]) == 4 and page["next_cursor"]
    rest = client.get(f"{API}/wallet/history?limit=4&cursor={page['next_cursor']}").json()
    assert rest["next_cursor"] is None
    items = page["items"] + rest["items"]
    assert [i["code"] for i in items] == [
        "exchange_points",
        "exchange_work_units",
        "exchange_points",
        "exchange_work_units",
        "exchange_points",
        "exchange_work_units",
        "proof_of_work",
    ]
    assert items[0]["reason"] == "Points from an exchange of work units"
    assert (items[1]["amount"], items[1]["amount_display"]) == (-200, "−2.00")
    assert_error(client.get(f"{API}/wallet/history?cursor=garbage"), "invalid_input", "cursor")
    huge = base64.urlsafe_b64encode(b"pk:" + b"9" * 30).decode().rstrip("=")
    assert_error(client.get(f"{API}/wallet/history?cursor={huge}"), "invalid_input", "cursor")
    month = timezone.localdate().strftime("%Y-%m")
    st = client.get(f"{API}/wallet/statement?month={month}").json()
    assert [
        (line["asset"], line["opening"], line["credits"], line["debits"], line["closing"])
        for line in st["lines"]
    ] == [("WU", 0, 3000, 600, 2400), ("ZP", 0, 60, 0, 60)]
    assert len(st["transfers"]) == 7
    assert_error(client.get(f"{API}/wallet/statement?month=2026-13"), "invalid_input", "month")
    old = client.get(f"{API}/wallet/statement?month=2020-01").json()
    assert [line["closing"] for line in old["lines"]] == [0, 0]


def test_operator_endpoints(world: World) -> None:
    client = en(world.oscar)
    created = api_post(
        client,
        f"{API}/operator/scenarios",
        {
            "code": "dongpo",
            "name_zh": "东坡书院",
            "name_en": "Dongpo Academy",
            "category": "culture_tourism",
            "own_points": True,
            "own_scale": 2,
            "own_expiry_months": 6,
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["asset"] == "S-DONGPO"
    asset = m.Asset.objects.get(code="S-DONGPO")
    assert (asset.scale, asset.expiry_months, asset.expiry_at_end_of) == (2, 6, "month")
    again = api_post(
        client,
        f"{API}/operator/scenarios",
        {"code": "dongpo", "name_en": "Again", "category": "dining"},
    )
    assert_error(again, "code_taken", field="code", status=422)
    rate = api_post(
        client, f"{API}/operator/rates", {"scenario": "dongpo", "points_per_work_unit": "2.5"}
    )
    assert rate.status_code == 201
    past = api_post(
        client,
        f"{API}/operator/rates",
        {
            "scenario": "dongpo",
            "points_per_work_unit": "3",
            "valid_from": (timezone.now() - timedelta(days=2)).isoformat(),
        },
    )
    assert_error(past, "valid_from_past", field="valid_from", status=422)
    assert [r["points_per_work_unit"] for r in client.get(f"{API}/operator/rates").json()] == [
        "2.5"
    ]
    rule = api_post(
        client,
        f"{API}/operator/rules",
        {"asset": "S-DONGPO", "month_cap": 10000, "lock_days": 3, "expiry_months": 2},
    )
    assert rule.status_code == 201 and rule.json()["version"] == 1
    assert_error(
        api_post(client, f"{API}/operator/rules", {"asset": "WU"}), "unknown_asset", "asset", 422
    )
    campaign = api_post(
        client,
        f"{API}/operator/campaigns",
        {
            "code": "poetry",
            "name_en": "Poetry week",
            "kind": "fixed",
            "fixed_amount": 100,
            "scenario": "dongpo",
            "starts_at": timezone.now().isoformat(),
            "ends_at": (timezone.now() + timedelta(days=7)).isoformat(),
        },
    )
    assert campaign.status_code == 201, campaign.content
    assert campaign.json()["asset"] == "S-DONGPO"
    patched = client.patch(
        f"{API}/operator/scenarios/dongpo",
        json.dumps({"active": False}),
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["active"] is False
    assert (
        client.patch(
            f"{API}/operator/scenarios/none", "{}", content_type="application/json"
        ).status_code
        == 404
    )
    assert [s["code"] for s in Client().get(f"{API}/scenarios").json()] == []
    liability = client.get(f"{API}/operator/liability").json()
    assert {row["asset"] for row in liability} == {"S-DONGPO", "WU", "ZP"}
    forecast = client.get(f"{API}/operator/forecast").json()
    assert all(len(row["months"]) == 12 for row in forecast)
    assert client.get(f"{API}/operator/shortfalls").json() == []


def test_the_liability_adds_up_and_the_forecast_shows_what_expires(world: World) -> None:
    zone_scenario(world)
    operator = Principal.for_user(world.oscar)
    programme.publish_rule(principal=operator, asset_code=ZP, expiry_days=40)
    give_work_units(world.rita, "30.00")
    give_work_units(world.bob, "30.00")
    for user, key in ((world.rita, "r"), (world.bob, "b")):
        assert (
            api_post(
                en(user),
                f"{API}/exchanges",
                {"scenario": SCENARIO, "work_units": "10.00", "key": key},
            ).status_code
            == 201
        )
    programme.publish_rule(principal=operator, asset_code=ZP, lock_days=5, expiry_days=40)
    assert (
        api_post(
            en(world.rita),
            f"{API}/exchanges",
            {"scenario": SCENARIO, "work_units": "5.00", "key": "l"},
        ).status_code
        == 201
    )
    lg = DatabaseLedger()
    shop = book.organisation_account(world.globex, ZP)
    lg.transfer("pay", book.person_account(world.bob, ZP), shop, 30)
    rows = {r["asset"]: r for r in en(world.oscar).get(f"{API}/operator/liability").json()}
    zp = rows["ZP"]
    assert (zp["outstanding"], zp["persons"], zp["organisations"], zp["locked"]) == (
        200,
        170,
        30,
        50,
    )
    assert (zp["persons_spendable"], zp["with_locked"], zp["balanced"]) == (170, 250, True)
    assert rows["WU"]["outstanding"] == 6000 - 2500 and rows["WU"]["balanced"]
    forecast = {r["asset"]: r for r in en(world.oscar).get(f"{API}/operator/forecast").json()}
    months = forecast["ZP"]["months"]
    assert sum(month["expiring"] for month in months) == 170
    assert sum(month["locked"] for month in months) == 50
    expires = (timezone.now() + timedelta(days=40)).astimezone(timezone.get_current_timezone())
    (due,) = [month for month in months if month["expiring"]]
    assert due["month"] in {
        expires.strftime("%Y-%m"),
        (expires + timedelta(days=1)).strftime("%Y-%m"),
    }
    assert check_invariants(DatabaseStore()) == []


# ---- batch transfers ---------------------------------------------------------------------


def transfer(id: str, debit: str, credit: str, amount: Any, **kw: Any) -> dict[str, Any]:
    return {
        "id": id,
        "kind": "transfer",
        "debit_account": debit,
        "credit_account": credit,
        "amount": amount,
        **kw,
    }


def test_batch_for_the_zone_operator(world: World) -> None:
    programme.ensure_assets()
    rita = book.person_account(world.rita, ZP)
    bob = book.person_account(world.bob, ZP)
    client = en(world.oscar)
    body = {
        "transfers": [
            transfer("a", "issuance:ZP:1", rita, 100),
            transfer("b", rita, bob, 30, linked=True),
            transfer("c", rita, bob, 500),  # too much: the chain fails
            transfer("d", "issuance:ZP:1", rita, 0),
            {
                "id": "h",
                "kind": "hold",
                "debit_account": rita,
                "credit_account": bob,
                "amount": 10,
                "timeout": 60,
            },
            {"id": "p", "kind": "post", "pending_id": "h", "amount": 4},
            {"id": "r", "kind": "reversal", "reverses": "p"},
            {"id": "v", "kind": "void", "pending_id": "h"},
        ]
    }
    response = api_post(client, f"{API}/transfers/batch", body)
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [(r["id"], r["status"], r.get("reason")) for r in results] == [
        ("a", "created", None),
        ("b", "refused", "linked_event_failed"),
        ("c", "refused", "insufficient_funds"),
        ("d", "refused", "amount_not_positive"),
        ("h", "created", None),
        ("p", "created", None),
        ("r", "created", None),
        ("v", "refused", "pending_already_posted"),
    ]
    assert results[2]["message"] == "Not enough points."
    # retries answer "exists"; the ledger keeps them under the operator's namespace
    again = api_post(client, f"{API}/transfers/batch", {"transfers": [body["transfers"][0]]}).json()
    assert again["results"][0]["status"] == "exists"
    assert m.Transfer.objects.filter(tid="op:a").exists()
    assert check_invariants(DatabaseStore()) == []


def test_batch_validation(world: World) -> None:
    client = en(world.oscar)
    too_many = {"transfers": [transfer(f"t{i}", "x", "y", 1) for i in range(8001)]}
    assert_error(api_post(client, f"{API}/transfers/batch", too_many), "invalid_input", "transfers")
    for bad in (
        transfer("a b", "x", "y", 1),
        transfer("a", "x", "y", "1"),
        transfer("a", "x", "y", 1.0),
        {"id": "a", "kind": "expire_lot"},
        transfer("a", "x", "y", 1, code="c" * 65),
    ):
        response = api_post(client, f"{API}/transfers/batch", {"transfers": [bad]})
        assert_error(response, "invalid_input"), bad


@pytest.fixture
def programme_key(world: World) -> str:
    """Globex, authorised for ZP, with a write API key."""
    programme.authorise_programme(
        principal=Principal.for_user(world.oscar), organisation=world.globex, asset_code=ZP
    )
    _key, secret = accounts.create_organisation_key(
        principal=Principal.for_user(world.charlie),
        organisation=world.globex,
        name="programme",
        scope="write",
    )
    return secret


def test_a_programme_issues_points_but_never_takes_a_holders(
    world: World, programme_key: str
) -> None:
    rita = book.person_account(world.rita, ZP)
    bob = book.person_account(world.bob, ZP)
    own = book.organisation_account(world.globex, ZP)
    DatabaseLedger().transfer("seed", "issuance:ZP:0", rita, 100)
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Bearer {programme_key}")
    body = {
        "transfers": [
            transfer("g1", "issuance:ZP:2", rita, 40),  # issue to a holder
            transfer("g2", "issuance:ZP:2", own, 40),  # fund its own account
            transfer("g3", own, bob, 15),  # give from its own account
            transfer("x1", rita, own, 10, linked=True),  # take from a holder: never
            transfer("x2", "issuance:ZP:2", bob, 1),
            transfer("x3", "issuance:WU:0", own, 1),  # another asset: not authorised
            {"id": "rv", "kind": "reversal", "reverses": "g1"},  # would take from Rita
            {"id": "rv2", "kind": "reversal", "reverses": "g3", "amount": 5},  # from Bob
        ]
    }
    response = api_post(client, f"{API}/transfers/batch", body)
    assert response.status_code == 200, response.content
    assert [(r["id"], r["status"], r.get("reason")) for r in response.json()["results"]] == [
        ("g1", "created", None),
        ("g2", "created", None),
        ("g3", "created", None),
        ("x1", "refused", "not_authorised"),
        ("x2", "refused", "linked_event_failed"),
        ("x3", "refused", "not_authorised"),
        ("rv", "refused", "not_authorised"),
        ("rv2", "refused", "not_authorised"),
    ]
    assert m.Transfer.objects.filter(tid=f"p:{world.globex.public_id.hex}:g1").exists()
    rows = dict(
        m.Account.objects.filter(id__in=[rita, bob, own]).values_list("id", "credits_posted")
    )
    assert (rows[rita], rows[bob]) == (140, 15)
    # posts and voids name only its own holds: the operator's "h" is invisible to it
    DatabaseLedger().hold("op:h", rita, bob, 5)
    void = api_post(
        client,
        f"{API}/transfers/batch",
        {"transfers": [{"id": "v", "kind": "void", "pending_id": "h"}]},
    ).json()["results"][0]
    assert (void["status"], void["reason"]) == ("refused", "pending_not_found")


def test_who_may_not_post_batches(world: World, programme_key: str) -> None:
    body = {"transfers": [transfer("a", "issuance:ZP:0", "u:x:ZP", 1)]}
    for user in (world.rita, world.olivia, world.charlie):
        response = api_post(en(user), f"{API}/transfers/batch", body)
        assert_error(response, "not_programme_operator", status=403)
    acme_key = Client(HTTP_AUTHORIZATION=f"Bearer {world.org_key_secret}")
    assert_error(
        api_post(acme_key, f"{API}/transfers/batch", body), "not_programme_operator", status=403
    )
    _key, read_only = accounts.create_organisation_key(
        principal=Principal.for_user(world.charlie),
        organisation=world.globex,
        name="reader",
        scope="read",
    )
    reader = Client(HTTP_AUTHORIZATION=f"Bearer {read_only}")
    assert_error(api_post(reader, f"{API}/transfers/batch", body), "scope")
    programme.authorise_programme(
        principal=Principal.for_user(world.oscar),
        organisation=world.globex,
        asset_code=ZP,
        active=False,
    )
    withdrawn = Client(HTTP_AUTHORIZATION=f"Bearer {programme_key}")
    assert_error(
        api_post(withdrawn, f"{API}/transfers/batch", body), "not_programme_operator", status=403
    )


def test_a_large_batch(world: World) -> None:
    programme.ensure_assets()
    accounts_ = [book.person_account(u, ZP) for u in (world.rita, world.bob, world.charlie)]
    body = {
        "transfers": [
            transfer(f"g{i}", f"issuance:ZP:{i % 8}", accounts_[i % 3], 1 + i % 5)
            for i in range(3000)
        ]
    }
    response = api_post(en(world.oscar), f"{API}/transfers/batch", body)
    assert response.status_code == 200
    assert {r["status"] for r in response.json()["results"]} == {"created"}
    total = sum(1 + i % 5 for i in range(3000))
    assert -DatabaseLedger().system_balance(SystemRole.ISSUANCE, ZP) == total
