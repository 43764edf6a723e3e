"""Chart data islands any page can build (``core/charts.py``): ``{{ queue|age_chart:"created_at"
|json_script:"chart-queue" }}`` counts a queue's items by how long they have waited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.core.charts import queue_by_age

register = template.Library()


@register.filter
def age_chart(rows: Iterable[Any], attribute: str) -> dict[str, Any]:
    times = [getattr(row, attribute) for row in rows]
    return queue_by_age(
        [t for t in times if t is not None],
        timezone.now(),
        title=_("The queue by waiting time"),
        series=_("Waiting"),
    ).as_data()
