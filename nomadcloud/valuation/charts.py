"""The bubble watch's charts (docs/decisions/0014): the category price index, and BSADF
against its critical value; the alert page shows the same figures in a table."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from nomadcloud.core.charts import Chart, Series


def index_chart(evidence: dict[str, Any]) -> dict[str, Any]:
    series = evidence.get("series", [])
    return Chart(
        kind="line",
        title=_("Category price index (first observation = 100)"),
        categories=[m for m, _v in series],
        series=[Series(name=_("Price index"), data=[v for _m, v in series])],
    ).as_data()


def bsadf_chart(evidence: dict[str, Any]) -> dict[str, Any]:
    rows = evidence.get("bsadf", [])
    return Chart(
        kind="line",
        title=_("Backward SADF statistic and its critical value"),
        categories=[m for m, _b, _c in rows],
        series=[
            Series(name=_("BSADF"), data=[b for _m, b, _c in rows]),
            Series(name=_("Critical value"), data=[c for _m, _b, c in rows]),
        ],
    ).as_data()
