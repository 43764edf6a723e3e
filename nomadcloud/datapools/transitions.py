"""The pool state machine: ONE table of the allowed moves (cross-cutting §3.1:
``TRANSITIONS[(state, action)] = (next state, side)``). Services call ``check`` under a row
lock; pages show the buttons ``moves_for`` gives.

::

    proposed ─approve▶ approved ─open▶ open ─close▶ closed ─archive▶ archived
        └─reject▶ rejected                  ▲          │
                                            └──reopen──┘
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from django.utils.translation import gettext as _

from nomadcloud.core.errors import Conflict
from nomadcloud.datapools.models import Pool


class Side(StrEnum):
    STEWARD = "steward"  # the steward organisation's editors
    DEPARTMENT = "department"  # a deciding member of the lead department


P = Pool.Status

TRANSITIONS: dict[tuple[str, str], tuple[str, Side]] = {
    (P.PROPOSED, "approve"): (P.APPROVED, Side.DEPARTMENT),
    (P.PROPOSED, "reject"): (P.REJECTED, Side.DEPARTMENT),
    (P.APPROVED, "open"): (P.OPEN, Side.STEWARD),
    (P.OPEN, "close"): (P.CLOSED, Side.STEWARD),
    (P.CLOSED, "reopen"): (P.OPEN, Side.STEWARD),
    (P.CLOSED, "archive"): (P.ARCHIVED, Side.STEWARD),
}
ACTIONS = sorted({action for _state, action in TRANSITIONS})


def check(pool: Pool, action: str) -> tuple[str, Side]:
    """The next state and the side that moves, or 409 ``transition_not_allowed``."""
    row = TRANSITIONS.get((pool.status, action))
    if row is None:
        raise Conflict(
            _("A pool that is “%(state)s” cannot be %(action)s.")
            % {"state": P(pool.status).label, "action": action_label(action)},
            code="transition_not_allowed",
        )
    return row


def moves_for(pool: Pool, sides: Collection[Side]) -> list[str]:
    return [
        action
        for (state, action), (_target, side) in TRANSITIONS.items()
        if state == pool.status and side in sides
    ]


def action_label(action: str) -> str:
    labels = {
        "approve": _("approved"),
        "reject": _("rejected"),
        "open": _("opened"),
        "close": _("closed"),
        "reopen": _("reopened"),
        "archive": _("archived"),
    }
    return labels.get(action, action)
