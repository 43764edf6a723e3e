"""Chart data islands for the points pages (``core/charts.py``, drawn by charts.js): the
expiry forecast and the points liability for the zone operator, a person's balance over their
history. Each filter returns the island's dict for ``json_script``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.core.charts import Chart, Series, scaled
from nomadcloud.points.programme.queries import ForecastRow, Liability
from nomadcloud.points.wallet.queries import Balance, HistoryLine

register = template.Library()


def forecast_data(row: ForecastRow) -> dict[str, Any]:
    """Per month: points in open lots that expire, and locked points that will (stacked);
    overdue points (expired, not yet swept) come first when there are any."""
    scale = row.asset.scale
    categories = [month for month, _lots, _locked in row.months]
    lots = [scaled(n, scale) for _month, n, _locked in row.months]
    locked = [scaled(n, scale) for _month, _lots, n in row.months]
    if row.overdue:
        categories.insert(0, _("Overdue"))
        lots.insert(0, scaled(row.overdue, scale))
        locked.insert(0, 0)
    return Chart(
        kind="bar",
        title=_("Expiry forecast: %(asset)s") % {"asset": row.label},
        categories=categories,
        series=[
            Series(_("Expiring"), lots, stack="expiry"),
            Series(_("Of which locked now"), locked, stack="expiry"),
        ],
        unit=row.asset.code,
    ).as_data()


def liability_data(rows: Iterable[Liability]) -> dict[str, Any]:
    """Outstanding points per kind, split by who holds them (stacked)."""
    rows = list(rows)
    parts: list[tuple[str, Callable[[Liability], int]]] = [
        (_("Spendable by persons"), lambda r: r.persons_spendable),
        (_("In payment holds"), lambda r: r.persons_held),
        (_("Expired, not yet swept"), lambda r: r.persons_expired),
        (_("Held by merchants and organisations"), lambda r: r.organisations),
        (_("Others"), lambda r: r.others),
    ]
    return Chart(
        kind="bar",
        title=_("Outstanding points (liability)"),
        categories=[f"{r.label} ({r.asset.code})" for r in rows],
        series=[
            Series(name, [scaled(value(r), r.asset.scale) for r in rows], stack="liability")
            for name, value in parts
        ],
    ).as_data()


def wallet_data(history: Iterable[HistoryLine], balances: Iterable[Balance]) -> dict[str, Any]:
    """The balance after each settled line shown, oldest first, one line per kind of points
    (pending holds do not move the balance until they settle, voided ones never do)."""
    # A voided or expired hold never moved the balance; a posted one did.
    lines = [line for line in history if not line.pending and line.hold_status in {"", "posted"}]
    current = {b.asset.code: b.balance for b in balances}
    codes = sorted({line.asset.code for line in lines})
    after: dict[str, dict[int, float | int]] = {}  # code → line index → balance after it
    for code in codes:
        running = current.get(code, 0)
        points: dict[int, float | int] = {}
        for index, line in enumerate(lines):  # newest first
            if line.asset.code == code:
                points[index] = scaled(running, line.asset.scale)
                running -= line.amount
        after[code] = points
    order = list(reversed(range(len(lines))))
    categories = [timezone.localtime(lines[i].timestamp).strftime("%Y-%m-%d %H:%M") for i in order]
    series = []
    for code in codes:
        points = after[code]
        mine = [line for line in lines if line.asset.code == code]
        # Before the oldest line shown: the balance less every line shown.
        last: float | int = scaled(
            current.get(code, 0) - sum(line.amount for line in mine), mine[0].asset.scale
        )
        data: list[float | int] = []
        for i in order:
            last = points.get(i, last)
            data.append(last)
        series.append(Series(code, data, step=True))
    return Chart(
        kind="line", title=_("Balance after each line"), categories=categories, series=series
    ).as_data()


@register.filter
def forecast_chart(row: ForecastRow) -> dict[str, Any]:
    return forecast_data(row)


@register.filter
def liability_chart(rows: Iterable[Liability]) -> dict[str, Any]:
    return liability_data(rows)


@register.filter
def wallet_chart(history: Iterable[HistoryLine], balances: Iterable[Balance]) -> dict[str, Any]:
    return wallet_data(history, balances)
