"""What the challenges API's parts share: the error responses, how a challenge and an
application are written out (and when an application's details are revealed)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import access, ocds, transitions
from nomadcloud.bounties.models import (
    Application,
    Challenge,
)
from nomadcloud.bounties.schemas import (
    ApplicationOut,
    ChallengeDraft,
    ChallengeOut,
    CriterionResult,
    PhaseOut,
)
from nomadcloud.core.api import ERROR_RESPONSES


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


def challenge_out(c: Challenge, principal: Principal) -> ChallengeOut:
    return ChallengeOut(
        id=c.public_id,
        ocid=ocds.ocid(c),
        status=c.status,
        issuer=c.issuer.public_id,
        department=c.department.public_id,
        title=c.title,
        statement=c.statement,
        kpis=c.kpis,
        terms=c.terms,
        budget=c.budget,
        subsidy=c.subsidy,
        eligibility=c.eligibility,
        rubric=c.rubric,
        aggregation=c.aggregation,
        min_experts=c.min_experts,
        blind_first_round=c.blind_first_round,
        phases=[
            PhaseOut(kind=p.kind, starts_on=p.starts_on, ends_on=p.ends_on) for p in c.phases.all()
        ],
        moves=transitions.moves(c, access.roles_in(principal, c)),
        created_at=c.created_at,
    )


HIDDEN = (Application.Status.ELIGIBLE, Application.Status.INELIGIBLE, Application.Status.SCORED)


def application_out(app: Application, *, reveal: bool) -> ApplicationOut:
    """Before the evaluation closes, eligibility decisions and scores are not shown (CONSUL
    #3709), except to the department running it."""
    status = app.status if reveal or app.status not in HIDDEN else Application.Status.SUBMITTED
    rows = [CriterionResult.model_validate(r) for r in app.eligibility]
    if reveal and app.review_reason:
        rows.append(
            CriterionResult(
                criterion="qualification_review",
                passed=app.status != Application.Status.INELIGIBLE,
                reason=app.review_reason,
            )
        )
    return ApplicationOut(
        id=app.public_id,
        challenge=app.challenge.public_id,
        team=app.team.public_id,
        team_name=app.team.name,
        status=status,
        amount=app.amount,
        eligibility=rows,
        score=app.score if reveal else None,
        rank=app.rank if reveal else None,
        submitted_at=app.submitted_at,
    )


def reveals(principal: Principal, challenge: Challenge) -> bool:
    return challenge.results_visible or transitions.DEPARTMENT in access.roles_in(
        principal, challenge
    )


class ChallengeCreateIn(ChallengeDraft):
    organisation: UUID

    def draft(self) -> ChallengeDraft:
        return ChallengeDraft.model_validate(self.model_dump(exclude={"organisation"}))
