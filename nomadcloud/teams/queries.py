"""Reads of teams scoped to who asks."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from nomadcloud.accounts.models import User
from nomadcloud.teams.models import Team, TeamMember

LIVE = (TeamMember.Status.INVITED, TeamMember.Status.ACCEPTED)


def members_prefetch() -> Prefetch:  # type: ignore[type-arg]
    return Prefetch(
        "members",
        queryset=TeamMember.objects.filter(status__in=LIVE).select_related("user"),
        to_attr="live_members",
    )


def teams_of(user: User) -> QuerySet[Team]:
    """The teams the person leads, is in or is invited to, newest first."""
    return (
        Team.objects.filter(members__user=user, members__status__in=LIVE)
        .distinct()
        .select_related("lead")
        .prefetch_related(members_prefetch())
        .order_by("-pk")
    )


def invitations_for(user: User) -> QuerySet[TeamMember]:
    return TeamMember.objects.filter(user=user, status=TeamMember.Status.INVITED).select_related(
        "team"
    )


def accepted_members(team: Team) -> list[TeamMember]:
    return list(
        TeamMember.objects.filter(
            team=team, status=TeamMember.Status.ACCEPTED, consent_at__isnull=False
        ).select_related("user")
    )
