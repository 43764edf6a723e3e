"""The facts incentives records itself for two policies whose facts nothing else holds:

- ``community_investment`` (plan 004 task 12, 社区示范点固定资产投资奖励): fixed-asset
  investments a community operator records with evidence (``Investment``), counted only up to
  the statistics bureau's 纳统 figure for the community and year. The bureau imports that
  figure through the dashboard's statistics import as the official indicator
  ``incentives.community_investment`` (per unit: ``REF_ENTITY`` = the community operator's
  unified social credit code; docs/dashboard.md); an approved or published figure counts.
  Investments are counted in date order while their running total stays within the figure;
  the rest is flagged ``not_statistics_confirmed``, and a claim whose recorded total is above
  the figure, or that has no figure, is refused (``above_statistics_figure``,
  ``statistics_figure_missing``).
- ``events`` (plan 004 task 13, 会议会展奖励): conferences and exhibitions an organiser records
  with their declared attendance and its evidence (``Conference``); the department checks each
  one item by item when the claim is verified (经核定).

Both are registered with ``facts.register_provider`` at start-up, so the nightly job computes
their entitlements and claims flow through the same review as every other policy."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation
from nomadcloud.core import indicators
from nomadcloud.core.errors import Conflict
from nomadcloud.core.money import format_cny
from nomadcloud.dashboard.models import Observation
from nomadcloud.incentives import facts
from nomadcloud.incentives.models import Conference, Investment

STATISTICS_INDICATOR = "incentives.community_investment"
INVESTMENT_FACTS = "community_investment"
CONFERENCE_FACTS = "events"
COUNTED_STATUSES = (Observation.Status.APPROVED, Observation.Status.PUBLISHED)


def _year(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def statistics_figures(year: int, credit_codes: set[str]) -> dict[str, Decimal]:
    """{credit code: the bureau's 纳统 fixed-asset investment for the year}, the latest
    approved or published figure of each unit (a superseded one never counts)."""
    codes = {c.upper() for c in credit_codes if c}
    if not codes:
        return {}
    rows = (
        Observation.objects.filter(
            indicator=STATISTICS_INDICATOR,
            period=str(year),
            entity__in=codes,
            status__in=COUNTED_STATUSES,
        )
        .order_by("id")
        .values_list("entity", "value")
    )
    return {entity: value.quantize(Decimal("0.01")) for entity, value in rows}


def statistics_figure(organisation: Organisation, year: int) -> Decimal | None:
    code = (organisation.credit_code or "").upper()
    return statistics_figures(year, {code}).get(code)


def investments(year: int, org_ids: set[int] | None) -> dict[int, list[dict[str, Any]]]:
    """{community operator id: investment items of the year}, each flagged
    ``statistics_confirmed`` while the running total stays within the 纳统 figure."""
    first, last = _year(year)
    query = Investment.objects.filter(invested_on__range=(first, last))
    if org_ids is not None:
        query = query.filter(organisation_id__in=org_ids)
    rows = list(
        query.order_by("organisation_id", "invested_on", "id").values_list(
            "public_id",
            "organisation_id",
            "organisation__credit_code",
            "invested_on",
            "amount",
            "category",
        )
    )
    figures = statistics_figures(year, {r[2] for r in rows})
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    running: dict[int, Decimal] = defaultdict(Decimal)
    for public_id, org, code, on, amount, category in rows:
        figure = figures.get((code or "").upper())
        running[org] += amount
        out[org].append(
            {
                "id": str(public_id),
                "date": on.isoformat(),
                "amount": str(amount),
                "category": category,
                "statistics_figure": None if figure is None else str(figure),
                "statistics_confirmed": figure is not None and running[org] <= figure,
            }
        )
    return out


def check_investment_claim(organisation: Organisation, year: int) -> None:
    """A claim for the year is refused while the bureau has no 纳统 figure for the community,
    or when the investments recorded exceed it (the operator corrects them first)."""
    figure = statistics_figure(organisation, year)
    if figure is None:
        raise Conflict(
            _(
                "The statistics bureau has no 纳统 fixed-asset investment figure for this"
                " community and year yet; the claim opens once it is imported."
            ),
            code="statistics_figure_missing",
            fields={"year": [_("No 纳统 figure for this year.")]},
        )
    first, last = _year(year)
    recorded = sum(
        Investment.objects.filter(
            organisation=organisation, invested_on__range=(first, last)
        ).values_list("amount", flat=True),
        Decimal(0),
    )
    if recorded > figure:
        message = _(
            "The investments recorded (%(recorded)s) exceed the statistics bureau's 纳统 figure"
            " (%(figure)s) for this year; correct the records or ask the bureau first."
        ) % {"recorded": format_cny(recorded), "figure": format_cny(figure)}
        raise Conflict(message, code="above_statistics_figure", fields={"year": [message]})


def conferences(year: int, org_ids: set[int] | None) -> dict[int, list[dict[str, Any]]]:
    """{organiser id: conference items of the year} (dated by their first day)."""
    first, last = _year(year)
    query = Conference.objects.filter(starts_on__range=(first, last))
    if org_ids is not None:
        query = query.filter(organiser_id__in=org_ids)
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in query.order_by("starts_on", "id"):
        out[c.organiser_id].append(
            {
                "id": str(c.public_id),
                "date": c.starts_on.isoformat(),
                "ends_on": c.ends_on.isoformat(),
                "participants": c.participants,
                "international": c.international,
                "title": c.title_zh,
                "title_en": c.title_en,
                "venue": c.venue,
            }
        )
    return out


def register() -> None:
    indicators.indicator(
        STATISTICS_INDICATOR,
        unit="currency-CNY",
        definition={
            "zh-Hans": "数字游民社区示范点固定资产投资（统计局纳统，按单位、按年）",
            "en": "Fixed-asset investment of nomad-community demonstration sites (counted by"
            " the statistics bureau, per unit and year)",
        },
        period="year",
        dimensions=("entity",),
        owner="tongji",
        app="incentives",
        order=90,
    )
    facts.register_provider(INVESTMENT_FACTS, investments, claim_check=check_investment_claim)
    facts.register_provider(CONFERENCE_FACTS, conferences)
