"""Applications to a challenge: eligibility explained for a team, applying, the list, withdrawing
and reviewing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import is_zone_operator, require_person
from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import access, queries
from nomadcloud.bounties.api._common import _errors, application_out, reveals
from nomadcloud.bounties.models import (
    Application,
)
from nomadcloud.bounties.schemas import (
    ApplicationDraft,
    ApplicationOut,
    ApplicationRowOut,
    CriterionResult,
    EligibilityDraft,
)
from nomadcloud.bounties.services import (
    applications,
)
from nomadcloud.core.api import CursorPagination
from nomadcloud.core.errors import NotFound
from nomadcloud.teams.models import Team

router = Router()


class TeamQuery(Schema):
    team: UUID


@router.get(
    "/{challenge_id}/eligibility",
    response=_errors({200: list[CriterionResult]}),
    summary="Eligibility explained for one of your teams",
    operation_id="nomadcloud_bounties_api_eligibility",
)
def eligibility(request: HttpRequest, challenge_id: str, query: Query[TeamQuery]) -> Any:
    principal = Principal.of(request)
    user = require_person(principal)
    c = access.challenge_for(principal, challenge_id)
    team = Team.objects.filter(public_id=query.team, members__user=user).first()
    if team is None:
        raise NotFound(_("No such team."))
    return [CriterionResult.model_validate(r) for r in applications.explain_eligibility(c, team)]


@router.post(
    "/{challenge_id}/applications",
    response=_errors({201: ApplicationOut}),
    summary="Apply",
    operation_id="nomadcloud_bounties_api_apply",
)
def apply(request: HttpRequest, challenge_id: str, body: ApplicationDraft) -> Any:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    app = applications.apply(principal=principal, challenge=c, draft=body)
    return Status(201, application_out(app, reveal=False))


@router.get(
    "/{challenge_id}/applications",
    response=_errors({200: list[ApplicationRowOut]}),
    **PUBLIC,
    summary="Applications (results once evaluation closes)",
    operation_id="nomadcloud_bounties_api_list_applications",
)
@paginate(CursorPagination)
def list_applications(request: HttpRequest, challenge_id: str) -> Any:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    reveal = reveals(principal, c)
    # read by ApplicationRowOut's resolvers
    setattr(request, "bounties_reveal", reveal)  # noqa: B010
    if not (reveal or access.roles_in(principal, c) or is_zone_operator(principal)):
        return Application.objects.none()
    return queries.applications_of(c)


@router.post(
    "/applications/{application_id}/withdraw",
    response=_errors({200: ApplicationOut}),
    summary="Withdraw an application",
    operation_id="nomadcloud_bounties_api_withdraw",
)
def withdraw(request: HttpRequest, application_id: str) -> ApplicationOut:
    principal = Principal.of(request)
    app = access.application_for(principal, application_id)
    return application_out(
        applications.withdraw(principal=principal, application=app), reveal=False
    )


@router.post(
    "/applications/{application_id}/review",
    response=_errors({200: ApplicationOut}),
    summary="Qualification decision",
    operation_id="nomadcloud_bounties_api_review_application",
)
def review_application(
    request: HttpRequest, application_id: str, body: EligibilityDraft
) -> ApplicationOut:
    principal = Principal.of(request)
    app = access.application_for(principal, application_id)
    app = applications.review(principal=principal, application=app, draft=body)
    return application_out(app, reveal=True)
