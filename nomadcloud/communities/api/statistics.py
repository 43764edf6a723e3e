"""A community's monthly statistics (旅文局)."""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import (
    access,
    statistics,
)
from nomadcloud.communities.api._common import _errors
from nomadcloud.core.errors import invalid_field

router = Router()


# ---- statistics (旅文局) -----------------------------------------------------------------------


class MonthOut(Schema):
    month: int
    stays: int
    nights: int
    visits: int
    foreign_visits: int
    booked: int
    available: int
    occupancy: float | None


class StatisticsOut(Schema):
    community: UUID
    year: int
    months: list[MonthOut]


@router.get(
    "/{community_id}/statistics",
    response=_errors({200: StatisticsOut}),
    operation_id="nomadcloud_communities_api_community_statistics",
)
def community_statistics(request: HttpRequest, community_id: UUID, year: int = 0) -> Any:
    """One community's stays begun, guest nights, visits counted (foreign ones too), booked
    and available unit-nights and occupancy by month of a year: aggregates only, for the
    tourism bureau (旅文局), the zone operator and the community's members."""
    community = access.statistics_for(Principal.of(request), community_id)
    this = timezone.localdate().year
    if year == 0:
        year = this
    if not 2000 <= year <= this + 1:
        raise invalid_field("year", _("Give a year from 2000 to next year."), code="bad_year")
    months = statistics.community_year(community, year)
    return {
        "community": community.public_id,
        "year": year,
        "months": [{**m.__dict__, "occupancy": m.occupancy} for m in months],
    }
