"""What may be done to a data batch in each of its states, beside the status moves
(``services.TRANSITIONS``): one table, from which the enterprise's page shows its buttons."""

from __future__ import annotations

from collections.abc import Collection

from nomadcloud.datatasks.access import Action
from nomadcloud.datatasks.models import Batch

S = Batch.Status

# move → (the states it is possible in, the access action it needs)
MOVES: dict[str, tuple[frozenset[str], Action]] = {
    "edit": (frozenset({S.DRAFT, S.OPEN}), Action.EDIT),
    "upload": (frozenset({S.DRAFT}), Action.EDIT),  # replace the items
    "aggregate": (frozenset({S.OPEN, S.CLOSED}), Action.REVIEW),  # compute the results now
    "accept": (frozenset({S.CLOSED}), Action.ACCEPT),
}


def moves_for(batch: Batch, allowed: Collection[Action]) -> frozenset[str]:
    """The moves possible in the batch's state for someone allowed the ``allowed`` actions."""
    return frozenset(
        move
        for move, (states, action) in MOVES.items()
        if batch.status in states and action in allowed
    )
