"""/api/v1/datapools/: pools (public once open), proposal, moves, charter versions,
contributions under consent, the points-payments connector, dataset versions. Handlers only
translate HTTP to service calls (docs/datapools.md)."""

import base64
import binascii
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import role_in
from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.core.errors import invalid_field
from nomadcloud.datapools import (
    access,
    aggregates,
    connectors,
    contracts,
    downloads,
    negotiation,
    provenance,
    queries,
    querytemplates,
    registration,
    rewards,
    scenarios,
    services,
    uploads,
)
from nomadcloud.datapools.access import Action
from nomadcloud.datapools.downloads import LinkRevocationDraft
from nomadcloud.datapools.inputs import CharterDraft, ScenarioDraft
from nomadcloud.datapools.models import Pool
from nomadcloud.datapools.querytemplates import TemplateDraft
from nomadcloud.datapools.schemas import (
    AccessRequestIn,
    AggregateIn,
    AggregateOut,
    BatchReleaseIn,
    BatchReleaseOut,
    CharterOut,
    ContributionIn,
    ContributionOut,
    DistributionIn,
    DistributionOut,
    DownloadLinkOut,
    DownloadOut,
    DownloadRevocationOut,
    NegotiationMoveIn,
    NegotiationOut,
    PoolDetailOut,
    PoolIn,
    PoolMoveIn,
    PoolOut,
    RegistrationIn,
    RewardOut,
    ScenarioOut,
    TemplateDecisionIn,
    TemplateOut,
    TemplateRunIn,
    TemplateRunOut,
    UploadSlotOut,
    VersionOut,
)
from nomadcloud.datapools.uploads import UploadSlotDraft

