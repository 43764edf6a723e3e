"""Permission cases for paying at merchants, the cashier, statements and the operator's
merchant registry; and the shared builders the merchant tests use
(tests/test_points_merchants*.py, tests/test_points_payments*.py).

In the matrix Acme is made a verified merchant in the culture-and-tourism scenario (zone
points): Olivia (owner) is its cashier, Rita (read-only) may only look. Wendy (reviewer
persona, no role in Acme) is the nomad who pays; Charlie (outsider) and Oscar (the zone
operator) have no role in Acme."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.points import book
from nomadcloud.points import models as m
from nomadcloud.points.ledger import SystemRole
from nomadcloud.points.merchants.services import payments, settlement
from nomadcloud.points.merchants.services import registry as merchants
from tests.conftest import PERSONAS, World, make_org, make_person
from tests.permissions import (
    ALLOW,
    DENY,
    MEMBERS_AND_OPERATOR,
    OPERATOR_ONLY,
    OWNER_ONLY,
    Case,
)

SIGNED_IN = dict.fromkeys(PERSONAS, ALLOW) | {"anonymous": DENY}
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


# ---- the matrix ----------------------------------------------------------------------------

API = "/api/v1/points"


def _org(w: World) -> str:
    return str(acme_merchant(w).organisation.public_id)


def _payment_path(w: World, build: Any = held_payment) -> str:
    payment = build(w)
    return f"{API}/merchants/{payment.merchant.organisation.public_id}/payments/{payment.public_id}"


def _page_payment(w: World, build: Any = held_payment) -> str:
    payment = build(w)
    return (
        f"/points/merchants/{payment.merchant.organisation.public_id}/payments/{payment.public_id}/"
    )


def _statement_path(w: World) -> str:
    s = settled_statement(w)
    return f"{API}/merchants/{s.merchant.organisation.public_id}/statements/{s.public_id}"


def _page_statement(w: World) -> str:
    s = settled_statement(w)
    return f"/points/merchants/{s.merchant.organisation.public_id}/statements/{s.public_id}"


def _pay_body(w: World) -> dict[str, Any]:
    fund(w.wendy, 500)
    return {"code": code_for(w.wendy), "amount": 50}


def _candidate(w: World) -> dict[str, Any]:
    scenario()
    org = merchant_org(
        make_person("Mia Merchant", f"mia-{uuid.uuid4().hex[:6]}@example.com"), "Mia Cafe"
    )
    return {"organisation": str(org.public_id), "scenario": SCENARIO}


ORG = "{org_id}"
PAY = f"{API}/merchants/{{org_id}}/payments/{{payment_id}}"
STATEMENT = f"{API}/merchants/{{org_id}}/statements/{{statement_id}}"

API_CASES = [
    Case(
        "api create payment code",
        "POST",
        lambda w: (scenario(), f"{API}/pay/codes")[1],
        SIGNED_IN,
        lambda w: {"asset": "ZP"},
        api=True,
        route=f"{API}/pay/codes",
    ),
    Case(
        "api list merchants",
        "GET",
        lambda w: (acme_merchant(w), f"{API}/merchants")[1],
        OPERATOR_ONLY,
        api=True,
        route=f"{API}/merchants",
    ),
    Case(
        "api register merchant",
        "POST",
        lambda w: f"{API}/merchants",
        OPERATOR_ONLY,
        _candidate,
        api=True,
        route=f"{API}/merchants",
    ),
    Case(
        "api get merchant",
        "GET",
        lambda w: f"{API}/merchants/{_org(w)}",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/merchants/{ORG}",
    ),
    Case(
        "api update merchant",
        "PATCH",
        lambda w: f"{API}/merchants/{_org(w)}",
        OPERATOR_ONLY,
        lambda w: {"scenario": dining().code},
        api=True,
        route=f"{API}/merchants/{ORG}",
    ),
    Case(
        "api start payment",
        "POST",
        lambda w: f"{API}/merchants/{_org(w)}/payments",
        OWNER_ONLY,
        _pay_body,
        api=True,
        route=f"{API}/merchants/{ORG}/payments",
    ),
    Case(
        "api list payments",
        "GET",
        lambda w: (held_payment(w), f"{API}/merchants/{_org(w)}/payments")[1],
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/merchants/{ORG}/payments",
    ),
    Case(
        "api get payment",
        "GET",
        _payment_path,
        MEMBERS_AND_OPERATOR,
        api=True,
        route=PAY,
    ),
    Case(
        "api confirm payment",
        "POST",
        lambda w: _payment_path(w) + "/confirm",
        OWNER_ONLY,
        api=True,
        route=PAY + "/confirm",
    ),
    Case(
        "api cancel payment",
        "POST",
        lambda w: _payment_path(w) + "/cancel",
        OWNER_ONLY,
        api=True,
        route=PAY + "/cancel",
    ),
    Case(
        "api refund payment",
        "POST",
        lambda w: _payment_path(w, confirmed_payment) + "/refunds",
        OWNER_ONLY,
        lambda w: {"amount": 20, "reason": "少上了一道菜"},
        api=True,
        route=PAY + "/refunds",
    ),
    Case(
        "api list statements",
        "GET",
        lambda w: (settled_statement(w), f"{API}/merchants/{_org(w)}/statements")[1],
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/merchants/{ORG}/statements",
    ),
    Case(
        "api get statement",
        "GET",
        _statement_path,
        MEMBERS_AND_OPERATOR,
        api=True,
        route=STATEMENT,
    ),
    Case(
        "api statement csv",
        "GET",
        lambda w: _statement_path(w) + "/csv",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=STATEMENT + "/csv",
    ),
    Case(
        "api list settlement rates",
        "GET",
        lambda w: (acme_merchant(w), f"{API}/settlement/rates")[1],
        SIGNED_IN,
        api=True,
        route=f"{API}/settlement/rates",
    ),
    Case(
        "api publish settlement rate",
        "POST",
        lambda w: (scenario(), f"{API}/settlement/rates")[1],
        OPERATOR_ONLY,
        lambda w: {
            "asset": "ZP",
            "effective_from": str(settlement.today() + timedelta(days=1)),
            "cny_per_point": "0.1200",
        },
        api=True,
        route=f"{API}/settlement/rates",
    ),
    Case(
        "api day statements",
        "GET",
        lambda w: (settled_statement(w), f"{API}/settlement/statements")[1],
        OPERATOR_ONLY,
        api=True,
        route=f"{API}/settlement/statements",
    ),
    Case(
        "api day statements csv",
        "GET",
        lambda w: (settled_statement(w), f"{API}/settlement/statements/csv")[1],
        OPERATOR_ONLY,
        api=True,
        route=f"{API}/settlement/statements/csv",
    ),
]

PAGE_CASES = [
    Case(
        "pay page",
        "GET",
        lambda w: (scenario(), "/points/pay/")[1],
        SIGNED_IN,
        url_name="points:pay",
    ),
    Case(
        "pay page makes a code",
        "POST",
        lambda w: (scenario(), "/points/pay/")[1],
        SIGNED_IN,
        lambda w: {"asset": "ZP"},
        url_name="points:pay",
    ),
    Case(
        "cashier home",
        "GET",
        lambda w: (acme_merchant(w), "/points/cashier/")[1],
        SIGNED_IN,
        url_name="points:cashier_home",
    ),
    Case(
        "merchant registry",
        "GET",
        lambda w: (acme_merchant(w), "/points/merchants/")[1],
        OPERATOR_ONLY,
        url_name="points:merchant_registry",
    ),
    Case(
        "register merchant",
        "POST",
        lambda w: "/points/merchants/register/",
        OPERATOR_ONLY,
        _candidate,
        url_name="points:merchant_register",
    ),
    Case(
        "publish settlement rate",
        "POST",
        lambda w: (scenario(), "/points/merchants/rates/")[1],
        OPERATOR_ONLY,
        lambda w: {
            "asset": "ZP",
            "effective_from": str(settlement.today() + timedelta(days=2)),
            "cny_per_point": "0.1100",
        },
        url_name="points:merchant_rate_publish",
    ),
    Case(
        "day statements csv",
        "GET",
        lambda w: (settled_statement(w), "/points/merchants/statements.csv")[1],
        OPERATOR_ONLY,
        url_name="points:merchant_day_csv",
    ),
    Case(
        "merchant page",
        "GET",
        lambda w: f"/points/merchants/{_org(w)}/",
        MEMBERS_AND_OPERATOR,
        url_name="points:merchant_detail",
    ),
    Case(
        "update merchant",
        "POST",
        lambda w: f"/points/merchants/{_org(w)}/update/",
        OPERATOR_ONLY,
        lambda w: {"scenario": SCENARIO},  # unchecked "active": stop accepting points
        url_name="points:merchant_update",
    ),
    Case(
        "cashier page",
        "GET",
        lambda w: (held_payment(w), f"/points/merchants/{_org(w)}/cashier/")[1],
        MEMBERS_AND_OPERATOR,
        url_name="points:merchant_cashier",
    ),
    Case(
        "cashier holds points",
        "POST",
        lambda w: f"/points/merchants/{_org(w)}/cashier/",
        OWNER_ONLY,
        lambda w: {**_pay_body(w), "amount": "50"},
        url_name="points:merchant_cashier",
    ),
    Case(
        "payment page",
        "GET",
        _page_payment,
        MEMBERS_AND_OPERATOR,
        url_name="points:merchant_payment",
    ),
    Case(
        "confirm payment",
        "POST",
        lambda w: _page_payment(w) + "confirm/",
        OWNER_ONLY,
        url_name="points:merchant_payment_confirm",
    ),
    Case(
        "cancel payment",
        "POST",
        lambda w: _page_payment(w) + "cancel/",
        OWNER_ONLY,
        url_name="points:merchant_payment_cancel",
    ),
    Case(
        "refund payment",
        "POST",
        lambda w: _page_payment(w, confirmed_payment) + "refund/",
        OWNER_ONLY,
        lambda w: {"amount": "20", "reason": "退一部分"},
        url_name="points:merchant_payment_refund",
    ),
    Case(
        "statement page",
        "GET",
        lambda w: _page_statement(w) + "/",
        MEMBERS_AND_OPERATOR,
        url_name="points:merchant_statement",
    ),
    Case(
        "statement csv",
        "GET",
        lambda w: _page_statement(w) + ".csv",
        MEMBERS_AND_OPERATOR,
        url_name="points:merchant_statement_csv",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()
