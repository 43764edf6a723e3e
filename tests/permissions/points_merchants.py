"""Permission cases for paying at merchants, the cashier, statements and the operator's
merchant registry (builders: tests/builders/points_merchants.py).

In the matrix Acme is made a verified merchant in the culture-and-tourism scenario (zone
points): Olivia (owner) is its cashier, Rita (read-only) may only look. Wendy (reviewer
persona, no role in Acme) is the nomad who pays; Charlie (outsider) and Oscar (the zone
operator) have no role in Acme."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from nomadcloud.points.merchants.services import settlement
from tests.builders.points_merchants import (
    SCENARIO,
    acme_merchant,
    code_for,
    confirmed_payment,
    dining,
    fund,
    held_payment,
    merchant_org,
    scenario,
    settled_statement,
)
from tests.conftest import World, make_person
from tests.permissions import (
    AUTHENTICATED,
    MEMBERS_AND_OPERATOR,
    OPERATOR_ONLY,
    OWNER_ONLY,
    Case,
    expect,
)

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


def wendys_code(w: World) -> int:
    """The id of a payment code of Wendy's that Acme's cashier took (a held payment)."""
    from nomadcloud.points import models as m

    held_payment(w)
    code = m.PaymentCode.objects.filter(person=w.wendy).order_by("-id").first()
    assert code is not None
    return code.pk


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
        AUTHENTICATED,
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
        expect("owner", sees=("readonly", "operator"), because="not_a_cashier"),
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
        expect("owner", sees=("readonly", "operator"), because="not_a_cashier"),
        api=True,
        route=PAY + "/confirm",
    ),
    Case(
        "api cancel payment",
        "POST",
        lambda w: _payment_path(w) + "/cancel",
        expect("owner", sees=("readonly", "operator"), because="not_a_cashier"),
        api=True,
        route=PAY + "/cancel",
    ),
    Case(
        "api refund payment",
        "POST",
        lambda w: _payment_path(w, confirmed_payment) + "/refunds",
        expect("owner", sees=("readonly", "operator"), because="not_a_cashier"),
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
        AUTHENTICATED,
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
        AUTHENTICATED,
        url_name="points:pay",
    ),
    Case(
        "pay page makes a code",
        "POST",
        lambda w: (scenario(), "/points/pay/")[1],
        AUTHENTICATED,
        lambda w: {"asset": "ZP"},
        url_name="points:pay",
    ),
    Case(
        "payer's code status (polled by the pay page)",
        "GET",
        lambda w: f"/points/pay/codes/{wendys_code(w)}/status/",
        expect("reviewer"),
        url_name="points:pay_status",
    ),
    Case(
        "cashier home",
        "GET",
        lambda w: (acme_merchant(w), "/points/cashier/")[1],
        AUTHENTICATED,
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
        "cancel payment confirmation page",
        "GET",
        lambda w: _page_payment(w) + "cancel/",
        OWNER_ONLY,
        url_name="points:merchant_payment_cancel",
    ),
    Case(
        "cancel payment",
        "POST",
        lambda w: _page_payment(w) + "cancel/",
        OWNER_ONLY,
        lambda w: {"confirm": "yes"},
        url_name="points:merchant_payment_cancel",
    ),
    Case(
        "refund payment confirmation page",
        "GET",
        lambda w: _page_payment(w, confirmed_payment) + "refund/?amount=20&reason=wrong",
        OWNER_ONLY,
        url_name="points:merchant_payment_refund",
    ),
    Case(
        "refund payment",
        "POST",
        lambda w: _page_payment(w, confirmed_payment) + "refund/",
        OWNER_ONLY,
        lambda w: {"amount": "20", "reason": "退一部分", "confirm": "yes"},
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

# The apps whose tables these requests write (merchants, payments and statements): the fingerprint
# covers them and the audit log.
APPS = ("points",)
