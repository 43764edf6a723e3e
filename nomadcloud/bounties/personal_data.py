"""What the 揭榜挂帅 app holds about a person (core/privacy.py): challenges they drafted,
questions they asked, applications they submitted, their seat in an application, their
place in the expert pool with the scores they gave, and task books and milestones they
signed or decided. These are records of a public procurement (published as OCDS), so erasure
keeps them under the pseudonymous account; a question's text is the public Q&A."""

from __future__ import annotations

from typing import Any

from nomadcloud.bounties.models import (
    Application,
    ApplicationSeat,
    Assignment,
    Challenge,
    ChallengeEvent,
    Clarification,
    Expert,
    SelectionCosign,
)
from nomadcloud.core import privacy


def export(user: Any) -> dict[str, Any]:
    return {
        "challenges_drafted": privacy.dump(Challenge.objects.filter(created_by=user)),
        "questions_asked": privacy.dump(Clarification.objects.filter(asked_by=user)),
        "applications_submitted": privacy.dump(Application.objects.filter(submitted_by=user)),
        "application_seats": privacy.dump(ApplicationSeat.objects.filter(user=user)),
        "expert_pool": privacy.dump(Expert.objects.filter(user=user)),
        "scores_given": privacy.dump(Assignment.objects.filter(expert__user=user)),
        "challenge_events": privacy.dump(ChallengeEvent.objects.filter(actor=user)),
        "selections_cosigned": privacy.dump(SelectionCosign.objects.filter(signed_by=user)),
    }


def erase(user: Any) -> None:
    """The person leaves the expert pool (no new assignments); everything else stays, see
    the module's docstring."""
    Expert.objects.filter(user=user).update(active=False)
