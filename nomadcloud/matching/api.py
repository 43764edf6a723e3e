"""The matching part of /api/v1/: a nomad's recommended work, a demand's candidates with
explanations, and invitations. Lists are ordered by score; ``cursor`` pages through them."""

from __future__ import annotations

import base64
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES
from nomadcloud.core.errors import invalid_field
from nomadcloud.demands.models import Demand
from nomadcloud.matching import access, queries, services
from nomadcloud.matching.models import Invitation, Match
from nomadcloud.matching.schemas import AnswerIn, InvitationOut, InviteIn, MatchPage
from nomadcloud.taxonomy import naming

router = Router(tags=["matching"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


class Paging(Schema):
    cursor: str | None = Field(None, max_length=64)
    limit: int = Field(20, ge=1, le=100)


SKILL_PARAM = "A skill or tool by code or name (Chinese or English): nc.python, 数据标注."


class CandidateQuery(Schema):
    min_score: float = Field(0, description="0–100.")
    certified_only: bool = False
    all_required_met: bool = False
    available_only: bool = False
    skill: str = Field("", description=SKILL_PARAM)


class RecommendationQuery(Schema):
    min_score: float = Field(0, description="0–100.")
    kind: str = Field("", description="job, project, data_task or training.")
    remote_only: bool = False
    skill: str = Field("", description=SKILL_PARAM)


def _page(rows: QuerySet[Match], paging: Paging) -> dict[str, Any]:
    """Score order, then id; the cursor holds the last row's (score, id)."""
    if paging.cursor:
        score, last = _decode(paging.cursor)
        rows = rows.filter(Q(score__lt=score) | Q(score=score, id__gt=last))
    found = list(rows.select_related("demand", "profile")[: paging.limit + 1])
    more = len(found) > paging.limit
    found = found[: paging.limit]
    cursor = _encode(found[-1].score, found[-1].pk) if more else None
    return {"items": [_out(m) for m in found], "next_cursor": cursor}


def _encode(score: float, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{score!r}:{pk}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[float, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        score, pk = raw.split(":")
        return float(score), int(pk)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid_field("cursor", _("This cursor is not valid.")) from exc


def _out(match: Match) -> dict[str, Any]:
    return {
        "demand": match.demand.public_id,
        "demand_title": str(match.demand),
        "profile": match.profile.public_id,
        "score": match.score,
        "required_met": match.required_met,
        "required_total": match.required_total,
        "certified": match.certified,
        "available": match.available,
        "explanation": match.explanation,
        "rule_version": match.rule_version,
        "computed_at": match.computed_at,
    }


@router.get(
    "/recommendations",
    response=_errors({200: MatchPage}),
    summary="Recommended work for the signed-in nomad",
)
def recommendations(
    request: HttpRequest, filters: Query[RecommendationQuery], paging: Query[Paging]
) -> dict[str, Any]:
    profile = access.own_profile(Principal.of(request))
    rows = queries.recommendations(
        profile,
        queries.RecommendationFilters(
            filters.min_score,
            filters.kind,
            filters.remote_only,
            naming.filter_code(filters.skill, field="skill"),
        ),
    )
    return _page(rows, paging)


@router.get(
    "/demands/{demand_id}/candidates",
    response=_errors({200: MatchPage}),
    summary="A demand's candidates, best first, with explanations",
)
def candidates(
    request: HttpRequest, demand_id: str, filters: Query[CandidateQuery], paging: Query[Paging]
) -> dict[str, Any]:
    demand = access.demand_for_candidates(Principal.of(request), demand_id)
    rows = queries.candidates(
        demand,
        queries.CandidateFilters(
            filters.min_score,
            filters.certified_only,
            filters.all_required_met,
            filters.available_only,
            naming.filter_code(filters.skill, field="skill"),
        ),
    )
    return _page(rows, paging)


def _invitation(invitation: Invitation) -> dict[str, Any]:
    return {
        "id": invitation.pk,
        "demand": invitation.demand.public_id,
        "demand_title": str(invitation.demand),
        "profile": invitation.profile.public_id,
        "status": invitation.status,
        "message": invitation.message,
        "score": invitation.score,
        "created_at": invitation.created_at,
        "responded_at": invitation.responded_at,
    }


@router.post(
    "/demands/{demand_id}/invitations",
    response=_errors({201: InvitationOut}),
    summary="Invite a candidate to the demand",
)
def invite(request: HttpRequest, demand_id: str, payload: InviteIn) -> Status[dict[str, Any]]:
    principal = Principal.of(request)
    demand: Demand = access.demand_for_candidates(principal, demand_id, invite=True)
    profile = access.candidate_profile(demand, payload.profile)
    invitation = services.invite(
        principal=principal, demand=demand, profile=profile, message=payload.message
    )
    return Status(201, _invitation(invitation))


@router.get("/invitations", response=_errors({200: list[InvitationOut]}), summary="My invitations")
def invitations(request: HttpRequest) -> list[dict[str, Any]]:
    profile = access.own_profile(Principal.of(request))
    return [_invitation(i) for i in queries.invitations_for(profile)[:200]]


@router.post(
    "/invitations/{invitation_id}/answer",
    response=_errors({200: InvitationOut}),
    summary="Accept or decline an invitation",
)
def answer(request: HttpRequest, invitation_id: int, payload: AnswerIn) -> dict[str, Any]:
    principal = Principal.of(request)
    invitation = access.invitation_for(principal, invitation_id)
    return _invitation(
        services.respond(principal=principal, invitation=invitation, accept=payload.accept)
    )
