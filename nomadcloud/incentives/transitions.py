"""The moves on a claim in each state, and who makes them: one table, from which the pages
show their buttons and the API's ``moves`` come (the services refuse the same moves)."""

from __future__ import annotations

from nomadcloud.incentives.models import Claim

S = Claim.Status
CLAIMANT = "claimant"
OFFICER = "officer"

# state → {move: who}
MOVES: dict[str, dict[str, str]] = {
    S.DRAFT: {"submit": CLAIMANT, "withdraw": CLAIMANT},
    S.SUBMITTED: {"verify_item": OFFICER, "request_supplement": OFFICER, "reject": OFFICER},
    S.VERIFYING: {
        "verify_item": OFFICER,
        "request_supplement": OFFICER,
        "complete": OFFICER,
        "reject": OFFICER,
    },
    S.SUPPLEMENT_REQUESTED: {"answer_supplement": CLAIMANT, "withdraw": CLAIMANT},
    S.VERIFIED: {"open_publicity": OFFICER},
    S.PUBLICITY: {"approve": OFFICER, "reject": OFFICER},
    S.APPROVED: {"appeal": CLAIMANT, "claw_back": OFFICER},
    S.REJECTED: {"appeal": CLAIMANT},
    S.APPEAL_REVIEW: {"decide_appeal": OFFICER},
    S.REVERSED: {},
    S.WITHDRAWN: {},
}
ALL_MOVES = sorted({move for moves in MOVES.values() for move in moves})


def moves_for(claim: Claim, *, claimant: bool, officer: bool) -> frozenset[str]:
    """The moves the asker may make on the claim now."""
    return frozenset(
        move
        for move, who in MOVES[claim.status].items()
        if (who == CLAIMANT and claimant) or (who == OFFICER and officer)
    )
