"""Permission cases for money out: budgets and payouts are seen by the paying organisation's
members and the zone operator, moved by its owners and administrators and the zone operator
(``finance_only`` for a member who only sees them); lists are scoped, so everyone signed in
may ask."""

from __future__ import annotations

from tests.builders.payouts import acme_payout
from tests.permissions import AUTHENTICATED, MEMBERS_AND_OPERATOR, Case, expect

API = "/api/v1/payouts"
FINANCE = expect("owner", "operator", sees=("readonly",), because="finance_only")

API_CASES = [
    Case("api budgets", "GET", lambda w: f"{API}/budgets", AUTHENTICATED, api=True),
    Case(
        "api budget",
        "GET",
        lambda w: f"{API}/budgets/{acme_payout(w).budget.public_id}",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/budgets/{{budget_id}}",
    ),
    Case("api payouts", "GET", lambda w: f"{API}/payouts", AUTHENTICATED, api=True),
    Case(
        "api payout",
        "GET",
        lambda w: f"{API}/payouts/{acme_payout(w).public_id}",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/payouts/{{payout_id}}",
    ),
    Case(
        "api move a payout",
        "POST",
        lambda w: f"{API}/payouts/{acme_payout(w).public_id}/moves",
        FINANCE,
        body=lambda w: {"action": "schedule"},
        api=True,
        route=f"{API}/payouts/{{payout_id}}/moves",
    ),
]

PAGE_CASES = [
    Case("payouts page", "GET", lambda w: "/payouts/", AUTHENTICATED, url_name="payouts:index"),
    Case(
        "budget page",
        "GET",
        lambda w: f"/payouts/budgets/{acme_payout(w).budget.public_id}/",
        MEMBERS_AND_OPERATOR,
        url_name="payouts:budget",
    ),
    Case(
        "payout page",
        "GET",
        lambda w: f"/payouts/{acme_payout(w).public_id}/",
        MEMBERS_AND_OPERATOR,
        url_name="payouts:payout",
    ),
    Case(
        "move a payout",
        "POST",
        lambda w: f"/payouts/{acme_payout(w).public_id}/move/",
        FINANCE,
        body=lambda w: {"action": "schedule"},
        url_name="payouts:move",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()

APPS = ("payouts",)
