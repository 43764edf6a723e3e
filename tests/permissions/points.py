"""Permission cases for the points wallet, exchange, operator pages and API, and the batch
transfer endpoint (builders: tests/builders/points.py).

Every signed-in person has a wallet and may exchange their own work units; scenarios and
the rates in force are public; the programme (scenarios, rates, rules, campaigns, programme
operators, liability, forecast, shortfalls) and batch transfers are the zone operator's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from nomadcloud.points import book
from nomadcloud.points.programme import queries as programme_queries
from nomadcloud.points.programme import services as programme
from tests.builders.points import (
    SCENARIO,
    give_work_units,
    zone_scenario,
)
from tests.conftest import World
from tests.permissions import (
    AUTHENTICATED,
    EVERYONE,
    OPERATOR_ONLY,
    Case,
    expect,
)

API = "/api/v1/points"
PERSONA_USERS = ("olivia", "rita", "bob", "charlie", "wendy", "oscar")


def exchange_ready(w: World) -> str:
    """The scenario with a rate, and 100 work units for every persona."""
    zone_scenario(w)
    for name in PERSONA_USERS:
        give_work_units(getattr(w, name))
    return ""


def exchange_body(w: World) -> dict[str, Any]:
    return {"scenario": SCENARIO, "work_units": "12.50", "key": "perm-1"}


def batch_body(w: World) -> dict[str, Any]:
    programme.ensure_assets()
    account = book.person_account(w.rita, book.ZONE_POINTS)
    return {
        "transfers": [
            {
                "id": "grant-1",
                "kind": "transfer",
                "debit_account": "issuance:ZP:0",
                "credit_account": account,
                "amount": 50,
                "code": "programme_grant",
            }
        ]
    }


def future(days: int = 1) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


API_CASES = [
    Case("points scenarios", "GET", lambda w: f"{API}/scenarios", EVERYONE, api=True),
    Case(
        "points rates",
        "GET",
        lambda w: zone_scenario(w) and f"{API}/rates",
        EVERYONE,
        api=True,
        route=f"{API}/rates",
    ),
    Case("points wallet", "GET", lambda w: f"{API}/wallet", AUTHENTICATED, api=True),
    Case("points lots", "GET", lambda w: f"{API}/wallet/lots", AUTHENTICATED, api=True),
    Case("points expiry", "GET", lambda w: f"{API}/wallet/expiry", AUTHENTICATED, api=True),
    Case("points history", "GET", lambda w: f"{API}/wallet/history", AUTHENTICATED, api=True),
    Case("points statement", "GET", lambda w: f"{API}/wallet/statement", AUTHENTICATED, api=True),
    Case("points exchanges", "GET", lambda w: f"{API}/exchanges", AUTHENTICATED, api=True),
    Case(
        "points quote",
        "POST",
        lambda w: exchange_ready(w) + f"{API}/exchanges/quote",
        AUTHENTICATED,
        body=lambda w: {"scenario": SCENARIO, "work_units": "12.50"},
        api=True,
        route=f"{API}/exchanges/quote",
        changes=False,
    ),
    Case(
        "points exchange",
        "POST",
        lambda w: exchange_ready(w) + f"{API}/exchanges",
        AUTHENTICATED,
        body=exchange_body,
        api=True,
        route=f"{API}/exchanges",
    ),
    Case(
        "points operator scenarios",
        "GET",
        lambda w: f"{API}/operator/scenarios",
        OPERATOR_ONLY,
        api=True,
    ),
    Case(
        "points create scenario",
        "POST",
        lambda w: f"{API}/operator/scenarios",
        OPERATOR_ONLY,
        body=lambda w: {
            "code": "dongpo",
            "name_zh": "东坡书院",
            "name_en": "Dongpo Academy",
            "category": "culture_tourism",
            "own_points": True,
        },
        api=True,
    ),
    Case(
        "points update scenario",
        "PATCH",
        lambda w: zone_scenario(w) and f"{API}/operator/scenarios/{SCENARIO}",
        OPERATOR_ONLY,
        body=lambda w: {"active": False},
        api=True,
        route=f"{API}/operator/scenarios/{{code}}",
    ),
    Case("points rate history", "GET", lambda w: f"{API}/operator/rates", OPERATOR_ONLY, api=True),
    Case(
        "points publish rate",
        "POST",
        lambda w: zone_scenario(w) and f"{API}/operator/rates",
        OPERATOR_ONLY,
        body=lambda w: {"scenario": SCENARIO, "points_per_work_unit": "12"},
        api=True,
        route=f"{API}/operator/rates",
    ),
    Case("points rules", "GET", lambda w: f"{API}/operator/rules", OPERATOR_ONLY, api=True),
    Case(
        "points publish rule",
        "POST",
        lambda w: f"{API}/operator/rules",
        OPERATOR_ONLY,
        body=lambda w: {"asset": "ZP", "day_cap": 1000, "lock_days": 0},
        api=True,
    ),
    Case("points campaigns", "GET", lambda w: f"{API}/operator/campaigns", OPERATOR_ONLY, api=True),
    Case(
        "points publish campaign",
        "POST",
        lambda w: f"{API}/operator/campaigns",
        OPERATOR_ONLY,
        body=lambda w: {
            "code": "spring",
            "name_zh": "春季活动",
            "name_en": "Spring",
            "kind": "percent",
            "percent": "10",
            "starts_at": timezone.now().isoformat(),
            "ends_at": future(30),
        },
        api=True,
    ),
    Case("points liability", "GET", lambda w: f"{API}/operator/liability", OPERATOR_ONLY, api=True),
    Case("points forecast", "GET", lambda w: f"{API}/operator/forecast", OPERATOR_ONLY, api=True),
    Case(
        "points shortfalls", "GET", lambda w: f"{API}/operator/shortfalls", OPERATOR_ONLY, api=True
    ),
    Case(
        "points programme operators",
        "GET",
        lambda w: f"{API}/operator/programmes",
        OPERATOR_ONLY,
        api=True,
    ),
    Case(
        "points authorise programme",
        "POST",
        lambda w: f"{API}/operator/programmes",
        OPERATOR_ONLY,
        body=lambda w: {"organisation": str(w.globex.public_id), "asset": "ZP"},
        api=True,
    ),
    Case(
        "points batch transfers",
        "POST",
        lambda w: f"{API}/transfers/batch",
        expect(
            "operator",
            sees=("outsider", "readonly", "owner", "reviewer"),
            because="not_programme_operator",
        ),
        body=batch_body,
        api=True,
    ),
]

PAGE_CASES = [
    Case("wallet", "GET", lambda w: "/points/", AUTHENTICATED, url_name="points:wallet"),
    Case(
        "exchange preview",
        "POST",
        lambda w: exchange_ready(w) + "/points/exchange/",
        AUTHENTICATED,
        body=lambda w: {"scenario": SCENARIO, "work_units": "12.50"},
        url_name="points:exchange",
        changes=False,
    ),
    Case(
        "exchange confirm",
        "POST",
        lambda w: exchange_ready(w) + "/points/exchange/",
        AUTHENTICATED,
        body=lambda w: {
            "scenario": SCENARIO,
            "work_units": "12.50",
            "key": "page-1",
            "rate": programme_queries.rate_in_force(zone_scenario(w)).pk,  # type: ignore[union-attr]
            "confirm": "1",
        },
        url_name="points:exchange",
    ),
    Case(
        "wallet statement csv",
        "GET",
        lambda w: "/points/statement.csv?month=2026-11",
        AUTHENTICATED,
        url_name="points:statement_csv",
    ),
    Case(
        "points operator",
        "GET",
        lambda w: "/points/operator/",
        OPERATOR_ONLY,
        url_name="points:operator",
    ),
    Case(
        "operator creates a scenario",
        "POST",
        lambda w: "/points/operator/scenarios/",
        OPERATOR_ONLY,
        body=lambda w: {
            "code": "dongpo",
            "name_zh": "东坡书院",
            "name_en": "Dongpo Academy",
            "category": "culture_tourism",
            "own_scale": 0,
            "own_expiry_months": 12,
        },
        url_name="points:operator_scenario_create",
    ),
    Case(
        "operator edits a scenario",
        "POST",
        lambda w: zone_scenario(w) and f"/points/operator/scenarios/{SCENARIO}/",
        OPERATOR_ONLY,
        body=lambda w: {"name_zh": "海花岛2", "name_en": "Ocean Flower", "category": "dining"},
        url_name="points:operator_scenario_edit",
    ),
    Case(
        "operator publishes a rate",
        "POST",
        lambda w: zone_scenario(w) and "/points/operator/rates/",
        OPERATOR_ONLY,
        body=lambda w: {"scenario": SCENARIO, "points_per_work_unit": "11"},
        url_name="points:operator_rate_publish",
    ),
    Case(
        "operator publishes a rule",
        "POST",
        lambda w: programme.ensure_assets() or "/points/operator/rules/",
        OPERATOR_ONLY,
        body=lambda w: {
            "asset": "ZP",
            "day_cap": 500,
            "lock_days": 0,
            "expiry_months": 6,
            "expiry_days": 0,
        },
        url_name="points:operator_rule_publish",
    ),
    Case(
        "operator publishes a campaign",
        "POST",
        lambda w: programme.ensure_assets() or "/points/operator/campaigns/",
        OPERATOR_ONLY,
        body=lambda w: {
            "code": "spring",
            "name_zh": "春季活动",
            "name_en": "Spring",
            "kind": "fixed",
            "fixed_amount": 5,
            "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (timezone.localtime() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
            "asset": "ZP",
            "active": "on",
        },
        url_name="points:operator_campaign_publish",
    ),
    Case(
        "operator authorises a programme",
        "POST",
        lambda w: programme.ensure_assets() or "/points/operator/programmes/",
        OPERATOR_ONLY,
        body=lambda w: {
            "organisation": str(w.globex.public_id),
            "asset": "ZP",
            "active": "on",
            "confirm": "yes",
        },
        url_name="points:operator_programme",
    ),
    Case(
        "operator programme confirmation page",
        "GET",
        lambda w: (
            programme.ensure_assets()
            or f"/points/operator/programmes/?organisation={w.globex.public_id}&asset=ZP&active=on"
        ),
        OPERATOR_ONLY,
        url_name="points:operator_programme",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()

# The tables these requests write (the wallet, exchange and programme): the fingerprint covers them
# and the audit log.
APPS = ("points",)
