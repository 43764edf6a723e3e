"""The demo merchants (called from ``seed_demo`` after the points programme): the five demo
merchant organisations registered into consumption scenarios by the operator persona, a
settlement rate for zone points, and one payment by 林小雨 at 海花岛文旅度假区 taken by the
cashier persona (黄伟), so that ``make run`` shows a working cashier. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from nomadcloud.accounts.demo import DEMO_DOMAIN
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import DomainError
from nomadcloud.points import book
from nomadcloud.points import models as m
from nomadcloud.points.merchants.services import payments, settlement
from nomadcloud.points.merchants.services import registry as merchants

# merchant (Chinese name), scenario code
REGISTRATIONS = [
    ("海花岛文旅度假区", "haihua-island"),
    ("儋州东坡书院文化街", "dongpo-academy"),
    ("洋浦椰林海鲜餐厅", "coconut-dining"),
    ("儋州白马井渔港民宿", "haihua-island"),
    ("洋浦公交出行服务", "yangpu-bus"),
]
ZP_RATE = "0.1000"  # CNY per zone point


def seed() -> dict[str, int]:
    operator = User.objects.filter(email=f"operator@{DEMO_DOMAIN}").first()
    if operator is None:
        return {"points_merchants": 0}
    principal = Principal.for_user(operator)
    registered = 0
    for name_zh, scenario_code in REGISTRATIONS:
        organisation = Organisation.objects.filter(
            kind=Organisation.Kind.MERCHANT, name_zh=name_zh
        ).first()
        scenario = m.Scenario.objects.filter(code=scenario_code, active=True).first()
        if organisation is None or scenario is None:
            continue
        if m.Merchant.objects.filter(organisation=organisation).exists():
            continue
        merchants.register_merchant(
            principal=principal, organisation=organisation, scenario=scenario
        )
        registered += 1
    if (
        m.Asset.objects.filter(code=book.ZONE_POINTS).exists()
        and not m.SettlementRate.objects.filter(asset_id=book.ZONE_POINTS).exists()
    ):
        settlement.publish_rate(
            principal=principal,
            asset=m.Asset.objects.get(code=book.ZONE_POINTS),
            effective_from=settlement.today() - timedelta(days=30),
            cny_per_point=ZP_RATE,
        )
    return {"points_merchants": registered, "points_demo_payments": _demo_payment()}


def _demo_payment() -> int:
    cashier = User.objects.filter(email=f"cashier@{DEMO_DOMAIN}").first()
    nomad = User.objects.filter(email=f"nomad@{DEMO_DOMAIN}").first()
    merchant = m.Merchant.objects.filter(organisation__name_zh=REGISTRATIONS[0][0]).first()
    if cashier is None or nomad is None or merchant is None:
        return 0
    if m.Payment.objects.filter(merchant=merchant, person=nomad).exists():
        return 0
    try:
        issued = payments.issue_code(
            principal=Principal.for_user(nomad), asset=merchant.scenario.asset
        )
        payment = payments.start_payment(
            principal=Principal.for_user(cashier), merchant=merchant, code=issued.code, amount=120
        )
        payments.confirm_payment(principal=Principal.for_user(cashier), payment=payment)
    except DomainError:  # e.g. the nomad's points are not spendable yet
        return 0
    return 1
