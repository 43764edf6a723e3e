"""The wallet page (balances, preview then confirm of an exchange, expiry statement, history,
monthly statement and its CSV), the operator's programme page and its forms, and the demo
programme."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation

from nomadcloud.accounts.principal import Principal
from nomadcloud.points import book
from nomadcloud.points import models as m
from nomadcloud.points.programme import queries as programme_queries
from nomadcloud.points.programme import services as programme
from nomadcloud.points.wallet import queries as wallet
from nomadcloud.points.wallet import services as exchange
from tests.builders.points import SCENARIO, give_work_units, zone_scenario
from tests.conftest import World, client_for, database_fingerprint
from tests.helpers import assert_page_refused

ZP = book.ZONE_POINTS


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_the_wallet_shows_balances_rates_and_the_exchange_form(world: World) -> None:
    zone_scenario(world)
    give_work_units(world.rita, "12.50")
    page = client_for(world.rita, HTTP_ACCEPT_LANGUAGE="en").get("/points/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="balance-WU-amount">12.50<' in html
    assert 'data-testid="balance-ZP-amount">0<' in html
    assert "1 work unit = 10 Zone points" in html
    assert "Work units for a proof of work" in html


def test_preview_changes_nothing_then_confirm_exchanges(world: World) -> None:
    zone_scenario(world)
    give_work_units(world.rita, "12.50")
    client = client_for(world.rita, HTTP_ACCEPT_LANGUAGE="en")
    before = database_fingerprint()
    preview = client.post("/points/exchange/", {"scenario": SCENARIO, "work_units": "3.33"})
    assert preview.status_code == 200
    assert database_fingerprint() == before
    confirm = preview.context["confirm"]
    assert preview.context["quote"].points == 33
    html = preview.content.decode()
    assert 'data-testid="quote-total" data-total="33"' in html
    data = {name: confirm.initial[name] for name in ("scenario", "work_units", "key", "rate")}
    done = client.post("/points/exchange/", {**data, "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == "/points/"
    # a double submit of the same confirmation is the same exchange
    assert client.post("/points/exchange/", {**data, "confirm": "1"}).status_code == 302
    assert m.Exchange.objects.count() == 1
    page = client.get("/points/").content.decode()
    assert "Exchanged 3.33 work units for 33 Zone points." in page
    assert 'data-testid="balance-ZP-amount">33<' in page
    assert "Points from an exchange of work units" in page


def test_a_refused_exchange_is_shown_on_the_form(world: World) -> None:
    zone_scenario(world)
    give_work_units(world.rita, "1.00")
    client = client_for(world.rita, HTTP_ACCEPT_LANGUAGE="en")
    before = database_fingerprint()
    response = client.post("/points/exchange/", {"scenario": SCENARIO, "work_units": "5"})
    assert_page_refused(response, 422, "Not enough work units: you have 1.00.")
    stale = client.post(
        "/points/exchange/",
        {"scenario": SCENARIO, "work_units": "1", "key": "k", "rate": 999999, "confirm": "1"},
    )
    assert_page_refused(stale, 422, "The exchange rate has changed since your preview")
    assert database_fingerprint() == before


def test_statement_and_csv(world: World) -> None:
    zone_scenario(world)
    give_work_units(world.rita, "20.00")
    exchange.exchange(
        principal=Principal.for_user(world.rita),
        scenario=zone_scenario(world),
        work_units=500,
        key="s1",
    )
    month = timezone.localdate()
    st = wallet.statement(world.rita, month.year, month.month)
    assert [
        (line.asset.code, line.opening, line.credits, line.debits, line.closing)
        for line in st.lines
    ] == [("WU", 0, 2000, 500, 1500), ("ZP", 0, 50, 0, 50)]
    next_month = (month.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    later = wallet.statement(world.rita, *map(int, next_month.split("-")))
    assert [(line.opening, line.credits, line.closing) for line in later.lines] == [
        (1500, 0, 1500),
        (50, 0, 50),
    ]
    client = client_for(world.rita, HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(f"/points/statement.csv?month={month:%Y-%m}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == ["Asset", "Opening balance", "Credits", "Debits", "Closing balance"]
    assert rows[2] == ["WU", "0.00", "20.00", "5.00", "15.00"]
    assert rows[3] == ["ZP", "0", "50", "0", "50"]
    reasons = [row[3] for row in rows[6:]]
    assert reasons == [
        "Work units for a proof of work",
        "Work units exchanged for points",
        "Points from an exchange of work units",
    ]
    assert [row[2] for row in rows[6:]] == ["+20.00", "-5.00", "+50"]
    assert client.get("/points/statement.csv?month=bad").status_code == 302


def test_wallet_history_pages(world: World) -> None:
    zone_scenario(world)
    give_work_units(world.rita, "50.00")
    for i in range(12):
        exchange.exchange(
            principal=Principal.for_user(world.rita),
            scenario=zone_scenario(world),
            work_units=100,
            key=f"h{i}",
        )
    client = client_for(world.rita, HTTP_ACCEPT_LANGUAGE="en")
    first = client.get("/points/")
    assert len(first.context["history"]) == 20 and first.context["more"]
    second = client.get(f"/points/?before={first.context['more']}")
    assert len(second.context["history"]) == 5 and second.context["more"] is None


def test_operator_page_and_forms(world: World) -> None:
    zone_scenario(world)
    client = client_for(world.oscar, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get("/points/operator/")
    assert page.status_code == 200
    assert 'data-testid="liability-ZP"' in page.content.decode()
    created = client.post(
        "/points/operator/scenarios/",
        {
            "code": "shentou",
            "name_zh": "神头港",
            "name_en": "Shentou",
            "category": "coworking",
            "own_points": "on",
            "own_scale": 0,
            "own_expiry_months": 6,
        },
    )
    assert created.status_code == 302
    assert m.Scenario.objects.get(code="shentou").asset_id == "S-SHENTOU"
    bad_rate = client.post(
        "/points/operator/rates/", {"scenario": "shentou", "points_per_work_unit": "0"}
    )
    assert bad_rate.status_code == 422
    rate = client.post(
        "/points/operator/rates/", {"scenario": "shentou", "points_per_work_unit": "1.5"}
    )
    assert rate.status_code == 302
    assert programme_queries.rate_in_force(m.Scenario.objects.get(code="shentou")) is not None
    past = (timezone.localtime() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(
        "/points/operator/rates/",
        {"scenario": "shentou", "points_per_work_unit": "2", "valid_from": past},
    )
    assert_page_refused(refused, 422, "cannot take effect in the past")
    rule = client.post(
        "/points/operator/rules/",
        {
            "asset": "S-SHENTOU",
            "lock_days": 2,
            "expiry_months": 1,
            "expiry_days": 0,
            "week_cap": 300,
        },
    )
    assert rule.status_code == 302
    assert programme_queries.rule_in_force("S-SHENTOU").week_cap == 300  # type: ignore[union-attr]
    edit = client.post(
        "/points/operator/scenarios/shentou/",
        {"name_zh": "神头港", "name_en": "Shentou", "category": "coworking"},
    )
    assert edit.status_code == 302
    assert m.Scenario.objects.get(code="shentou").active is False
    assert client.get("/points/operator/scenarios/nowhere/").status_code == 404


def test_the_operator_page_lists_shortfalls(world: World) -> None:
    from nomadcloud.proofs import services as proofs

    zone_scenario(world)
    credential = give_work_units(world.rita, "10.00")
    exchange.exchange(
        principal=Principal.for_user(world.rita),
        scenario=zone_scenario(world),
        work_units=800,
        key="x",
    )
    proofs.revoke(principal=Principal.for_user(world.oscar), credential=credential, reason="x")
    html = client_for(world.oscar, HTTP_ACCEPT_LANGUAGE="en").get("/points/operator/").content
    assert b'data-testid="shortfall" data-shortfall="800"' in html
    assert str(credential.public_id).encode() in html


def test_the_demo_programme_populates_the_wallets(db: None) -> None:
    from nomadcloud.accounts import demo as accounts_demo
    from nomadcloud.accounts.models import User
    from nomadcloud.points.programme import demo as programme_demo

    accounts_demo.seed(nomads=2)
    first = programme_demo.seed()
    assert first == {"points_scenarios": 6, "points_exchanges": 3}
    assert programme_demo.seed() == {"points_scenarios": 0, "points_exchanges": 0}
    nomad = User.objects.get(email="nomad@demo.nomadcloud.cn")
    balances = {b.asset.code: b.balance for b in wallet.balances(nomad)}
    assert balances == {"WU": 18640 - 5250, "ZP": 440 + 110}
    emma = User.objects.get(email="emma@demo.nomadcloud.cn")
    assert {b.asset.code: b.balance for b in wallet.balances(emma)}["S-SHENTOU-COWORKING"] == 45
    assert m.Campaign.objects.get(code="launch").percent == Decimal("10.00")


def test_wallet_and_operator_pages_use_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    operator = Principal.for_user(world.oscar)
    for i in range(8):
        scenario = programme.create_scenario(
            principal=operator,
            code=f"s{i}",
            name_zh=f"场景{i}",
            name_en=f"Scenario {i}",
            category="dining",
            own_points=i % 2 == 0,
        )
        programme.publish_rate(
            principal=operator, scenario=scenario, points_per_work_unit=Decimal(2)
        )
    give_work_units(world.rita, "90.00")
    for i in range(8):
        exchange.exchange(
            principal=Principal.for_user(world.rita),
            scenario=m.Scenario.objects.get(code=f"s{i}"),
            work_units=500,
            key=f"q{i}",
        )
    rita = client_for(world.rita)
    with django_assert_max_num_queries(32):
        assert rita.get("/points/").status_code == 200
    oscar = client_for(world.oscar)
    with django_assert_max_num_queries(32):
        assert oscar.get("/points/operator/").status_code == 200
