"""The demands part of /api/v1/: enterprise demands (push by organisation key or member
session, upsert by external id), job profile tags and feeds. Handlers only translate HTTP to
service calls."""

from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.core.errors import invalid_field
from nomadcloud.demands import access, applications, queries, services, syncing
from nomadcloud.demands.access import Action
from nomadcloud.demands.models import Demand
from nomadcloud.demands.schemas import (
    ApplicationDecisionIn,
    ApplicationIn,
    ApplicationOut,
    DemandCreateIn,
    DemandDetailOut,
    DemandOut,
    DemandPatch,
    DemandUpsertIn,
    FeedIn,
    FeedOut,
    FeedSyncOut,
    KindName,
    TagIn,
    TagOut,
    TransitionIn,
)
from nomadcloud.taxonomy import naming

router = Router(tags=["demands"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


class DemandQuery(Schema):
    skill: str = Field(
        "", description="A skill or tool by code or name (Chinese or English): nc.python, 数据标注"
    )
    kind: KindName | None = None
    remote: bool | None = None
    budget_min: int | None = None
    budget_max: int | None = None
    language: str = Field("", description="A working language by ISO code or name: zh, 中文")
    organisation: UUID | None = None


def _filters(query: DemandQuery) -> queries.DemandFilters:
    from decimal import Decimal

    return queries.DemandFilters(
        skill=naming.filter_code(query.skill, field="skill"),
        kind=query.kind or "",
        remote=query.remote,
        budget_min=Decimal(query.budget_min) if query.budget_min is not None else None,
        budget_max=Decimal(query.budget_max) if query.budget_max is not None else None,
        language=naming.language_iso(query.language, field="language")
        if query.language.strip()
        else "",
        organisation=str(query.organisation) if query.organisation else "",
    )


def _organisation(principal: Principal, org_id: UUID | None) -> Organisation:
    """The enterprise a push acts for: the key's own organisation, or the one named."""
    key_org = principal.key_organisation
    if org_id is None:
        if key_org is None:
            raise invalid_field(
                "organisation", _("Name the enterprise (its id) the demand belongs to.")
            )
        org_id = key_org.public_id
    return access.enterprise_for(principal, org_id, Action.EDIT)


@router.get("", **PUBLIC, response=_errors({200: list[DemandOut]}))
@paginate(CursorPagination)
def list_demands(request: HttpRequest, filters: Query[DemandQuery], **kwargs: Any) -> Any:
    """Published demands, and all demands of your own organisations."""
    principal = Principal.of(request)
    return queries.filter_demands(queries.demands_visible_to(principal), _filters(filters))


@router.post("", response=_errors({201: DemandDetailOut}))
def create_demand(request: HttpRequest, payload: DemandCreateIn) -> Status[Any]:
    """Create a demand (a draft unless `status` says otherwise)."""
    principal = Principal.of(request)
    organisation = _organisation(principal, payload.organisation)
    demand = services.create_demand(
        principal=principal,
        organisation=organisation,
        draft=payload.draft(),
        source=Demand.Source.API,
        external_id=payload.external_id,
        status=payload.status,
    )
    return Status(201, demand)


@router.put(
    "/external/{external_id}", response=_errors({200: DemandDetailOut, 201: DemandDetailOut})
)
def upsert_demand(
    request: HttpRequest, external_id: str, payload: DemandUpsertIn, response: HttpResponse
) -> Status[Any]:
    """Create or update the demand with your system's id. Sending the same payload again
    changes nothing (answer 200 with `X-NomadCloud-Outcome: unchanged`)."""
    principal = Principal.of(request)
    organisation = _organisation(principal, payload.organisation)
    demand, outcome = services.upsert_demand(
        principal=principal,
        organisation=organisation,
        external_id=external_id,
        source=Demand.Source.API,
        draft=payload.draft(),
        status=payload.status,
    )
    response["X-NomadCloud-Outcome"] = outcome
    return Status(201 if outcome == "created" else 200, demand)


@router.get("/{demand_id}", **PUBLIC, response=_errors({200: DemandDetailOut}))
def get_demand(request: HttpRequest, demand_id: UUID) -> Any:
    return access.demand_for(Principal.of(request), demand_id, Action.VIEW)


@router.patch("/{demand_id}", response=_errors({200: DemandDetailOut}))
def patch_demand(request: HttpRequest, demand_id: UUID, payload: DemandPatch) -> Any:
    principal = Principal.of(request)
    demand = access.demand_for(principal, demand_id, Action.EDIT)
    return services.update_demand(
        principal=principal, demand=demand, changes=payload, source=Demand.Source.API
    )


@router.post("/{demand_id}/status", response=_errors({200: DemandDetailOut}))
def change_status(request: HttpRequest, demand_id: UUID, payload: TransitionIn) -> Any:
    """Publish, pause, close or mark filled (draft → published ⇄ paused → closed/filled)."""
    principal = Principal.of(request)
    demand = access.demand_for(principal, demand_id, Action.EDIT)
    return services.change_status(
        principal=principal,
        demand=demand,
        status=payload.status,
        note=payload.note,
        source=Demand.Source.API,
    )


@router.post("/{demand_id}/profile-tags", response=_errors({201: TagOut}))
def add_tag(request: HttpRequest, demand_id: UUID, payload: TagIn) -> Status[Any]:
    principal = Principal.of(request)
    demand = access.demand_for(principal, demand_id, Action.EDIT)
    tag = services.add_profile_tag(principal=principal, demand=demand, code=payload.code)
    return Status(201, tag)


@router.delete("/{demand_id}/profile-tags/{tag_id}", response=_errors({204: None}))
def remove_tag(request: HttpRequest, demand_id: UUID, tag_id: int) -> Status[Any]:
    """Remove a tag; an extracted tag stays removed when the profile is derived again."""
    principal = Principal.of(request)
    demand = access.demand_for(principal, demand_id, Action.EDIT)
    services.remove_profile_tag(principal=principal, demand=demand, tag_id=tag_id)
    return Status(204, None)


@router.get("/organisations/{org_id}/feeds", response=_errors({200: list[FeedOut]}), tags=["feeds"])
@paginate(CursorPagination)
def list_feeds(request: HttpRequest, org_id: UUID, **kwargs: Any) -> Any:
    organisation = access.enterprise_for(Principal.of(request), org_id, Action.VIEW)
    return queries.feeds_of(organisation)


@router.post("/organisations/{org_id}/feeds", response=_errors({201: FeedOut}), tags=["feeds"])
def add_feed(request: HttpRequest, org_id: UUID, payload: FeedIn) -> Status[Any]:
    principal = Principal.of(request)
    organisation = access.enterprise_for(principal, org_id, Action.MANAGE_CONNECTORS)
    feed = services.add_feed(
        principal=principal, organisation=organisation, url=payload.url, format=payload.format
    )
    return Status(201, feed)


@router.post("/feeds/{feed_id}/sync", response=_errors({200: FeedOut}), tags=["feeds"])
def sync_feed(request: HttpRequest, feed_id: int) -> Any:
    """Pull the feed now (as a background job); its report appears under /syncs."""
    principal = Principal.of(request)
    feed = access.feed_for(principal, feed_id, Action.EDIT)
    syncing.request_feed_sync(principal=principal, feed=feed)
    return feed


@router.get("/feeds/{feed_id}/syncs", response=_errors({200: list[FeedSyncOut]}), tags=["feeds"])
@paginate(CursorPagination)
def list_syncs(request: HttpRequest, feed_id: int, **kwargs: Any) -> Any:
    feed = access.feed_for(Principal.of(request), feed_id, Action.VIEW)
    return queries.syncs_of(feed)


# --- applications -------------------------------------------------------------------------------


@router.post(
    "/{demand_id}/applications", response=_errors({201: ApplicationOut}), tags=["applications"]
)
def apply(request: HttpRequest, demand_id: UUID, payload: ApplicationIn) -> Status[Any]:
    """Apply to a published job or project: a note, a proposed rate (a string of digits),
    your availability and the public ids of your own proofs of work."""
    principal = Principal.of(request)
    demand = access.demand_for(principal, demand_id, Action.VIEW)
    application = applications.apply(principal=principal, demand=demand, draft=payload)
    return Status(201, application)


@router.get(
    "/{demand_id}/applications",
    response=_errors({200: list[ApplicationOut]}),
    tags=["applications"],
)
@paginate(CursorPagination)
def list_applications(request: HttpRequest, demand_id: UUID, **kwargs: Any) -> Any:
    """The applications to a demand, for its enterprise's members and the zone operator."""
    demand = access.demand_for_applications(Principal.of(request), demand_id)
    return queries.applications_to(demand)


@router.get(
    "/applications/mine", response=_errors({200: list[ApplicationOut]}), tags=["applications"]
)
@paginate(CursorPagination)
def my_applications(request: HttpRequest, **kwargs: Any) -> Any:
    """Your own applications, newest first."""
    user = require_person(Principal.of(request))
    return queries.applications_of(user)


@router.get(
    "/applications/{application_id}",
    response=_errors({200: ApplicationOut}),
    tags=["applications"],
)
def get_application(request: HttpRequest, application_id: UUID) -> Any:
    return access.application_for(Principal.of(request), application_id)


@router.post(
    "/applications/{application_id}/decision",
    response=_errors({200: ApplicationOut}),
    tags=["applications"],
)
def decide(request: HttpRequest, application_id: UUID, payload: ApplicationDecisionIn) -> Any:
    """The enterprise shortlists (which opens a conversation) or declines an application."""
    principal = Principal.of(request)
    application = access.application_for(principal, application_id)
    return applications.decide(
        principal=principal, application=application, decision=payload.decision, note=payload.note
    )


@router.post(
    "/applications/{application_id}/withdraw",
    response=_errors({200: ApplicationOut}),
    tags=["applications"],
)
def withdraw(request: HttpRequest, application_id: UUID) -> Any:
    """The nomad withdraws an application that is not decided yet."""
    principal = Principal.of(request)
    application = access.application_for(principal, application_id)
    return applications.withdraw(principal=principal, application=application)
