"""The access chokepoints for orders, their applications, deliverables and messages, and
for conversions.

- An order in the market (open, or with applications) is visible to every signed-in person,
  so they can apply. Otherwise an order is visible only to its enterprise's members, the
  nomad it is assigned to, and the zone operator; everyone else is told it does not exist.
- Deliverables, the message thread, the settlement and disputes belong to the two parties
  and the zone operator.
- What someone may *do* to a visible order is decided by the transition table
  (``transitions.py``) from the roles they hold (``roles_in``).
- A conversion is visible to its nomad, its enterprise's members and the zone operator.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from nomadcloud.accounts import access as shared
from nomadcloud.accounts.access import (
    Role as MemberRole,
)
from nomadcloud.accounts.access import (
    is_zone_operator,
    parse_public_id,
    require_authenticated,
    require_write,
    role_in,
)
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Forbidden, NotFound
from nomadcloud.orders.models import Conversion, Deliverable, Order, OrderApplication, Role

EDITORS = frozenset({MemberRole.OWNER, MemberRole.ADMIN, MemberRole.MEMBER})
MARKET = (Order.Status.OPEN, Order.Status.APPLIED)


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"


ROLES_FOR: dict[Action, frozenset[str]] = {
    Action.VIEW: frozenset(MemberRole),
    Action.EDIT: EDITORS,
}


def _person(principal: Principal) -> bool:
    return principal.user is not None and principal.key_organisation is None


def _person_pk(principal: Principal) -> int | None:
    """The acting person's key (None for organisation keys and visitors)."""
    if principal.user is None or principal.key_organisation is not None:
        return None
    return int(principal.user.pk)


def is_nomad_of(principal: Principal, order: Order) -> bool:
    return order.nomad_id is not None and order.nomad_id == _person_pk(principal)


def is_party(principal: Principal, order: Order) -> bool:
    """The enterprise (any member), the assigned nomad, or the zone operator."""
    return (
        role_in(principal, order.organisation) is not None
        or is_nomad_of(principal, order)
        or is_zone_operator(principal)
    )


def roles_in(principal: Principal, order: Order) -> list[Role]:
    """The roles the principal holds for this order (for the transition table)."""
    if not principal.can_write:
        return []
    roles: list[Role] = []
    member_role = role_in(principal, order.organisation)
    if member_role in EDITORS:
        roles.append(Role.ENTERPRISE)
    if is_nomad_of(principal, order):
        roles.append(Role.NOMAD)
    if _person(principal) and member_role is None:
        roles.append(Role.APPLICANT)
    if is_zone_operator(principal):
        roles.append(Role.OPERATOR)
    return roles


def _visible(principal: Principal, order: Order) -> bool:
    market = order.status in MARKET and principal.is_authenticated
    return market or is_party(principal, order)


def check_enterprise(principal: Principal, organisation: Organisation, action: Action) -> None:
    shared.check_enterprise(
        principal,
        organisation,
        action,
        roles_for=ROLES_FOR,
        only_enterprises=_("Only enterprises give out orders."),
    )


def enterprise_for(principal: Principal, public_id: object, action: Action) -> Organisation:
    return shared.enterprise_for(
        principal,
        public_id,
        action,
        roles_for=ROLES_FOR,
        only_enterprises=_("Only enterprises give out orders."),
    )


def order_for(principal: Principal, public_id: object, action: Action = Action.VIEW) -> Order:
    """An order the principal may see; EDIT (title, milestones) is for the enterprise only.
    Moves between states are checked by the transition table, not here."""
    require_authenticated(principal)
    order = (
        Order.objects.filter(public_id=parse_public_id(public_id, message=_("No such order.")))
        .select_related("organisation", "nomad", "demand")
        .first()
    )
    if order is None or not _visible(principal, order):
        raise NotFound(_("No such order."))
    if action is Action.EDIT:
        check_enterprise(principal, order.organisation, Action.EDIT)
    return order


def require_party(principal: Principal, order: Order) -> None:
    """Deliverables, messages, settlement and disputes: the two parties and the operator."""
    if not is_party(principal, order):
        raise Forbidden(
            _("Only the enterprise, the assigned nomad and the zone operator can see this."),
            code="parties_only",
        )


def application_for(principal: Principal, order: Order, application_id: object) -> OrderApplication:
    """An application: its applicant and the enterprise see it; others are told it does not
    exist."""
    try:
        key = int(str(application_id))
    except ValueError:
        raise NotFound(_("No such application.")) from None
    application = (
        OrderApplication.objects.filter(pk=key, order=order).select_related("applicant").first()
    )
    own = application is not None and application.applicant_id == _person_pk(principal)
    if application is None or not (
        own or role_in(principal, order.organisation) is not None or is_zone_operator(principal)
    ):
        raise NotFound(_("No such application."))
    return application


def deliverable_for(principal: Principal, order: Order, deliverable_id: object) -> Deliverable:
    try:
        key = int(str(deliverable_id))
    except ValueError:
        raise NotFound(_("No such deliverable.")) from None
    deliverable = Deliverable.objects.filter(pk=key, order=order).first()
    if deliverable is None or not is_party(principal, order):
        raise NotFound(_("No such deliverable."))
    return deliverable


def conversion_for(
    principal: Principal, public_id: object, action: Action = Action.VIEW
) -> Conversion:
    require_authenticated(principal)
    conversion = (
        Conversion.objects.filter(
            public_id=parse_public_id(public_id, message=_("No such conversion."))
        )
        .select_related("organisation", "nomad", "order", "enrolment__scenario")
        .first()
    )
    if conversion is None:
        raise NotFound(_("No such conversion."))
    own = conversion.nomad_id == _person_pk(principal)
    member = role_in(principal, conversion.organisation) is not None
    if not (own or member or is_zone_operator(principal)):
        raise NotFound(_("No such conversion."))
    if action is Action.EDIT and not is_zone_operator(principal):
        check_enterprise(principal, conversion.organisation, Action.EDIT)
    elif action is Action.EDIT:
        require_write(principal)
    return conversion


def require_zone_operator(principal: Principal) -> None:
    require_authenticated(principal)
    if not is_zone_operator(principal):
        raise Forbidden(_("Only the zone operator can see this."), code="operator_only")
