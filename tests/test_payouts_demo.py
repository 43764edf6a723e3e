"""The demo of money out, consent and the units registry: plan 004's units resolve by the
plan's spellings, the talent rewards budget has a payout in each state the finance officer
meets and its ledger explains it, and the demo nomads have consents (idempotent)."""

from __future__ import annotations

from decimal import Decimal

from nomadcloud.accounts import demo as accounts_demo
from nomadcloud.accounts import units
from nomadcloud.consent import demo as consent_demo
from nomadcloud.consent.models import ConsentRecord
from nomadcloud.payouts import demo as payouts_demo
from nomadcloud.payouts import services
from nomadcloud.payouts.models import Budget, Payout


def test_the_demo_seeds_units_budgets_payouts_and_consents(db: None) -> None:
    accounts_demo.seed(nomads=5)
    assert accounts_demo.seed_units()["units_created"] == len(accounts_demo.PLAN_UNITS)
    for text, code in [
        ("科工信局", "kegongxin"),
        ("市科工信局", "kegongxin"),
        ("环湾办", "huanwan"),
        ("公安", "gongan"),
        ("旅文局", "lvwen"),
        ("人社局", "renshe"),
        ("中行洋浦分行", "boc-yangpu"),
        ("市发展集团", "fazhan-jituan"),
        ("洋浦国际", "yangpu-guoji"),
    ]:
        assert units.resolve_unit(text).code == code, text
    assert payouts_demo.seed() == {"payouts": 5}
    budget = Budget.objects.get(programme_code="talent-rewards")
    assert sorted(Payout.objects.values_list("status", flat=True)) == [
        "approved",
        "confirmed",
        "failed",
        "paid",
        "paying",
    ]
    assert (budget.committed, budget.in_flight, budget.paid) == (
        Decimal("50000.00"),
        Decimal("80000.00"),
        Decimal("20000.00"),
    )
    assert services.balances(budget)["available"] == budget.available == Decimal("350000.00")
    assert consent_demo.seed() == {"consent_records": 3}
    assert ConsentRecord.objects.filter(withdrawn_at__isnull=False).count() == 1
    # Idempotent.
    assert accounts_demo.seed_units()["units_created"] == 0
    assert payouts_demo.seed() == {"payouts": 0}
    assert consent_demo.seed() == {"consent_records": 0}
