"""Task books: their versions, revising one and signing it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from nomadcloud.accounts.access import is_zone_operator, require_person
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import access
from nomadcloud.bounties.api._common import _errors
from nomadcloud.bounties.models import (
    Challenge,
    TaskBook,
)
from nomadcloud.bounties.schemas import (
    TaskBookDraft,
    TaskBookOut,
)
from nomadcloud.bounties.services import (
    signing,
)
from nomadcloud.core.errors import NotFound
from nomadcloud.teams.models import TeamMember

router = Router()


def book_out(b: TaskBook) -> TaskBookOut:
    return TaskBookOut(
        version=b.version,
        milestones=b.milestones,
        changes=b.changes,
        lead_signed_at=b.lead_signed_at,
        department_signed_at=b.department_signed_at,
    )


def _party_only(principal: Principal, c: Challenge) -> None:
    user = principal.user
    in_team = (
        user is not None
        and TeamMember.objects.filter(team__bounty_applications__challenge=c, user=user).exists()
    )
    if not (in_team or access.roles_in(principal, c) or is_zone_operator(principal)):
        raise NotFound(_("No such challenge."))


@router.get(
    "/{challenge_id}/task-books",
    response=_errors({200: list[TaskBookOut]}),
    summary="Task book versions",
    operation_id="nomadcloud_bounties_api_task_books",
)
def task_books(request: HttpRequest, challenge_id: str) -> list[TaskBookOut]:
    principal = Principal.of(request)
    require_person(principal)
    c = access.challenge_for(principal, challenge_id)
    _party_only(principal, c)
    return [book_out(b) for b in c.task_books.all()]


@router.post(
    "/{challenge_id}/task-books",
    response=_errors({201: TaskBookOut}),
    summary="Propose a version",
    operation_id="nomadcloud_bounties_api_revise",
)
def revise(request: HttpRequest, challenge_id: str, body: TaskBookDraft) -> Any:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    return Status(
        201, book_out(signing.revise_task_book(principal=principal, challenge=c, draft=body))
    )


@router.post(
    "/{challenge_id}/task-books/{version}/sign",
    response=_errors({200: TaskBookOut}),
    summary="Sign",
    operation_id="nomadcloud_bounties_api_sign",
)
def sign(request: HttpRequest, challenge_id: str, version: int) -> TaskBookOut:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    return book_out(signing.sign_task_book(principal=principal, challenge=c, version=version))
