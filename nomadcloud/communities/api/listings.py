"""Communities and their listings: the public list and page, the authorities, availability,
and the community operator's listing, unit types and rate plans."""

from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from nomadcloud.accounts.access import (
    require_zone_operator,
)
from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import (
    access,
    authorities,
    inventory,
    services,
)
from nomadcloud.communities.access import Action
from nomadcloud.communities.api._common import (
    MAX_AVAILABILITY_NIGHTS,
    _community,
    _errors,
    _unit,
)
from nomadcloud.communities.models import (
    Authority,
    UnitType,
)
from nomadcloud.communities.schemas import (
    AvailabilityOut,
    CommunityDraft,
    CommunityOut,
    RatePlanDraft,
    RatePlanOut,
    UnitTypeDraft,
    UnitTypeOut,
)
from nomadcloud.communities.text import tr
from nomadcloud.core.errors import NotFound, invalid_field
from nomadcloud.core.schemas import Input, IsoDate

router = Router()


# ---- authorities (the zone operator) ---------------------------------------------------------


class AuthorityIn(Input):
    """A unit named by code, name or alias (``accounts.units``), and its role."""

    unit: str = Field(..., min_length=1, max_length=200)
    role: Literal["designation", "police", "statistics"]


class AuthorityOut(Schema):
    unit: UUID
    unit_name: str
    role: str


def _authority(row: Authority) -> dict[str, Any]:
    org = row.organisation
    return {
        "unit": org.public_id,
        "unit_name": tr({"zh-Hans": org.name_zh, "en": org.name_en}),
        "role": row.role,
    }


@router.get(
    "/authorities",
    response=_errors({200: list[AuthorityOut]}),
    operation_id="nomadcloud_communities_api_list_authorities",
)
def list_authorities(request: HttpRequest) -> Any:
    """The departments acting towards communities (zone operator only)."""
    require_zone_operator(Principal.of(request))
    rows = Authority.objects.select_related("organisation").order_by("role", "organisation_id")
    return [_authority(r) for r in rows]


@router.post(
    "/authorities",
    response=_errors({200: AuthorityOut}),
    operation_id="nomadcloud_communities_api_set_authority",
)
def set_authority(request: HttpRequest, payload: AuthorityIn) -> Any:
    """Give a department a role towards communities; the unit is resolved through the units
    registry (``unknown_unit`` with suggestions, ``not_a_department``)."""
    row = authorities.set_authority(
        principal=Principal.of(request), unit=payload.unit, role=payload.role
    )
    return _authority(row)


@router.get(
    "/{community_id}",
    **PUBLIC,
    response=_errors({200: CommunityOut}),
    operation_id="nomadcloud_communities_api_get_community",
)
def get_community(request: HttpRequest, community_id: UUID) -> Any:
    """A listed community with its unit types and rates; its members, the designating
    department and the zone operator also see it unlisted."""
    principal = Principal.of(request)
    try:
        return _community(access.public_community(community_id), public=True)
    except NotFound:
        if not principal.is_authenticated:
            raise
    return _community(access.community_for(principal, community_id, Action.VIEW))


class AvailabilityQuery(Schema):
    start: IsoDate
    end: IsoDate


@router.get(
    "/{community_id}/availability",
    **PUBLIC,
    response=_errors({200: list[AvailabilityOut]}),
    operation_id="nomadcloud_communities_api_availability",
)
def availability(
    request: HttpRequest, community_id: UUID, filters: Query[AvailabilityQuery]
) -> Any:
    """Free units per unit type and night of [start, end) (at most 92 nights)."""
    community = access.public_community(community_id)
    if filters.end <= filters.start:
        raise invalid_field("end", _("The departure must be after the arrival."))
    if (filters.end - filters.start).days > MAX_AVAILABILITY_NIGHTS:
        raise invalid_field(
            "end", _("Ask for at most %(n)s nights.") % {"n": MAX_AVAILABILITY_NIGHTS}
        )
    rows = []
    for unit in community.unit_types.filter(active=True).order_by("id"):
        for night, free in inventory.free_by_night(unit, filters.start, filters.end).items():
            rows.append({"unit_type": unit.public_id, "night": night, "free": free})
    return rows


# ---- the community operator ---------------------------------------------------------------


@router.put(
    "/{community_id}",
    response=_errors({200: CommunityOut}),
    operation_id="nomadcloud_communities_api_update_community",
)
def update_community(request: HttpRequest, community_id: UUID, payload: CommunityDraft) -> Any:
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    return _community(
        services.update_community(principal=principal, community=community, draft=payload)
    )


@router.post(
    "/{community_id}/unit-types",
    response=_errors({201: UnitTypeOut}),
    operation_id="nomadcloud_communities_api_add_unit_type",
)
def add_unit_type(request: HttpRequest, community_id: UUID, payload: UnitTypeDraft) -> Status[Any]:
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    unit = services.add_unit_type(principal=principal, community=community, draft=payload)
    return Status(201, _unit(unit))


@router.post(
    "/{community_id}/unit-types/{unit_type_id}/rate-plans",
    response=_errors({201: RatePlanOut}),
    operation_id="nomadcloud_communities_api_add_rate_plan",
)
def add_rate_plan(
    request: HttpRequest, community_id: UUID, unit_type_id: UUID, payload: RatePlanDraft
) -> Status[Any]:
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    unit = UnitType.objects.filter(public_id=unit_type_id, community=community).first()
    if unit is None:
        raise NotFound(_("No such unit type."))
    plan = services.add_rate_plan(principal=principal, unit_type=unit, draft=payload)
    return Status(
        201,
        {
            "id": plan.public_id,
            "name": tr(plan.name),
            "names": plan.name,
            "per": plan.per,
            "price": str(plan.price),
            "min_nights": plan.min_nights,
            "active": plan.active,
        },
    )
