"""/api/v1/communities: listings and availability (public), the community operator's listing,
unit types, rates, bookings, check-in, walk-in and stay imports, the guest's bookings and
reviews, public security's registrations and the visit count. Amounts are decimal strings
in CNY. Handlers only translate HTTP to service calls.

One router per part, mounted in this order (literal paths such as ``/bookings/mine`` and
``/authorities`` before ``/{community_id}``, as Django tries URL patterns in order):
``bookings``, ``registrations`` (and the visit count), ``listings``, ``desk``, ``feeds`` and
``statistics``; ``_common`` holds the serialisation they share. The collection itself
(``GET``/``POST /communities``) is here, on the parent router: a child router mounted at
``""`` would answer at ``/communities/`` instead. Each operation keeps the id
it had before the split (``operation_id``), so the OpenAPI document does not change.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import Action as OrgAction
from nomadcloud.accounts.access import organisation_for
from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import queries, services
from nomadcloud.communities.api._common import CommunityRowOut, _community, _errors
from nomadcloud.communities.schemas import CommunityCreateIn, CommunityDraft, CommunityOut
from nomadcloud.core.api import CursorPagination

router = Router(tags=["communities"])
router.add_router("", "nomadcloud.communities.api.bookings.router")
router.add_router("", "nomadcloud.communities.api.registrations.router")
router.add_router("", "nomadcloud.communities.api.listings.router")
router.add_router("", "nomadcloud.communities.api.desk.router")
router.add_router("", "nomadcloud.communities.api.feeds.router")
router.add_router("", "nomadcloud.communities.api.statistics.router")


@router.get(
    "",
    **PUBLIC,
    response=_errors({200: list[CommunityRowOut]}),
    operation_id="nomadcloud_communities_api_list_communities",
)
@paginate(CursorPagination)
def list_communities(request: HttpRequest, **kwargs: Any) -> Any:
    """Listed communities (no personal data)."""
    return queries.listed_communities()


@router.post(
    "",
    response=_errors({201: CommunityOut}),
    operation_id="nomadcloud_communities_api_create_community",
)
def create_community(request: HttpRequest, payload: CommunityCreateIn) -> Status[Any]:
    principal = Principal.of(request)
    organisation = organisation_for(principal, payload.organisation, OrgAction.EDIT)
    draft = CommunityDraft.model_validate(payload.model_dump(exclude={"organisation"}))
    community = services.create_community(
        principal=principal, organisation=organisation, draft=draft
    )
    return Status(201, _community(community))
