"""The arithmetic of the three approaches (nomadcloud/valuation/methods.py), to the cent, on
figures worked by hand. No database."""

from __future__ import annotations

from decimal import Decimal as D

from nomadcloud.valuation import methods


def test_the_cost_approach() -> None:
    # TC × (1 + R) × U = 100000 × 1.1 × 0.85
    assert methods.historical_cost(D("100000.00"), D("0.1"), D("0.85")) == D("93500.00")
    # replacement cost × (1 − depreciation)
    assert methods.replacement_cost(D("80000.00"), D("0.25")) == D("60000.00")


def test_the_income_approach_discounts_each_year_and_rounds_once() -> None:
    flows = methods.attributable([D("100000"), D("110000"), D("121000")], D("0.3"))
    assert flows == [D("30000.0"), D("33000.0"), D("36300.0")]
    # 30000/1.1 + 33000/1.21 + 36300/1.331 = 3 × 27272.7272…
    assert methods.present_value(flows, D("0.1")) == D("81818.18")


def test_the_terminal_value_is_gordons() -> None:
    # 10000/1.1 + 10000 × 1.02 / 0.08 / 1.1 = 9090.909… + 115909.090… = 125000
    assert methods.present_value([D("10000")], D("0.1"), D("0.02")) == D("125000.00")


def test_the_sensitivity_table_spans_i_and_n() -> None:
    flows = [D("30000"), D("33000"), D("36300")]
    cells = methods.sensitivity(flows, D("0.1"))
    assert {(c.rate, c.years) for c in cells} == {
        (D("0.1") + step, n)
        for step in (D("-0.02"), D("-0.01"), D(0), D("0.01"), D("0.02"))
        for n in (1, 2, 3)
    }
    base = next(c for c in cells if c.rate == D("0.1") and c.years == 3)
    assert base.value == D("81818.18")
    one_year = next(c for c in cells if c.rate == D("0.1") and c.years == 1)
    assert one_year.value == D("27272.73")
    # rates at or below g are left out, never divided by
    assert all(c.rate > D("0.09") for c in methods.sensitivity(flows, D("0.1"), D("0.09")))


def test_the_market_approach_averages_adjusted_comparables() -> None:
    adjusted = [
        methods.adjusted_price(D("100000"), [D("1.1"), D("0.9"), D(1), D(1), D(1)]),
        methods.adjusted_price(D("120000"), [D(1), D(1), D("0.95"), D(1), D(1)]),
        methods.adjusted_price(D("90000"), [D(1), D(1), D(1), D("1.2"), D(1)]),
    ]
    assert adjusted == [D("99000.00"), D("114000.00"), D("108000.0")]
    assert methods.market_value(adjusted) == D("107000.00")


def test_quality_and_reconciliation() -> None:
    scores = [(D("0.2"), D(90)), (D("0.2"), D(80)), (D("0.2"), D(70)), (D("0.2"), D(60)),
              (D("0.1"), D(100)), (D("0.1"), D(50))]  # fmt: skip
    assert methods.quality_coefficient(scores) == D("0.750000")
    final = methods.reconciled(
        {"cost": D("82500.00"), "income": D("81818.18"), "market": D("107000.00")},
        {"cost": D("0.2"), "income": D("0.5"), "market": D("0.3")},
    )
    assert final == D("89509.09")
