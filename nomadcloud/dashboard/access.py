"""Who may do what on the dashboard: members of an indicator's owner unit report its figures
and (with a deciding role) approve them; the statistics bureau imports any official figure;
the zone operator approves, publishes and sets targets; the leadership screen is for the zone
operator and the government departments; the public sees only published aggregates."""

from __future__ import annotations

from django.utils.translation import gettext as _

from nomadcloud.accounts.access import DECIDING_ROLES, is_zone_operator, parse_public_id
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.core.errors import Forbidden, NotFound
from nomadcloud.core.indicators import Indicator
from nomadcloud.dashboard.models import Observation

STATISTICS_UNIT = "tongji"


def _memberships(user: User | None) -> list[Membership]:
    if user is None or not user.is_authenticated:
        return []
    return list(Membership.objects.filter(user=user).select_related("organisation"))


def owner_units(user: User | None) -> list[Organisation]:
    """The public units the person belongs to (a department or public unit)."""
    kinds = {Organisation.Kind.DEPARTMENT, Organisation.Kind.PUBLIC_UNIT}
    return [m.organisation for m in _memberships(user) if m.organisation.kind in kinds]


def may_see_screen(user: User | None) -> bool:
    return is_zone_operator(user) or bool(owner_units(user))


def require_screen(user: User | None) -> None:
    if not may_see_screen(user):
        raise Forbidden(
            _("Only departments and the zone operator see this screen."), code="not_department"
        )


def reporting_unit(user: User | None, indicator: Indicator) -> Organisation:
    """The unit through which ``user`` reports ``indicator``: its owner, or the statistics
    bureau (which imports every official figure)."""
    for membership in _memberships(user):
        if membership.organisation.code in {indicator.owner, STATISTICS_UNIT}:
            return membership.organisation
    raise Forbidden(
        _("Only the unit that owns this indicator or the statistics bureau reports it."),
        code="not_indicator_owner",
    )


def may_approve(user: User | None, indicator: Indicator) -> bool:
    if is_zone_operator(user):
        return True
    return any(
        m.organisation.code == indicator.owner and m.role in DECIDING_ROLES
        for m in _memberships(user)
    )


def visible_indicators(user: User | None, codes: list[str]) -> list[str]:
    """A department sees the indicators it owns (and the statistics bureau all official
    ones); the zone operator sees every one."""
    if is_zone_operator(user):
        return codes
    from nomadcloud.core import indicators

    mine = {unit.code for unit in owner_units(user)}
    if STATISTICS_UNIT in mine:
        return codes
    return [code for code in codes if indicators.get(code).owner in mine]


def observation_for(user: User | None, raw_id: object) -> Observation:
    """The figure named by ``raw_id`` if ``user`` may see it. A figure of an indicator the
    person's units do not own answers exactly like one that does not exist (decision 0002)."""
    message = _("No such figure.")
    observation = Observation.objects.filter(
        public_id=parse_public_id(raw_id, message=message)
    ).first()
    if observation is None or not visible_indicators(user, [observation.indicator]):
        raise NotFound(message)
    return observation
