"""The teams part of /api/v1/: your teams, create one, invite, answer an invitation,
remove a member, record the shares. Handlers only translate HTTP to service calls."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.core.errors import NotFound
from nomadcloud.teams import access, queries, services
from nomadcloud.teams.models import Team, TeamMember
from nomadcloud.teams.schemas import (
    AnswerDraft,
    InvitationDraft,
    MemberOut,
    SharesDraft,
    TeamDraft,
    TeamOut,
    TeamRowOut,
)

router = Router(tags=["teams"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


def member_out(m: TeamMember) -> MemberOut:
    return MemberOut(
        user=m.user.public_id,
        name=m.user.display_name,
        role=m.role,
        status=m.status,
        share=m.share,
        accepted_at=m.accepted_at,
        consent_at=m.consent_at,
    )


def team_out(team: Team) -> TeamOut:
    members = getattr(team, "live_members", None)
    if members is None:
        members = list(
            team.members.filter(status__in=queries.LIVE).select_related("user").order_by("pk")
        )
    return TeamOut(
        id=team.public_id,
        kind=team.kind,
        name=team.name,
        lead=team.lead.public_id,
        credit_code=team.credit_code,
        members=[member_out(m) for m in members],
        created_at=team.created_at,
    )


@router.get("", response=_errors({200: list[TeamRowOut]}), summary="Your teams")
@paginate(CursorPagination)
def list_teams(request: HttpRequest) -> Any:
    user = require_person(Principal.of(request))
    return queries.teams_of(user)


@router.post("", response=_errors({201: TeamOut}), summary="Create a team or studio")
def create_team(request: HttpRequest, body: TeamDraft) -> Any:
    team = services.create_team(principal=Principal.of(request), draft=body)
    return Status(201, team_out(team))


@router.get("/{team_id}", response=_errors({200: TeamOut}), summary="A team")
def get_team(request: HttpRequest, team_id: str) -> TeamOut:
    return team_out(access.team_for(Principal.of(request), team_id))


@router.post(
    "/{team_id}/invitations", response=_errors({201: MemberOut}), summary="Invite a member"
)
def invite(request: HttpRequest, team_id: str, body: InvitationDraft) -> Any:
    principal = Principal.of(request)
    team = access.team_for(principal, team_id)
    return Status(
        201, member_out(services.invite_member(principal=principal, team=team, draft=body))
    )


@router.post(
    "/{team_id}/answer", response=_errors({200: MemberOut}), summary="Answer your invitation"
)
def answer(request: HttpRequest, team_id: str, body: AnswerDraft) -> MemberOut:
    principal = Principal.of(request)
    team = access.team_for(principal, team_id)
    return member_out(services.answer_invitation(principal=principal, team=team, draft=body))


@router.post(
    "/{team_id}/members/{user_id}/remove",
    response=_errors({200: MemberOut}),
    summary="Remove a member",
)
def remove(request: HttpRequest, team_id: str, user_id: UUID) -> MemberOut:
    principal = Principal.of(request)
    team = access.team_for(principal, team_id)
    member = TeamMember.objects.filter(team=team, user__public_id=user_id).first()
    if member is None:
        raise NotFound(_("No such member."))
    return member_out(services.remove_member(principal=principal, team=team, member=member))


@router.post("/{team_id}/shares", response=_errors({200: TeamOut}), summary="Record shares")
def shares(request: HttpRequest, team_id: str, body: SharesDraft) -> TeamOut:
    principal = Principal.of(request)
    team = access.team_for(principal, team_id)
    return team_out(services.set_shares(principal=principal, team=team, draft=body))
