"""Builders for points merchants tests (moved from tests/permissions/points_merchants.py): the
objects the permission matrix and tests/test_points_merchants*.py start from."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.points import book
from nomadcloud.points import models as m
from nomadcloud.points.ledger import SystemRole
from nomadcloud.points.merchants.services import payments, settlement
from nomadcloud.points.merchants.services import registry as merchants
from tests.builders.world import World, make_org

SCENARIO = "haihua-island"
RATE = "0.1000"


def as_(user: User) -> Principal:
    return Principal.for_user(user)


def scenario() -> m.Scenario:
    """The culture-and-tourism scenario, spending zone points (ZP)."""
    book.ensure_assets()
    found, _created = m.Scenario.objects.get_or_create(
        code=SCENARIO,
        defaults={
            "name_zh": "海花岛文旅",
            "name_en": "Ocean Flower Island",
            "category": m.Scenario.Category.CULTURE_TOURISM,
            "asset_id": book.ZONE_POINTS,
        },
    )
    return found


def dining() -> m.Scenario:
    book.ensure_assets()
    found, _created = m.Scenario.objects.get_or_create(
        code="yangpu-dining",
        defaults={
            "name_zh": "洋浦美食",
            "name_en": "Yangpu dining",
            "category": m.Scenario.Category.DINING,
            "asset_id": book.ZONE_POINTS,
        },
    )
    return found


def zp() -> m.Asset:
    scenario()
    return m.Asset.objects.get(code=book.ZONE_POINTS)


def merchant_org(owner: User, name: str) -> Organisation:
    org = make_org(owner, name, kind="merchant")
    org.verification_status = Organisation.Verification.VERIFIED
    org.save(update_fields=["verification_status"])
    return org


def acme_merchant(w: World, rate: str | None = RATE) -> m.Merchant:
    """Acme as a verified merchant in the scenario, with a settlement rate in force."""
    found = m.Merchant.objects.filter(organisation=w.acme).first()
    if found is not None:
        return found
    Organisation.objects.filter(pk=w.acme.pk).update(
        kind=Organisation.Kind.MERCHANT, verification_status=Organisation.Verification.VERIFIED
    )
    w.acme.refresh_from_db()
    merchant = merchants.register_merchant(
        principal=as_(w.oscar), organisation=w.acme, scenario=scenario()
    )
    if rate is not None and not m.SettlementRate.objects.exists():
        settlement.publish_rate(
            principal=as_(w.oscar),
            asset=zp(),
            effective_from=settlement.today() - timedelta(days=30),
            cny_per_point=rate,
        )
    return merchant


def fund(user: User, amount: int) -> str:
    """Give the person zone points straight from issuance (test setup)."""
    ledger = book.ledger()
    account = book.person_account(user, book.ZONE_POINTS)
    result = ledger.transfer(
        f"test-fund:{uuid.uuid4().hex}",
        ledger.system_account(SystemRole.ISSUANCE, book.ZONE_POINTS, account),
        account,
        amount,
    )
    assert result.ok, result
    return account


def code_for(user: User) -> str:
    return payments.issue_code(principal=as_(user), asset=zp()).code


def held_payment(w: World, amount: int = 120, funds: int = 1000) -> m.Payment:
    merchant = acme_merchant(w)
    fund(w.wendy, funds)
    return payments.start_payment(
        principal=as_(w.olivia), merchant=merchant, code=code_for(w.wendy), amount=amount
    )


def confirmed_payment(w: World, amount: int = 120) -> m.Payment:
    payment = held_payment(w, amount)
    return payments.confirm_payment(principal=as_(w.olivia), payment=payment)


def tomorrow_morning() -> datetime:
    """The nightly settlement's clock: 00:10 tomorrow in the zone."""
    return datetime.combine(
        settlement.today() + timedelta(days=1), time(0, 10), tzinfo=settlement.zone()
    )


def settled_statement(w: World) -> m.Statement:
    confirmed_payment(w)
    run = settlement.settle(now=tomorrow_morning())
    assert run.statements, run
    return run.statements[0]


def today() -> date:
    return timezone.localdate()
