"""Per-community statistics by month for the tourism bureau (旅文局), the zone operator and
the community itself: stays begun, guest nights, visits counted (and foreign ones) and
occupancy (booked unit-nights over available unit-nights). Aggregates only: no guest is
named, so the bureau sees no personal data. A handful of grouped queries per year."""

from __future__ import annotations

import calendar as cal
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.communities.models import Community, NightInventory, Stay, UnitType, Visit
from nomadcloud.core.charts import Chart, Series


@dataclass(frozen=True)
class Month:
    month: int
    stays: int
    nights: int
    visits: int
    foreign_visits: int
    booked: int  # unit-nights booked
    available: int  # unit-nights on offer

    @property
    def occupancy(self) -> float | None:
        """Booked over available unit-nights, in per cent (one decimal)."""
        return round(100 * self.booked / self.available, 1) if self.available else None


def _by_month(rows: object, key: str = "n") -> dict[int, int]:
    return {int(r["month"]): int(r[key] or 0) for r in rows}  # type: ignore[attr-defined]


def community_year(community: Community, year: int) -> list[Month]:
    first, last = date(year, 1, 1), date(year, 12, 31)
    stays = _by_month(
        Stay.objects.filter(community=community, arrived_on__year=year)
        .annotate(month=ExtractMonth("arrived_on"))
        .values("month")
        .annotate(n=Count("id"))
    )
    visit_rows = (
        Visit.objects.filter(community=community, arrived_on__year=year)
        .annotate(month=ExtractMonth("arrived_on"))
        .values("month")
        .annotate(n=Count("id"), foreign=Count("id", filter=~Q(nationality="CN")))
    )
    visits = _by_month(visit_rows)
    foreign = _by_month(visit_rows, "foreign")
    booked = _by_month(
        NightInventory.objects.filter(unit_type__community=community, night__year=year)
        .annotate(month=ExtractMonth("night"))
        .values("month")
        .annotate(n=Sum("booked"))
    )
    units = (
        UnitType.objects.filter(community=community, active=True).aggregate(n=Sum("count"))["n"]
        or 0
    )
    # Guest nights of the stays overlapping the year, each night in its month.
    today = timezone.localdate()
    nights = [0] * 13
    overlapping = Stay.objects.filter(community=community, arrived_on__lte=last).filter(
        Q(departed_on__isnull=True) | Q(departed_on__gt=first)
    )
    for arrived, departed in overlapping.values_list("arrived_on", "departed_on").iterator():
        start = max(arrived, first)
        end = min(departed or max(today, arrived), last + timedelta(days=1))
        day = start
        while day < end:
            month_end = date(day.year, day.month, cal.monthrange(day.year, day.month)[1])
            chunk_end = min(end, month_end + timedelta(days=1))
            nights[day.month] += (chunk_end - day).days
            day = chunk_end
    return [
        Month(
            month=m,
            stays=stays.get(m, 0),
            nights=nights[m],
            visits=visits.get(m, 0),
            foreign_visits=foreign.get(m, 0),
            booked=booked.get(m, 0),
            available=units * cal.monthrange(year, m)[1],
        )
        for m in range(1, 13)
    ]


def totals(months: list[Month]) -> Month:
    return Month(
        month=0,
        stays=sum(m.stays for m in months),
        nights=sum(m.nights for m in months),
        visits=sum(m.visits for m in months),
        foreign_visits=sum(m.foreign_visits for m in months),
        booked=sum(m.booked for m in months),
        available=sum(m.available for m in months),
    )


def charts(year: int, months: list[Month]) -> tuple[Chart, Chart]:
    """The two charts of the page: stays and visits (bars), occupancy (line, %)."""
    labels = [f"{year}-{m.month:02d}" for m in months]
    activity = Chart(
        kind="bar",
        title=_("Stays and visits by month"),
        categories=labels,
        series=[
            Series(_("Stays begun"), [m.stays for m in months]),
            Series(_("Visits counted"), [m.visits for m in months]),
        ],
    )
    occupancy = Chart(
        kind="line",
        title=_("Occupancy by month"),
        categories=labels,
        series=[Series(_("Occupancy"), [m.occupancy or 0 for m in months])],
        unit="%",
    )
    return activity, occupancy


def all_communities(year: int) -> list[tuple[Community, Month]]:
    """Each listed community's (or one with stays) totals of the year, for the bureau's
    overview: one grouped query per figure, whatever the number of communities."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    days = 366 if cal.isleap(year) else 365
    rows = list(
        Community.objects.filter(Q(stays__isnull=False) | Q(listed=True)).distinct().order_by("id")
    )

    def per(qs: object, key: str = "community", value: str = "n") -> dict[int, int]:
        return {int(r[key]): int(r[value] or 0) for r in qs}  # type: ignore[attr-defined]

    stays = per(
        Stay.objects.filter(arrived_on__year=year).values("community").annotate(n=Count("id"))
    )
    visit_rows = list(
        Visit.objects.filter(arrived_on__year=year)
        .values("community")
        .annotate(n=Count("id"), foreign=Count("id", filter=~Q(nationality="CN")))
    )
    booked = per(
        NightInventory.objects.filter(night__year=year)
        .values("unit_type__community")
        .annotate(n=Sum("booked")),
        "unit_type__community",
    )
    units = per(UnitType.objects.filter(active=True).values("community").annotate(n=Sum("count")))
    nights: dict[int, int] = {}
    today = timezone.localdate()
    overlapping = Stay.objects.filter(arrived_on__lte=last).filter(
        Q(departed_on__isnull=True) | Q(departed_on__gt=first)
    )
    for community_id, arrived, departed in overlapping.values_list(
        "community_id", "arrived_on", "departed_on"
    ).iterator():
        start = max(arrived, first)
        end = min(departed or max(today, arrived), last + timedelta(days=1))
        nights[community_id] = nights.get(community_id, 0) + max((end - start).days, 0)
    return [
        (
            c,
            Month(
                month=0,
                stays=stays.get(c.pk, 0),
                nights=nights.get(c.pk, 0),
                visits=per(visit_rows).get(c.pk, 0),
                foreign_visits=per(visit_rows, value="foreign").get(c.pk, 0),
                booked=booked.get(c.pk, 0),
                available=units.get(c.pk, 0) * days,
            ),
        )
        for c in rows
    ]
