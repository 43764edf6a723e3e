"""What the enterprise's editors may do to a training scenario in each of its states: one
table, from which the pages show their buttons (the services refuse the same moves)."""

from __future__ import annotations

from nomadcloud.training.models import Scenario

S = Scenario.Status

# state → the moves an editor may make there
MOVES: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({"edit", "materials", "publish"}),
    S.PUBLISHED: frozenset({"edit", "materials", "close"}),
    S.CLOSED: frozenset(),
}


def moves_for(scenario: Scenario, *, editor: bool) -> frozenset[str]:
    """The moves the asker may make on the scenario now: none unless they may edit it."""
    return MOVES[scenario.status] if editor else frozenset()
