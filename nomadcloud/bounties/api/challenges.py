"""One challenge: read it, change a draft, and its moves."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import access
from nomadcloud.bounties.api._common import _errors, challenge_out
from nomadcloud.bounties.schemas import (
    ActionIn,
    ChallengeDraft,
    ChallengeOut,
)
from nomadcloud.bounties.services import (
    challenges,
)

router = Router()


@router.get(
    "/{challenge_id}",
    response=_errors({200: ChallengeOut}),
    **PUBLIC,
    summary="A challenge",
    operation_id="nomadcloud_bounties_api_get_challenge",
)
def get_challenge(request: HttpRequest, challenge_id: str) -> ChallengeOut:
    principal = Principal.of(request)
    return challenge_out(access.challenge_for(principal, challenge_id), principal)


@router.put(
    "/{challenge_id}",
    response=_errors({200: ChallengeOut}),
    summary="Change a draft",
    operation_id="nomadcloud_bounties_api_update_challenge",
)
def update_challenge(request: HttpRequest, challenge_id: str, body: ChallengeDraft) -> ChallengeOut:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    return challenge_out(
        challenges.update_challenge(principal=principal, challenge=c, draft=body), principal
    )


@router.post(
    "/{challenge_id}/actions",
    response=_errors({200: ChallengeOut}),
    summary="Move a challenge",
    operation_id="nomadcloud_bounties_api_act",
)
def act(request: HttpRequest, challenge_id: str, body: ActionIn) -> ChallengeOut:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    return challenge_out(challenges.act(principal=principal, challenge=c, draft=body), principal)
