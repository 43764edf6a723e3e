"""Costs the platform itself has paid for the holder, read from the datatasks and orders
ledgers (read only) and proposed on the collect form, each with its source: labour paid for
the holder's data-processing batches (accepted work) and for its orders (the nomads' share of
settled orders, else the accepted milestones), between the day the data began and the
valuation date. The valuer keeps, changes or clears each line; what is collected cites the
batch or order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum

from nomadcloud.datatasks.models import AcceptedWork
from nomadcloud.orders.models import Milestone, SettlementLine
from nomadcloud.valuation.models import Valuation


def proposed_costs(valuation: Valuation) -> list[dict[str, Any]]:
    """Cost lines (category, amount as text, source) for ``valuation``'s holder, largest first."""
    holder = valuation.asset.holder
    since, until = valuation.asset.data_since, valuation.valuation_date
    lines: list[dict[str, Any]] = []
    batches = (
        AcceptedWork.objects.filter(
            batch__organisation=holder, accepted_at__date__gte=since, accepted_at__date__lte=until
        )
        .values("batch__public_id", "batch__title_zh", "batch__title_en")
        .annotate(total=Sum("amount"))
    )
    for b in batches:
        title = b["batch__title_zh"] or b["batch__title_en"]
        lines.append(_line(b["total"], f"datatasks batch {b['batch__public_id']} · {title}"))
    settled = (
        SettlementLine.objects.filter(
            settlement__order__organisation=holder,
            settlement__recorded_at__date__gte=since,
            settlement__recorded_at__date__lte=until,
        )
        .values("settlement__order__public_id", "settlement__order__title_zh",
                "settlement__order__title_en")
        .annotate(total=Sum("to_nomad"))
    )  # fmt: skip
    for s in settled:
        title = s["settlement__order__title_zh"] or s["settlement__order__title_en"]
        lines.append(_line(s["total"], f"order {s['settlement__order__public_id']} · {title}"))
    accepted = (
        Milestone.objects.filter(
            order__organisation=holder,
            order__settlement__isnull=True,
            status=Milestone.Status.ACCEPTED,
            accepted_at__date__gte=since,
            accepted_at__date__lte=until,
        )
        .values("order__public_id", "order__title_zh", "order__title_en")
        .annotate(total=Sum("amount"))
    )
    for m in accepted:
        title = m["order__title_zh"] or m["order__title_en"]
        lines.append(_line(m["total"], f"order {m['order__public_id']} · {title}"))
    lines = [line for line in lines if Decimal(line["amount"]) > 0]
    return sorted(lines, key=lambda line: -Decimal(line["amount"]))


def _line(total: Decimal | None, source: str) -> dict[str, Any]:
    amount = (total or Decimal(0)).quantize(Decimal("0.01"))
    return {"category": "labour", "amount": str(amount), "source": source[:200]}


def initial_rows(lines: list[dict[str, Any]], rows: int) -> dict[str, str]:
    """The collect form's initial values: one row per line; when there are more lines than
    rows, the last row sums the rest and names them."""
    if len(lines) > rows:
        rest = lines[rows - 1 :]
        total = sum((Decimal(line["amount"]) for line in rest), Decimal(0))
        sources = "; ".join(line["source"].split(" · ")[0] for line in rest)
        lines = [*lines[: rows - 1], {"category": "labour", "amount": str(total),
                                      "source": sources[:200]}]  # fmt: skip
    initial: dict[str, str] = {}
    for i, line in enumerate(lines):
        for key in ("category", "amount", "source"):
            initial[f"cost_lines-{i}-{key}"] = line[key]
    return initial
