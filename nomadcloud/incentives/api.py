"""The incentives part of /api/v1/: the policy library (public), an organisation's
entitlements, claims and introductions, a claim and its moves, the department's queue,
the recalculation diff and the simulation. Handlers only translate HTTP to service calls."""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import is_zone_operator, require_person, role_in
from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.core.errors import Forbidden, NotFound, invalid_field
from nomadcloud.core.inputs import parse_draft
from nomadcloud.core.uploads import decode_base64_file
from nomadcloud.incentives import access, queries, services, transitions
from nomadcloud.incentives import recalculation as recalc
from nomadcloud.incentives.models import Claim, Policy
from nomadcloud.incentives.moves import run_move
from nomadcloud.incentives.schemas import (
    ClaimIn,
    ClaimOut,
    ClaimSummaryOut,
    ConferenceDraft,
    ConferenceIn,
    ConferenceOut,
    DiffOut,
    EntitlementOut,
    IntroductionIn,
    IntroductionOut,
    InvestmentDraft,
    InvestmentIn,
    InvestmentOut,
    MoveIn,
    PolicyOut,
    SimulationIn,
    SimulationOut,
)

router = Router(tags=["incentives"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


def _policy_out(policy: Policy) -> dict[str, Any]:
    today = timezone.localdate()
    params = [
        {
            "name": p.name,
            "description": p.description,
            "unit": p.unit,
            "reference": p.reference,
            "values": [
                (start, None if v is None else (v if isinstance(v, bool) else str(v)))
                for start, v in p.values
            ],
        }
        for p, _value in services.parameters_of(policy, today)
    ]
    return {
        **{
            f: getattr(policy, f)
            for f in PolicyOut.model_fields
            if f not in ("title", "parameters")
        },
        "title": PolicyOut.resolve_title(policy),
        "parameters": params,
    }


def _policy(code: str) -> Policy:
    policy = Policy.objects.filter(code=code).first()
    if policy is None:
        raise NotFound(_("No such policy."))
    return policy


def _with_moves(principal: Principal, claim: Claim) -> Claim:
    officer = (
        principal.can_write
        and access.is_officer(principal, claim.policy)
        and role_in(principal, claim.organisation) is None
    )
    claim.moves = transitions.moves_for(  # type: ignore[attr-defined]
        claim, claimant=access.is_claimant(principal, claim), officer=officer
    )
    return claim


@router.get("/policies", **PUBLIC, response=_errors({200: list[PolicyOut]}))
def list_policies(request: HttpRequest) -> Any:
    """The seeded policies with their dated parameters."""
    return [_policy_out(p) for p in queries.policies()]


@router.get("/organisations/{org_id}/entitlements", response=_errors({200: list[EntitlementOut]}))
@paginate(CursorPagination)
def list_entitlements(request: HttpRequest, org_id: UUID, **kwargs: Any) -> Any:
    """What the nightly job found the organisation may receive, with the reasons."""
    organisation = access.organisation_for(Principal.of(request), org_id, access.Action.VIEW)
    return queries.entitlements_of(organisation)


@router.post("/organisations/{org_id}/claims", response=_errors({201: ClaimOut}))
def start_claim(request: HttpRequest, org_id: UUID, payload: ClaimIn) -> Status[Any]:
    """One click from an entitlement: a draft claim with its computation and facts."""
    principal = Principal.of(request)
    organisation = access.organisation_for(principal, org_id, access.Action.CLAIM)
    policy = Policy.objects.filter(code=payload.policy).first()
    if policy is None:
        raise invalid_field("policy", _("No such policy."))
    claim = services.start_claim(
        principal=principal, organisation=organisation, policy=policy, year=payload.year
    )
    return Status(201, _with_moves(principal, claim))


@router.post("/organisations/{org_id}/introductions", response=_errors({201: IntroductionOut}))
def record_introduction(request: HttpRequest, org_id: UUID, payload: IntroductionIn) -> Status[Any]:
    """Record that the organisation brought a nomad in (confirmed when the nomad is
    certified and has a contract or engagement in the zone within the window)."""
    principal = Principal.of(request)
    organisation = access.organisation_for(principal, org_id, access.Action.RECORD)
    nomad = User.objects.filter(email__iexact=payload.nomad_email.strip()).first()
    if nomad is None:
        raise invalid_field("nomad_email", _("No registered nomad with this e-mail address."))
    introduction = services.record_introduction(
        principal=principal,
        organisation=organisation,
        nomad=nomad,
        introduced_on=payload.introduced_on,
        channel=payload.channel,
        evidence=payload.evidence,
    )
    return Status(201, introduction)


@router.get("/organisations/{org_id}/investments", response=_errors({200: list[InvestmentOut]}))
@paginate(CursorPagination)
def list_investments(request: HttpRequest, org_id: UUID, **kwargs: Any) -> Any:
    """The community's recorded fixed-asset investments (社区示范点固定资产投资)."""
    organisation = access.organisation_for(Principal.of(request), org_id, access.Action.VIEW)
    return services.investments_of(organisation)


@router.post("/organisations/{org_id}/investments", response=_errors({201: InvestmentOut}))
def record_investment(request: HttpRequest, org_id: UUID, payload: InvestmentIn) -> Status[Any]:
    """Record a fixed-asset investment of the community's demonstration site with its
    evidence; it counts up to the statistics bureau's 纳统 figure for the year."""
    principal = Principal.of(request)
    organisation = access.organisation_for(principal, org_id, access.Action.RECORD)
    fields = payload.dict(exclude={"evidence_name", "evidence_base64"})
    draft = parse_draft(InvestmentDraft, fields)
    evidence = decode_base64_file(payload.evidence_name, payload.evidence_base64, field="evidence")
    investment = services.record_investment(
        principal=principal, organisation=organisation, draft=draft, evidence=evidence
    )
    return Status(201, investment)


@router.get("/organisations/{org_id}/conferences", response=_errors({200: list[ConferenceOut]}))
@paginate(CursorPagination)
def list_conferences(request: HttpRequest, org_id: UUID, **kwargs: Any) -> Any:
    """The conferences and exhibitions the organisation recorded (会议会展)."""
    organisation = access.organisation_for(Principal.of(request), org_id, access.Action.VIEW)
    return services.conferences_of(organisation)


@router.post("/organisations/{org_id}/conferences", response=_errors({201: ConferenceOut}))
def record_conference(request: HttpRequest, org_id: UUID, payload: ConferenceIn) -> Status[Any]:
    """Record a conference or exhibition held in the zone, with the declared attendance and
    its evidence; the department verifies it item by item when it is claimed."""
    principal = Principal.of(request)
    organisation = access.organisation_for(principal, org_id, access.Action.RECORD)
    fields = payload.dict(exclude={"evidence_name", "evidence_base64"})
    draft = parse_draft(ConferenceDraft, fields)
    evidence = decode_base64_file(payload.evidence_name, payload.evidence_base64, field="evidence")
    conference = services.record_conference(
        principal=principal, organisation=organisation, draft=draft, evidence=evidence
    )
    return Status(201, conference)


@router.get("/claims/{claim_id}", response=_errors({200: ClaimOut}))
def get_claim(request: HttpRequest, claim_id: UUID) -> Any:
    """A claim with its items, its decision and trace, and the moves you may make."""
    principal = Principal.of(request)
    return _with_moves(principal, access.claim_for(principal, claim_id))


@router.post("/claims/{claim_id}/moves/{move}", response=_errors({200: ClaimOut}))
def move_claim(request: HttpRequest, claim_id: UUID, move: str, payload: MoveIn) -> Any:
    """Make one move on a claim (``moves`` of the claim lists those you may make)."""
    principal = Principal.of(request)
    claim = access.claim_for(principal, claim_id)
    if move not in transitions.ALL_MOVES:
        raise NotFound(_("No such move."))
    data = payload.model_dump()
    data["counted"] = "1" if payload.counted else ""
    data["upheld"] = "1" if payload.upheld else ""
    run_move(principal, claim, move, data)
    return _with_moves(principal, access.claim_for(principal, claim_id))


@router.get("/review/claims", response=_errors({200: list[ClaimSummaryOut]}))
@paginate(CursorPagination)
def review_claims(request: HttpRequest, **kwargs: Any) -> Any:
    """Claims under your departments' policies (all for the zone operator)."""
    user = require_person(Principal.of(request))
    codes = None if is_zone_operator(user) else access.officer_departments(user)
    if codes is not None and not codes:
        raise Forbidden(_("Only departments and the zone operator may do this."))
    return queries.review_queue(codes)


@router.get("/recalculation", response=_errors({200: list[DiffOut]}))
def recalculation(request: HttpRequest) -> Any:
    """Unpaid claims whose amount would change under today's parameters and facts."""
    rows = recalc.recalculation_diff(principal=Principal.of(request))
    return [
        {
            "claim": r.claim.public_id,
            "policy": r.claim.policy.code,
            "year": r.claim.year,
            "old": r.old,
            "new": r.new,
        }
        for r in rows
    ]


@router.post("/policies/{code}/simulation", response=_errors({200: SimulationOut}))
def simulate(request: HttpRequest, code: str, payload: SimulationIn) -> Any:
    """Run a draft parameter change over the real facts of a year; nothing is stored."""
    principal = Principal.of(request)
    require_person(principal)
    policy = _policy(code)
    result = recalc.simulate(
        principal=principal,
        policy=policy,
        year=payload.year,
        changes=payload.changes,
        effective=payload.effective,
    )
    return {
        "policy": policy.code,
        "year": result.year,
        "organisations": result.organisations,
        "before_total": result.before_total,
        "after_total": result.after_total,
        "impact": result.impact,
        "gained": result.gained,
        "lost": result.lost,
        "changed": result.changed,
    }
