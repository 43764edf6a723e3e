"""The access chokepoint for teams: a team is visible to its members (also those only
invited) and the zone operator; everyone else is told it does not exist. Only the lead
invites, removes and records the shares; only the invitee answers an invitation."""

from __future__ import annotations

from django.utils.translation import gettext as _

from nomadcloud.accounts.access import is_zone_operator, parse_public_id, require_person
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Forbidden, NotFound
from nomadcloud.teams.models import Team, TeamMember


def team_for(principal: Principal, public_id: object) -> Team:
    """The team, if the asker is one of its (invited or accepted) members or the zone
    operator; NotFound otherwise."""
    pk = parse_public_id(public_id, message=_("No such team."))
    user = require_person(principal)
    team = Team.objects.filter(public_id=pk).select_related("lead").first()
    if team is None:
        raise NotFound(_("No such team."))
    if is_zone_operator(principal):
        return team
    if (
        not TeamMember.objects.filter(team=team, user=user)
        .exclude(status__in=(TeamMember.Status.REMOVED, TeamMember.Status.DECLINED))
        .exists()
    ):
        raise NotFound(_("No such team."))
    return team


def require_lead(user: User, team: Team) -> None:
    if team.lead_id != user.pk:
        raise Forbidden(_("Only the team lead may do this."), code="lead_only")


def is_member(user: User | None, team: Team) -> bool:
    """An accepted member who consented."""
    if user is None:
        return False
    return TeamMember.objects.filter(
        team=team, user=user, status=TeamMember.Status.ACCEPTED, consent_at__isnull=False
    ).exists()
