"""The access chokepoints for challenges.

- A challenge from ``published`` on is public (list, Q&A, 公示, results, OCDS trail). Before
  that it is visible only to its issuer's members, its department's members and the zone
  operator; everyone else is told it does not exist.
- Roles on a challenge: ``issuer`` (an owner, administrator or member of the issuing
  enterprise), ``department`` (an owner, administrator or reviewer of the department it
  names). A read-only member sees but acts as nobody. What a role may do is the transition
  table's business (``transitions.py``).
- An expert's assignment is visible to that expert and the department only.
- A milestone belongs to the challenge: its team's accepted members submit work.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    Role,
    is_zone_operator,
    parse_public_id,
    require_person,
    require_write,
    role_in,
)
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties.models import Application, Assignment, Challenge, Milestone
from nomadcloud.bounties.transitions import DEPARTMENT, ISSUER
from nomadcloud.core.errors import Forbidden, NotFound

ISSUER_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})
DEPARTMENT_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.REVIEWER})
PRIVATE = (Challenge.Status.DRAFT, Challenge.Status.SUBMITTED)


def roles_in(principal: Principal, challenge: Challenge) -> set[str]:
    roles: set[str] = set()
    if role_in(principal, challenge.issuer) in ISSUER_ROLES:
        roles.add(ISSUER)
    if principal.key_organisation is None and role_in(principal, challenge.department) in (
        DEPARTMENT_ROLES
    ):
        roles.add(DEPARTMENT)
    return roles


def may_see(principal: Principal, challenge: Challenge) -> bool:
    if challenge.status not in PRIVATE or is_zone_operator(principal):
        return True
    return (
        role_in(principal, challenge.issuer) is not None
        or role_in(principal, challenge.department) is not None
    )


def challenge_for(principal: Principal, public_id: object) -> Challenge:
    pk = parse_public_id(public_id, message=_("No such challenge."))
    challenge = (
        Challenge.objects.filter(public_id=pk).select_related("issuer", "department").first()
    )
    if challenge is None or not may_see(principal, challenge):
        raise NotFound(_("No such challenge."))
    return challenge


def require_role(principal: Principal, challenge: Challenge, role: str) -> User:
    """The acting person, who must hold ``role`` on the challenge (write scope needed)."""
    user = require_person(principal)
    require_write(principal)
    if role not in roles_in(principal, challenge):
        who = _("the issuer") if role == ISSUER else _("the department")
        raise Forbidden(_("Only %(who)s may do this.") % {"who": who}, code="role_not_allowed")
    return user


def application_for(principal: Principal, public_id: object) -> Application:
    """An application: visible to its team's members, the issuer, the department and the
    zone operator."""
    pk = parse_public_id(public_id, message=_("No such application."))
    app = (
        Application.objects.filter(public_id=pk)
        .select_related("challenge__issuer", "challenge__department", "team")
        .first()
    )
    if app is None:
        raise NotFound(_("No such application."))
    user = principal.user
    in_team = user is not None and app.team.members.filter(user=user).exists()
    if in_team or is_zone_operator(principal) or roles_in(principal, app.challenge):
        return app
    raise NotFound(_("No such application."))


def assignment_for(principal: Principal, pk: object) -> Assignment:
    user = require_person(principal)
    try:
        number = int(str(pk))
    except ValueError:
        raise NotFound(_("No such assignment.")) from None
    row = (
        Assignment.objects.filter(pk=number)
        .select_related("expert__user", "application__challenge", "application__team")
        .first()
    )
    if row is None or (
        row.expert.user_id != user.pk
        and DEPARTMENT not in roles_in(principal, row.application.challenge)
    ):
        raise NotFound(_("No such assignment."))
    return row


def milestone_for(principal: Principal, public_id: object) -> Milestone:
    pk = parse_public_id(public_id, message=_("No such milestone."))
    row = (
        Milestone.objects.filter(public_id=pk)
        .select_related("challenge__issuer", "challenge__department")
        .first()
    )
    if row is None or not may_see(principal, row.challenge):
        raise NotFound(_("No such milestone."))
    return row
