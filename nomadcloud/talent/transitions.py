"""What may be done to a certification application in each of its states, and by whom: one
table, from which the applicant's and the reviewer's pages show their buttons (the services
refuse the same moves)."""

from __future__ import annotations

from enum import StrEnum

from nomadcloud.talent.models import Application

S = Application.Status


class Side(StrEnum):
    APPLICANT = "applicant"
    REVIEWER = "reviewer"  # a deciding member of the certifying department


# state → move → the side that may make it
MOVES: dict[str, dict[str, Side]] = {
    S.SUBMITTED: {"withdraw": Side.APPLICANT, "decide": Side.REVIEWER},
    S.APPROVED: {},
    S.REJECTED: {},
    S.WITHDRAWN: {},
}


def moves_for(application: Application, side: Side) -> frozenset[str]:
    return frozenset(move for move, who in MOVES[application.status].items() if who is side)
