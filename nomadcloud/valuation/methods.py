"""The three approaches of 《数据资产评估指导意见》(中评协〔2023〕17号) and 资产评估专家指引第9号,
in exact decimals (docs/valuation.md). Pure functions: the services store their inputs and
results, and a snapshot is reproduced by running them again on the stored inputs.

- cost: TC × (1 + R) × U (historical cost), or replacement cost × (1 − depreciation);
- income: DCF Σ F_t / (1 + i)^t with F_t the data-attributable part of the cash flow of
  year t (royalty split, excess earnings or incremental), plus an optional Gordon terminal
  value F_n·(1 + g)/(i − g) discounted at (1 + i)^n; a sensitivity table over i and n;
- market: the mean over at least three comparables of Q × X1 × X2 × X3 × X4 × X5 (quality,
  value density, date, volume, other).

Every money result is rounded half up to the cent at the end, never on the way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.000001")
PRECISION = 40


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def historical_cost(total_cost: Decimal, return_rate: Decimal, adjustment: Decimal) -> Decimal:
    """TC × (1 + R) × U."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return cents(total_cost * (1 + return_rate) * adjustment)


def replacement_cost(cost: Decimal, depreciation: Decimal) -> Decimal:
    """Replacement cost × (1 − depreciation rate)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return cents(cost * (1 - depreciation))


def attributable(cash_flows: Sequence[Decimal], share: Decimal) -> list[Decimal]:
    """The data-attributable cash flow of each year (cash flow × share), unrounded."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return [flow * share for flow in cash_flows]


def present_value(
    flows: Sequence[Decimal], rate: Decimal, growth: Decimal | None = None
) -> Decimal:
    """Σ F_t/(1+i)^t for t = 1..n, plus F_n(1+g)/(i−g)/(1+i)^n when ``growth`` is given.
    The caller has refused i ≤ 0 and i ≤ g."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        total = Decimal(0)
        factor = Decimal(1)
        for flow in flows:
            factor *= 1 + rate
            total += flow / factor
        if growth is not None and flows:
            total += flows[-1] * (1 + growth) / (rate - growth) / factor
        return cents(total)


@dataclass(frozen=True)
class SensitivityCell:
    rate: Decimal
    years: int
    value: Decimal


def sensitivity(
    flows: Sequence[Decimal],
    rate: Decimal,
    growth: Decimal | None = None,
    *,
    rate_steps: Sequence[Decimal] = (
        Decimal("-0.02"),
        Decimal("-0.01"),
        Decimal(0),
        Decimal("0.01"),
        Decimal("0.02"),
    ),
) -> list[SensitivityCell]:
    """The value over i ± 1 and 2 percentage points and n, n−1, n−2 years (only rates above
    zero and above g; only at least one year)."""
    cells = []
    n = len(flows)
    for years in (n - 2, n - 1, n):
        if years < 1:
            continue
        for step in rate_steps:
            i = rate + step
            if i <= 0 or (growth is not None and i <= growth):
                continue
            cells.append(SensitivityCell(i, years, present_value(flows[:years], i, growth)))
    return cells


def adjusted_price(price: Decimal, factors: Sequence[Decimal]) -> Decimal:
    """Q × X1 × … × X5 (unrounded)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        value = price
        for factor in factors:
            value *= factor
        return value


def market_value(adjusted: Sequence[Decimal]) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return cents(sum(adjusted, Decimal(0)) / len(adjusted))


def quality_coefficient(scores: Sequence[tuple[Decimal, Decimal]]) -> Decimal:
    """Σ weight × score / 100 over the six dimensions (weights sum to 1, scores 0–100)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        total = sum((w * s for w, s in scores), Decimal(0)) / 100
        return total.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def reconciled(values: dict[str, Decimal], weights: dict[str, Decimal]) -> Decimal:
    """Σ weight × method value over the methods given a weight."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return cents(sum((values[m] * w for m, w in weights.items()), Decimal(0)))
