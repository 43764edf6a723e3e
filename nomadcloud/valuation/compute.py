"""The approaches run over a valuation's stored inputs (JSON of the steps' drafts), giving
the stored results. A snapshot is reproduced by running ``evaluate`` on its own inputs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nomadcloud.valuation import methods
from nomadcloud.valuation.inputs import CollectDraft, ComputeDraft, QualityDraft


def total_cost(collected: dict[str, Any]) -> Decimal:
    draft = CollectDraft.model_validate(
        {k: v for k, v in collected.items() if k in ("cost_lines", "notes")}
    )
    return sum((line.amount for line in draft.cost_lines), Decimal(0))


def quality_coefficient(quality: dict[str, Any]) -> Decimal:
    draft = QualityDraft.model_validate({"dimensions": quality["dimensions"]})
    return methods.quality_coefficient([(d.weight, d.score) for d in draft.dimensions])


def evaluate(
    collected: dict[str, Any], quality: dict[str, Any], inputs: dict[str, Any]
) -> dict[str, Any]:
    """The value by each approach used, with the parameters it read (all as strings)."""
    draft = ComputeDraft.model_validate(inputs)
    results: dict[str, Any] = {}
    if draft.cost is not None:
        cost = draft.cost
        if cost.basis == "replacement":
            assert cost.replacement_cost is not None
            value = methods.replacement_cost(cost.replacement_cost, cost.depreciation)
            parameters = {
                "replacement_cost": str(cost.replacement_cost),
                "depreciation": str(cost.depreciation),
            }
        else:
            tc = total_cost(collected)
            u = cost.adjustment if cost.adjustment is not None else quality_coefficient(quality)
            value = methods.historical_cost(tc, cost.return_rate, u)
            parameters = {
                "total_cost": str(tc),
                "return_rate": str(cost.return_rate),
                "adjustment": str(u),
                "adjustment_source": "given" if cost.adjustment is not None else "quality",
            }
        results["cost"] = {"value": str(value), "basis": cost.basis, "parameters": parameters}
    if draft.income is not None:
        income = draft.income
        flows = methods.attributable(income.cash_flows, income.share)
        value = methods.present_value(flows, income.discount_rate, income.terminal_growth)
        results["income"] = {
            "value": str(value),
            "attribution": income.attribution,
            "attributable": [str(methods.cents(f)) for f in flows],
            "parameters": {
                "discount_rate": str(income.discount_rate),
                "years": len(flows),
                "share": str(income.share),
                "terminal_growth": (
                    None if income.terminal_growth is None else str(income.terminal_growth)
                ),
            },
            "sensitivity": [
                {"rate": str(c.rate), "years": c.years, "value": str(c.value)}
                for c in methods.sensitivity(flows, income.discount_rate, income.terminal_growth)
            ],
        }
    if draft.market is not None:
        adjusted = [
            methods.adjusted_price(c.price, [c.quality, c.value_density, c.date, c.volume, c.other])
            for c in draft.market.comparables
        ]
        results["market"] = {
            "value": str(methods.market_value(adjusted)),
            "comparables": [
                {
                    "reference": c.reference,
                    "price": str(c.price),
                    "adjusted": str(methods.cents(a)),
                    "related_party": c.related_party,
                }
                for c, a in zip(draft.market.comparables, adjusted, strict=True)
            ],
        }
    return results
