"""The access chokepoints for demands, feeds and webhooks.

Members of an enterprise with role owner, admin or member (and the enterprise's own API key)
create and edit its demands; read-only members and the zone operator see all of them; everyone
else, signed in or not, sees published demands only. Raises NotFound when the object is not
visible (its existence is not revealed) and Forbidden when it is but the action is not allowed.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from nomadcloud.accounts import access as shared
from nomadcloud.accounts.access import (
    Role,
    is_zone_operator,
    parse_public_id,
    require_authenticated,
    role_in,
)
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Forbidden, NotFound
from nomadcloud.demands.models import Demand, DemandApplication, Feed


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    MANAGE_CONNECTORS = "manage_connectors"


EDITORS = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})
MANAGERS = frozenset({Role.OWNER, Role.ADMIN})
ROLES_FOR: dict[Action, frozenset[str]] = {
    Action.VIEW: frozenset(Role),
    Action.EDIT: EDITORS,
    Action.MANAGE_CONNECTORS: MANAGERS,
}
# Actions an organisation API key may not take even with the role.
PERSONS_ONLY = frozenset({Action.MANAGE_CONNECTORS})


def check_enterprise(principal: Principal, organisation: Organisation, action: Action) -> None:
    """May the principal act on the demands of this organisation?"""
    shared.check_enterprise(
        principal,
        organisation,
        action,
        roles_for=ROLES_FOR,
        only_enterprises=_("Only enterprises publish demands."),
        persons_only=PERSONS_ONLY,
    )


def enterprise_for(principal: Principal, public_id: object, action: Action) -> Organisation:
    # A malformed id answers NotFound before a visitor is asked to sign in.
    return shared.enterprise_for(
        principal,
        public_id,
        action,
        roles_for=ROLES_FOR,
        only_enterprises=_("Only enterprises publish demands."),
        persons_only=PERSONS_ONLY,
        sign_in_first=False,
    )


def can_see_all_of(principal: Principal, organisation: Organisation) -> bool:
    return role_in(principal, organisation) is not None or is_zone_operator(principal)


def can_edit(principal: Principal, demand: Demand) -> bool:
    return principal.can_write and role_in(principal, demand.organisation) in EDITORS


def demand_for(principal: Principal, public_id: object, action: Action) -> Demand:
    demand = (
        Demand.objects.filter(public_id=parse_public_id(public_id, message=_("No such demand.")))
        .select_related("organisation")
        .first()
    )
    if demand is None:
        raise NotFound(_("No such demand."))
    if action is Action.VIEW:
        if demand.is_public or can_see_all_of(principal, demand.organisation):
            return demand
        raise NotFound(_("No such demand."))
    if not demand.is_public and not can_see_all_of(principal, demand.organisation):
        raise NotFound(_("No such demand."))
    require_authenticated(principal)
    check_enterprise(principal, demand.organisation, action)
    return demand


def feed_for(principal: Principal, feed_id: int, action: Action) -> Feed:
    require_authenticated(principal)
    feed = Feed.objects.filter(pk=feed_id).select_related("organisation").first()
    if feed is None:
        raise NotFound(_("No such feed."))
    try:
        check_enterprise(principal, feed.organisation, action)
    except NotFound:
        raise NotFound(_("No such feed.")) from None
    return feed


def require_zone_operator(principal: Principal) -> None:
    require_authenticated(principal)
    if not is_zone_operator(principal):
        raise Forbidden(_("Only the zone operator can see this."), code="operator_only")


def application_for(principal: Principal, public_id: object) -> DemandApplication:
    """An application, for the nomad who made it, the members of the demand's enterprise and
    the zone operator; NotFound for everyone else. What each may do with it is the
    transition table's question (``applications.moves_for``)."""
    require_authenticated(principal)
    key = parse_public_id(public_id, message=_("No such application."))
    application = (
        DemandApplication.objects.filter(public_id=key)
        .select_related("demand__organisation", "applicant")
        .first()
    )
    if application is None:
        raise NotFound(_("No such application."))
    own = principal.user is not None and principal.user.pk == application.applicant_id
    if not own and not can_see_all_of(principal, application.demand.organisation):
        raise NotFound(_("No such application."))
    return application


def demand_for_applications(principal: Principal, public_id: object) -> Demand:
    """A demand whose applications the principal may list: its enterprise's members and the
    zone operator."""
    require_authenticated(principal)
    demand = demand_for(principal, public_id, Action.VIEW)
    if not can_see_all_of(principal, demand.organisation):
        raise NotFound(_("No such demand."))
    return demand
