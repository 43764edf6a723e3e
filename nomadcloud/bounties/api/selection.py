"""Selection: the expert pool, the experts' assignments and score sheets (and recusal),
assigning experts, selecting and co-signing the selection."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import access, queries
from nomadcloud.bounties.api._common import _errors, challenge_out
from nomadcloud.bounties.schemas import (
    AssignmentOut,
    AssignmentRowOut,
    ChallengeOut,
    CosignDraft,
    CosignOut,
    RecusalDraft,
    ScoresDraft,
    SelectionDraft,
)
from nomadcloud.bounties.services import (
    challenges,
    evaluation,
    signing,
)
from nomadcloud.core.api import CursorPagination
from nomadcloud.core.errors import invalid_field

router = Router()


class ExpertIn(Schema):
    department: UUID
    email: str
    affiliation: UUID | None = None
    fields: str = ""


class ExpertOut(Schema):
    user: UUID
    affiliation: UUID | None
    fields: str


@router.post(
    "/pool/experts",
    response=_errors({201: ExpertOut}),
    summary="Add to the expert pool",
    operation_id="nomadcloud_bounties_api_add_expert",
)
def add_expert(request: HttpRequest, body: ExpertIn) -> Any:
    principal = Principal.of(request)
    department = Organisation.objects.filter(public_id=body.department).first()
    if department is None:
        raise invalid_field("department", _("No such organisation."))
    person = User.objects.filter(email__iexact=body.email.strip()).first()
    if person is None:
        raise invalid_field("email", _("No registered person has this e-mail address."))
    affiliation = (
        Organisation.objects.filter(public_id=body.affiliation).first()
        if body.affiliation
        else None
    )
    expert = challenges.add_expert(
        principal=principal,
        department=department,
        person=person,
        affiliation=affiliation,
        fields=body.fields,
    )
    return Status(
        201,
        ExpertOut(
            user=person.public_id,
            affiliation=affiliation.public_id if affiliation else None,
            fields=expert.fields,
        ),
    )


def assignment_out(a: Any) -> AssignmentOut:
    return AssignmentOut(
        id=a.pk,
        challenge=a.application.challenge.public_id,
        application=a.application.public_id,
        team_name=a.team_label,
        status=a.status,
        scores=a.scores,
        total=a.total,
    )


@router.get(
    "/assignments/mine",
    response=_errors({200: list[AssignmentRowOut]}),
    summary="Your score sheets",
    operation_id="nomadcloud_bounties_api_my_assignments",
)
@paginate(CursorPagination)
def my_assignments(request: HttpRequest) -> Any:
    user = require_person(Principal.of(request))
    return queries.assignments_of(user)


@router.post(
    "/assignments/{assignment_id}/scores",
    response=_errors({200: AssignmentOut}),
    summary="Submit scores",
    operation_id="nomadcloud_bounties_api_score",
)
def score(request: HttpRequest, assignment_id: int, body: ScoresDraft) -> AssignmentOut:
    principal = Principal.of(request)
    a = access.assignment_for(principal, assignment_id)
    return assignment_out(evaluation.submit_scores(principal=principal, assignment=a, draft=body))


@router.post(
    "/assignments/{assignment_id}/recuse",
    response=_errors({200: AssignmentOut}),
    summary="Declare a conflict",
    operation_id="nomadcloud_bounties_api_recuse",
)
def recuse(request: HttpRequest, assignment_id: int, body: RecusalDraft) -> AssignmentOut:
    principal = Principal.of(request)
    a = access.assignment_for(principal, assignment_id)
    return assignment_out(evaluation.recuse(principal=principal, assignment=a, draft=body))


class CountOut(Schema):
    missing: int


@router.post(
    "/{challenge_id}/assign",
    response=_errors({200: CountOut}),
    summary="Fill expert places",
    operation_id="nomadcloud_bounties_api_assign",
)
def assign(request: HttpRequest, challenge_id: str) -> CountOut:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    return CountOut(missing=evaluation.assign_more(principal=principal, challenge=c))


@router.post(
    "/{challenge_id}/selection",
    response=_errors({200: ChallengeOut}),
    summary="Select",
    operation_id="nomadcloud_bounties_api_select",
)
def select(request: HttpRequest, challenge_id: str, body: SelectionDraft) -> ChallengeOut:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    return challenge_out(signing.select(principal=principal, challenge=c, draft=body), principal)


@router.post(
    "/{challenge_id}/selection/cosign",
    response=_errors({201: CosignOut}),
    summary="Co-sign the selection",
    operation_id="nomadcloud_bounties_api_cosign",
)
def cosign(request: HttpRequest, challenge_id: str, body: CosignDraft) -> Any:
    """The issuer co-signs the department's selection during its 公示, with evidence; the task
    book waits for it (``cosign_missing``)."""
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    item = signing.cosign_selection(principal=principal, challenge=c, draft=body)
    return Status(
        201,
        CosignOut(
            application=item.application.public_id,
            organisation=c.issuer.public_id,
            signed_by=item.signed_by.display_name,
            signed_at=item.signed_at,
            evidence=item.evidence,
            rule_version=item.rule_version,
        ),
    )
