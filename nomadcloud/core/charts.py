"""The figures of a chart, as the JSON data island that ``static/nomadcloud/charts.js`` draws
with Apache ECharts (docs/decisions/0014). A page puts ``{{ chart|json_script:"id" }}`` and
``<div data-chart="id">`` beside the table that says the same in text; tests read the island.

Values are plain numbers in the unit the page shows (e.g. points, not their smallest unit)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext_noop

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


# A queue's items by how long they have waited: the buckets' upper bounds in days.
AGE_BUCKETS: tuple[tuple[float, str], ...] = (
    (1, gettext_noop("under 1 day")),
    (3, gettext_noop("1–3 days")),
    (7, gettext_noop("3–7 days")),
    (14, gettext_noop("1–2 weeks")),
    (float("inf"), gettext_noop("over 2 weeks")),
)


def age_counts(times: Iterable[datetime], now: datetime) -> list[int]:
    """How many of ``times`` fall in each of ``AGE_BUCKETS`` (age = now − time)."""
    counts = [0] * len(AGE_BUCKETS)
    for at in times:
        days = (now - at).total_seconds() / 86400
        for index, (bound, _label) in enumerate(AGE_BUCKETS):
            if days < bound:
                counts[index] += 1
                break
    return counts


def queue_by_age(times: Iterable[datetime], now: datetime, title: str, series: str) -> Chart:
    from django.utils.translation import gettext

    return Chart(
        kind="bar",
        title=title,
        categories=[gettext(label) for _bound, label in AGE_BUCKETS],
        series=[Series(series, list(age_counts(times, now)))],
    )