router = Router(tags=["datapools"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


def _detail(pool: Pool) -> Pool:
    return pool


@router.get("/pools", **PUBLIC, response=_errors({200: list[PoolOut]}))
@paginate(CursorPagination)
def list_pools(request: HttpRequest, **kwargs: Any) -> Any:
    """Open, closed and archived pools; also the proposed ones of the asker's organisations."""
    return queries.pools_visible_to(Principal.of(request))


@router.post("/pools", response=_errors({201: PoolDetailOut}))
def propose_pool(request: HttpRequest, payload: PoolIn) -> Status[Any]:
    principal = Principal.of(request)
    steward = access.steward_organisation(principal, payload.steward)
    department = Organisation.objects.filter(
        public_id=payload.lead_department, kind=Organisation.Kind.DEPARTMENT
    ).first()
    if department is None:
        raise invalid_field("lead_department", _("No such department."))
    pool = services.propose_pool(
        principal=principal, steward=steward, department=department, draft=payload
    )
    return Status(201, _detail(pool))


@router.get("/pools/{pool_id}", **PUBLIC, response=_errors({200: PoolDetailOut}))
def get_pool(request: HttpRequest, pool_id: UUID) -> Any:
    """A pool with its current charter and its dataset versions (metadata only)."""
    return _detail(access.pool_for(Principal.of(request), pool_id))


@router.get(
    "/pools/{pool_id}/versions/{number}/contract", **PUBLIC, response=_errors({200: dict[str, Any]})
)
def get_contract(request: HttpRequest, pool_id: UUID, number: int) -> Any:
    """The released version's data contract, Open Data Contract Standard v3 (JSON; also
    public as YAML at ``/dataset/<pool>/v<n>/contract.yaml``)."""
    pool = access.pool_for(Principal.of(request), pool_id)
    version = contracts.public_version(pool.public_id, number)
    return contracts.build(version, base=request.build_absolute_uri("/").rstrip("/"))


@router.post("/pools/{pool_id}/moves", response=_errors({200: PoolDetailOut}))
def move_pool(request: HttpRequest, pool_id: UUID, payload: PoolMoveIn) -> Any:
    """approve or reject (the lead department); open, close, reopen, archive (the steward)."""
    principal = Principal.of(request)
    pool = access.pool_for(principal, pool_id)
    return _detail(
        services.move(principal=principal, pool=pool, action=payload.action, reason=payload.reason)
    )


@router.post("/pools/{pool_id}/charters", response=_errors({201: CharterOut}))
def revise_charter(request: HttpRequest, pool_id: UUID, payload: CharterDraft) -> Status[Any]:
    principal = Principal.of(request)
    pool = access.pool_for(principal, pool_id, Action.STEWARD)
    return Status(201, services.revise_charter(principal=principal, pool=pool, draft=payload))


@router.post("/pools/{pool_id}/registration", response=_errors({200: PoolDetailOut}))
def register(request: HttpRequest, pool_id: UUID, payload: RegistrationIn) -> Any:
    """The steward records the registry's registration query code (登记查询码) of the pool's
    data product, once a version is released; a malformed code is refused (``code``)."""
    principal = Principal.of(request)
    pool = access.pool_for(principal, pool_id, Action.STEWARD)
    return registration.register(principal=principal, pool=pool, code=payload.code)


@router.post("/pools/{pool_id}/contributions", response=_errors({201: ContributionOut}))
def contribute(request: HttpRequest, pool_id: UUID, payload: ContributionIn) -> Status[Any]:
    """A person's CSV under consent for each purpose of the charter. Errors by line."""
    principal = Principal.of(request)
    pool = access.pool_for(principal, pool_id)
    asset = None
    if payload.asset is not None or payload.sha256:
        try:
            data = base64.b64decode(payload.asset or "", validate=True)
        except binascii.Error as exc:
            raise invalid_field("asset", _("The asset is not valid base64.")) from exc
        asset = provenance.Asset(
            data=data or None,
            name=payload.asset_name,
            sha256=payload.sha256,
            c2pa_manifest=payload.c2pa_manifest,
        )
    contribution = services.contribute(
        principal=principal,
        pool=pool,
        data=payload.csv.encode("utf-8"),
        consent_notice_version=payload.consent_notice_version,
        give_consent=payload.consent,
        method="api",
        asset=asset,
    )
    return Status(201, contribution)


@router.post("/pools/{pool_id}/upload-slots", response=_errors({201: UploadSlotOut}))
def open_upload_slot(request: HttpRequest, pool_id: UUID, payload: UploadSlotDraft) -> Status[Any]:
    """A slot to upload one contribution straight to storage (decision 0058): declare the
    size, SHA-256 and content type; PUT the bytes to each part's presigned URL (before
    ``expires_at``), then complete the slot."""
    principal = Principal.of(request)
    pool = access.pool_for(principal, pool_id)
    return Status(201, uploads.open_slot(principal=principal, pool=pool, draft=payload))


@router.post(
    "/upload-slots/{slot_id}/completion",
    response=_errors({201: ContributionOut, 202: ContributionOut}),
)
def complete_upload(request: HttpRequest, slot_id: UUID) -> Status[Any]:
    """The uploaded file becomes a contribution: size and checksum checked, then consent,
    schema and quarantine as for any contribution (201). A CSV over 1 MB or a Parquet file
    is received under the consents at once and checked by a background job (202, status
    ``validating``; then ``accepted``, ``quarantined`` or ``rejected`` with ``errors``, read
    at ``GET /contributions``). Another person's slot is not found."""
    principal = Principal.of(request)
    slot = uploads.slot_for(principal, slot_id)
    contribution = uploads.complete(principal=principal, slot=slot, method="api")
    return Status(202 if contribution.status == "validating" else 201, contribution)


@router.post(
    "/pools/{pool_id}/connector/points-payments", response=_errors({200: list[ContributionOut]})
)
def import_points_payments(request: HttpRequest, pool_id: UUID) -> Any:
    """The steward reads consenting persons' confirmed points payments into the pool."""
    principal = Principal.of(request)
    pool = access.pool_for(principal, pool_id, Action.STEWARD)
    return services.import_points_payments(principal=principal, pool=pool)


@router.post("/pools/{pool_id}/connector/datatasks", response=_errors({200: list[ContributionOut]}))
def import_accepted_work(request: HttpRequest, pool_id: UUID) -> Any:
    """The steward reads the accepted labelling work of the batches whose enterprises agreed
    into a labelled-data pool: one contribution per consenting worker and batch, never twice."""
    principal = Principal.of(request)
    pool = access.pool_for(principal, pool_id, Action.STEWARD)
    return connectors.import_accepted_work(principal=principal, pool=pool)


@router.post("/pools/{pool_id}/batch-releases", response=_errors({201: BatchReleaseOut}))
def agree_batch_release(request: HttpRequest, pool_id: UUID, payload: BatchReleaseIn) -> Any:
    """An editor of a data batch's enterprise agrees that the batch's accepted outputs go
    into the labelled-data pool (the connector reads only agreed batches)."""
    from nomadcloud.datatasks import access as batches

    principal = Principal.of(request)
    pool = access.pool_for(principal, pool_id)
    batch = batches.batch_for(principal, payload.batch, batches.Action.EDIT)
    return Status(201, connectors.agree_release(principal=principal, pool=pool, batch=batch))


@router.post("/pools/{pool_id}/versions", response=_errors({201: VersionOut}))
def release_version(request: HttpRequest, pool_id: UUID) -> Status[Any]:
    principal = Principal.of(request)
    pool = access.pool_for(principal, pool_id, Action.STEWARD)
    return Status(201, services.release_version(principal=principal, pool=pool))


@router.get("/contributions", response=_errors({200: list[ContributionOut]}))
@paginate(CursorPagination)
def my_contributions(request: HttpRequest, **kwargs: Any) -> Any:
    """The asker's own contributions (persons only)."""
    return queries.contributions_of(Principal.of(request))


# --- access negotiations ----------------------------------------------------------------


@router.post("/pools/{pool_id}/negotiations", response=_errors({201: NegotiationOut}))
def request_access(request: HttpRequest, pool_id: UUID, payload: AccessRequestIn) -> Status[Any]:
    """An enterprise asks for access; a request the charter does not allow is refused with
    the failed constraint (``constraint_failed``), nothing stored."""
    principal = Principal.of(request)
    pool = access.pool_for(principal, pool_id)
    consumer = Organisation.objects.filter(public_id=payload.consumer).first()
    if consumer is None or role_in(principal, consumer) is None:
        raise invalid_field("consumer", _("No such organisation of yours."))
    made = negotiation.request_access(
        principal=principal,
        pool=pool,
        consumer=consumer,
        purpose=payload.purpose,
        access_mode=payload.access_mode,
        duration_days=payload.duration_days,
        spatial=payload.spatial,
    )
    return Status(201, made)


@router.get("/negotiations", response=_errors({200: list[NegotiationOut]}))
@paginate(CursorPagination)
def list_negotiations(request: HttpRequest, state: str = "", **kwargs: Any) -> Any:
    """Negotiations of the asker's organisations, as consumer, steward or lead department;
    ``state=confirming`` lists the agreements awaiting the department's 核定."""
    found = queries.negotiations_of(Principal.of(request))
    return found.filter(state=state) if state else found


@router.post("/negotiations/{negotiation_id}/moves", response=_errors({200: NegotiationOut}))
def move_negotiation(request: HttpRequest, negotiation_id: UUID, payload: NegotiationMoveIn) -> Any:
    """agree, offer (narrower: access_mode, duration_days; a fee) or terminate (the steward);
    accept or terminate (the enterprise); confirm or refuse (with a reason) the agreement
    both sides reached (the lead department's deciding members, 核定)."""
    principal = Principal.of(request)
    return negotiation.move(
        principal=principal,
        negotiation=access.negotiation_for(principal, negotiation_id),
        action=payload.action,
        reason=payload.reason,
        access_mode=payload.access_mode,
        duration_days=payload.duration_days,
        fee=payload.fee,
    )


@router.post("/negotiations/{negotiation_id}/aggregate", response=_errors({200: AggregateOut}))
def aggregate(request: HttpRequest, negotiation_id: UUID, payload: AggregateIn) -> Any:
    """Counts by one to three columns of the newest version, each group at least k rows."""
    principal = Principal.of(request)
    return aggregates.aggregate(
        principal=principal,
        negotiation=access.negotiation_for(principal, negotiation_id),
        group_by=payload.group_by,
        sum_of=payload.sum_of,
        epsilon=payload.epsilon,
    )


# --- contributor rewards ----------------------------------------------------------------


@router.post("/pools/{pool_id}/distributions", response=_errors({201: DistributionOut}))
def distribute(request: HttpRequest, pool_id: UUID, payload: DistributionIn) -> Status[Any]:
    """The steward runs the month's contributor rewards, once (``already_distributed``)."""
    principal = Principal.of(request)
    pool = access.pool_for(principal, pool_id, Action.STEWARD)
    run = rewards.distribute(
        principal=principal,
        pool=pool,
        period=payload.period,
        fees=Decimal(payload.fees) if payload.fees is not None else None,
        budget=access.reward_budget(pool, payload.budget),
    )
    return Status(201, run)


@router.get("/rewards", response=_errors({200: list[RewardOut]}))
@paginate(CursorPagination)
def my_rewards(request: HttpRequest, **kwargs: Any) -> Any:
    """The asker's statement: per run, the rows used, the points and every use behind them."""
    return queries.rewards_of(Principal.of(request))


# --- query templates and downloads (decision 0048) ----------------------------------------


@router.get("/pools/{pool_id}/templates", response=_errors({200: list[TemplateOut]}))
@paginate(CursorPagination)
def list_templates(request: HttpRequest, pool_id: UUID, **kwargs: Any) -> Any:
    """The pool's approved query templates; its steward also sees drafts and withdrawn ones."""
    principal = Principal.of(request)
    return queries.templates_of(principal, access.pool_for(principal, pool_id))


@router.post("/pools/{pool_id}/templates", response=_errors({201: TemplateOut}))
def write_template(request: HttpRequest, pool_id: UUID, payload: TemplateDraft) -> Status[Any]:
    """The steward writes a template (a draft until approved): one read-only SELECT over
    ``release`` with ``$name`` parameters, naming its group size ``n``."""
    principal = Principal.of(request)
    pool = access.pool_for(principal, pool_id, Action.STEWARD)
    return Status(201, querytemplates.write_template(principal=principal, pool=pool, draft=payload))


@router.post("/templates/{template_id}/decisions", response=_errors({200: TemplateOut}))
def decide_template(request: HttpRequest, template_id: UUID, payload: TemplateDecisionIn) -> Any:
    """approve (a draft) or withdraw (the steward)."""
    principal = Principal.of(request)
    return querytemplates.decide_template(
        principal=principal,
        template=access.template_for(principal, template_id),
        action=payload.action,
    )


@router.post(
    "/negotiations/{negotiation_id}/template-runs", response=_errors({200: TemplateRunOut})
)
def run_template(request: HttpRequest, negotiation_id: UUID, payload: TemplateRunIn) -> Any:
    """Run an approved template with typed parameters under an agreement for templates."""
    principal = Principal.of(request)
    made = access.negotiation_for(principal, negotiation_id)
    return querytemplates.run(
        principal=principal,
        negotiation=made,
        template=querytemplates.template_for(made, payload.template),
        parameters=payload.parameters,
    )


@router.post("/negotiations/{negotiation_id}/downloads", response=_errors({201: DownloadOut}))
def issue_download(request: HttpRequest, negotiation_id: UUID) -> Status[Any]:
    """A short-lived link to the newest version's de-identified extract (download mode)."""
    principal = Principal.of(request)
    made = access.negotiation_for(principal, negotiation_id)
    return Status(201, downloads.issue_link(principal=principal, negotiation=made))


@router.post(
    "/negotiations/{negotiation_id}/download-revocations",
    response=_errors({200: DownloadRevocationOut}),
)
def revoke_downloads(request: HttpRequest, negotiation_id: UUID) -> Any:
    """The steward revokes every download link issued under the agreement (decision 0058);
    a revoked link answers ``link_revoked``."""
    principal = Principal.of(request)
    made = access.negotiation_for(principal, negotiation_id)
    return {"revoked": downloads.revoke_links(principal=principal, negotiation=made)}


@router.get(
    "/negotiations/{negotiation_id}/download-links", response=_errors({200: list[DownloadLinkOut]})
)
@paginate(CursorPagination)
def list_download_links(request: HttpRequest, negotiation_id: UUID, **kwargs: Any) -> Any:
    """The links issued under the agreement, newest first, with their revocation (seen by
    whoever sees the agreement: the steward's and the consumer's members, the lead
    department that confirmed it, operators; a link's secret is never listed)."""
    made = access.negotiation_for(Principal.of(request), negotiation_id)
    return downloads.links_query(made)


@router.post("/download-links/{link_id}/revocation", response=_errors({200: DownloadLinkOut}))
def revoke_download_link(request: HttpRequest, link_id: UUID, payload: LinkRevocationDraft) -> Any:
    """Revoke one link (decision 0064): the steward's editors or the person it was issued to,
    with a reason and ``"confirm": true``; it then answers 410 ``link_revoked``, the
    agreement's other links keep working."""
    principal = Principal.of(request)
    link = access.link_for(principal, link_id)
    return downloads.revoke_link(principal=principal, link=link, draft=payload)


# --- the scenario library (应用场景库) ---------------------------------------------------------


@router.get("/scenarios", **PUBLIC, response=_errors({200: list[ScenarioOut]}))
@paginate(CursorPagination)
def list_scenarios(request: HttpRequest, **kwargs: Any) -> Any:
    """The public scenario library, newest first."""
    return scenarios.published()


@router.get("/scenarios/{scenario_id}", **PUBLIC, response=_errors({200: ScenarioOut}))
def get_scenario(request: HttpRequest, scenario_id: UUID) -> Any:
    return scenarios.scenario_for(scenario_id)


@router.post("/scenarios", response=_errors({201: ScenarioOut}))
def add_scenario(request: HttpRequest, payload: ScenarioDraft) -> Status[Any]:
    """An enterprise's editor publishes what it made with pools it holds agreements for."""
    return Status(201, scenarios.add_scenario(principal=Principal.of(request), draft=payload))
