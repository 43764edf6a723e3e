"""The demand funnel's data island (``demands/funnel.py``, drawn by charts.js)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation
from nomadcloud.core.charts import Chart, Series
from nomadcloud.demands.funnel import funnel_counts

register = template.Library()


@register.simple_tag
def demand_funnel(organisation: Organisation) -> dict[str, Any]:
    """``{"stages": [(name, count or None)], "chart": island}``: stages without figures
    (None) are listed in the text and left out of the chart."""
    stages = funnel_counts(organisation)
    shown = [(name, n) for name, n in stages if n is not None]
    chart = Chart(
        kind="funnel",
        title=_("Demand funnel"),
        categories=[name for name, _n in shown],
        series=[Series(_("Demand funnel"), [n for _name, n in shown if n is not None])],
    )
    return {"stages": stages, "chart": chart.as_data()}
