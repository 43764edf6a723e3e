"""The moves of a team membership: ONE table (from, to, who). An invitation is accepted or
declined by the invitee; an accepted member is removed by the lead (never the lead)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from nomadcloud.core.errors import Conflict, Forbidden
from nomadcloud.teams.models import TeamMember

S = TeamMember.Status
INVITEE, LEAD = "invitee", "lead"


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    role: str


TABLE: tuple[Transition, ...] = (
    Transition(S.INVITED, S.ACCEPTED, INVITEE),
    Transition(S.INVITED, S.DECLINED, INVITEE),
    Transition(S.INVITED, S.REMOVED, LEAD),
    Transition(S.ACCEPTED, S.REMOVED, LEAD),
)


def moves(member: TeamMember, roles: set[str]) -> list[str]:
    return [t.target for t in TABLE if t.source == member.status and t.role in roles]


def check(member: TeamMember, target: str, roles: set[str]) -> None:
    rows = [t for t in TABLE if t.source == member.status and t.target == target]
    if not rows:
        raise Conflict(
            _("A membership that is “%(state)s” cannot become “%(target)s”.")
            % {"state": S(member.status).label, "target": S(target).label},
            code="transition_not_allowed",
        )
    if not any(t.role in roles for t in rows):
        raise Forbidden(_("Only the invited person or the team lead may do this."))
