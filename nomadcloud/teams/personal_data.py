"""What the teams app holds about a person (core/privacy.py): the teams they lead and their
memberships (role, share, when they accepted and consented). A team's record is kept on
erasure, because challenges, task books and credentials were awarded on it; the person is
then named only through the account, which erasure makes pseudonymous."""

from __future__ import annotations

from typing import Any

from nomadcloud.core import privacy
from nomadcloud.teams.models import Team, TeamMember


def export(user: Any) -> dict[str, Any]:
    return {
        "teams_led": privacy.dump(Team.objects.filter(lead=user)),
        "memberships": privacy.dump(TeamMember.objects.filter(user=user)),
    }


def erase(user: Any) -> None:
    """Nothing to remove: see the module's docstring."""
