"""The figures of a chart, as the JSON data island that ``static/nomadcloud/charts.js`` draws
with Apache ECharts (docs/decisions/0014). A page puts ``{{ chart|json_script:"id" }}`` and
``<div data-chart="id">`` beside the table that says the same in text; tests read the island.

Values are plain numbers in the unit the page shows (e.g. points, not their smallest unit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

Kind = Literal["bar", "line", "funnel"]


@dataclass(frozen=True)
class Series:
    name: str
    data: list[float | int]
    stack: str = ""
    step: bool = False


@dataclass(frozen=True)
class Chart:
    kind: Kind
    title: str
    categories: list[str]
    series: list[Series] = field(default_factory=list)
    unit: str = ""

    def as_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": str(self.title),
            "unit": str(self.unit),
            "categories": [str(c) for c in self.categories],
            "series": [
                {"name": str(s.name), "data": list(s.data), "stack": s.stack, "step": s.step}
                for s in self.series
            ],
        }


def scaled(amount: int, scale: int) -> float | int:
    """An integer amount in the smallest unit as the number people read (2 places → /100)."""
    if not scale:
        return int(amount)
    return float(Decimal(amount).scaleb(-scale))
