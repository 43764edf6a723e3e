"""The competition state machine: ONE table of the allowed moves. Services go through
``check``; pages and the API show ``moves``.

    draft ─▶ published ─▶ closed ─announce─▶ publicity (公示) ─award─▶ awarded
      │          │                  ▲                    │
      └──────────┴──▶ cancelled     └─ objection upheld ─┘

Publishing freezes the rules: tracks and rounds are added only to a draft.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from nomadcloud.competitions.models import Competition
from nomadcloud.core.errors import Conflict

S = Competition.Status

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, "publish"): S.PUBLISHED,
    (S.PUBLISHED, "close"): S.CLOSED,
    (S.DRAFT, "cancel"): S.CANCELLED,
    (S.PUBLISHED, "cancel"): S.CANCELLED,
    (S.CLOSED, "announce"): S.PUBLICITY,
    (S.PUBLICITY, "award"): S.AWARDED,
}

# The moves of the generic "move" form and API; announcing winners and awarding prizes have
# their own use cases (``results``).
ACTIONS = ("publish", "close", "cancel")


def moves(status: str) -> list[str]:
    return [action for action in ACTIONS if (status, action) in TRANSITIONS]


def check(competition: Competition, action: str) -> str:
    target = TRANSITIONS.get((competition.status, action))
    if target is None:
        raise Conflict(
            _("A competition in state “%(status)s” cannot be moved that way (%(action)s).")
            % {"status": Competition.Status(competition.status).label, "action": action},
            code="invalid_transition",
        )
    return target
