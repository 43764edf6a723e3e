"""Access chokepoints for communities, bookings, stays and registrations.

- A community's public page (listing, availability, guests' reviews) is open to everyone
  once it is listed; no personal data is on it. Its members and the zone operator see it
  always; the designation authority (环湾办) sees every community that was submitted.
- Managing a community (listing, unit types, rates, bookings, check-in, imports) is for its
  members with role owner, admin or member (``HOSTS``); the designation is asked for by its
  owner or admin; read-only members and the zone operator may look.
- A booking is visible to its guest, the community's members and the zone operator; what
  they may do is decided by the transition table from the roles ``booking_roles`` gives.
- Foreign guests' registrations: the community's hosts (to file them) and members of a
  police authority (公安), who see only foreign stays and only the minimum fields.
- Visit statistics: the zone operator and members of a statistics authority (旅文局).
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from nomadcloud.accounts.access import Role as MemberRole
from nomadcloud.accounts.access import (
    is_zone_operator,
    parse_public_id,
    require_authenticated,
    require_person,
    require_write,
    role_in,
)
from nomadcloud.accounts.models import Membership, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.communities.models import Authority, Booking, Community
from nomadcloud.communities.transitions import Role
from nomadcloud.core.errors import Forbidden, NotFound

HOSTS: frozenset[str | None] = frozenset({MemberRole.OWNER, MemberRole.ADMIN, MemberRole.MEMBER})
MANAGERS: frozenset[str | None] = frozenset({MemberRole.OWNER, MemberRole.ADMIN})


class Action(StrEnum):
    VIEW = "view"  # the public page, or a member's view of the management pages
    MANAGE = "manage"  # listing, units, rates, bookings, check-in, imports, events
    APPLY = "apply"  # ask for the designation


def _person(principal: Principal) -> User | None:
    if principal.key_organisation is not None:
        return None
    return principal.user


def authority_roles(principal: Principal) -> set[str]:
    """The authority roles (designation, police, statistics) the acting person holds."""
    user = _person(principal)
    if user is None or not user.is_active:
        return set()
    return set(
        Authority.objects.filter(
            organisation__memberships__user=user,
            organisation__memberships__role__in=[
                MemberRole.OWNER,
                MemberRole.ADMIN,
                MemberRole.MEMBER,
                MemberRole.REVIEWER,
            ],
        ).values_list("role", flat=True)
    )


def is_authority(principal: Principal, role: str) -> bool:
    return role in authority_roles(principal)


def community_roles(principal: Principal, community: Community) -> list[Role]:
    """The roles the principal holds for the community's designation and management."""
    if not principal.can_write:
        return []
    roles: list[Role] = []
    member_role = role_in(principal, community.organisation)
    if member_role in HOSTS:
        roles.append(Role.HOST)
    if member_role in MANAGERS and _person(principal) is not None:
        roles.append(Role.COMMUNITY)
    if is_authority(principal, Authority.Role.DESIGNATION):
        roles.append(Role.AUTHORITY)
    return roles


def _community(public_id: object) -> Community:
    key = parse_public_id(public_id, message=_("No such community."))
    community = Community.objects.select_related("organisation").filter(public_id=key).first()
    if community is None:
        raise NotFound(_("No such community."))
    return community


def public_community(public_id: object) -> Community:
    """A listed community, for everyone (no personal data is shown with it)."""
    community = _community(public_id)
    if not community.listed:
        raise NotFound(_("No such community."))
    return community


def community_for(principal: Principal, public_id: object, action: Action) -> Community:
    """A community the principal may see for ``action``: members and the zone operator see it;
    the designation authority sees it once submitted; MANAGE is for its hosts, APPLY for its
    owner or admin (a write credential in both cases)."""
    require_authenticated(principal)
    community = _community(public_id)
    member_role = role_in(principal, community.organisation)
    authority = community.designation != Community.Designation.DRAFT and is_authority(
        principal, Authority.Role.DESIGNATION
    )
    if member_role is None and not is_zone_operator(principal) and not authority:
        raise NotFound(_("No such community."))
    if action == Action.VIEW:
        return community
    require_write(principal)
    allowed = HOSTS if action == Action.MANAGE else MANAGERS
    if member_role not in allowed:
        raise Forbidden(_("Only the community's hosts may do this."), code="not_a_host")
    if action == Action.APPLY:
        require_person(principal)
    return community


def booking_roles(principal: Principal, booking: Booking) -> list[Role]:
    if not principal.can_write:
        return []
    roles: list[Role] = []
    user = _person(principal)
    if user is not None and booking.guest_id == user.pk:
        roles.append(Role.GUEST)
    if role_in(principal, booking.community.organisation) in HOSTS:
        roles.append(Role.HOST)
    return roles


def booking_for(principal: Principal, public_id: object) -> Booking:
    """A booking its guest, the community's members or the zone operator may see."""
    require_authenticated(principal)
    key = parse_public_id(public_id, message=_("No such booking."))
    booking = (
        Booking.objects.select_related("community__organisation", "unit_type", "rate_plan", "guest")
        .filter(public_id=key)
        .first()
    )
    if booking is None:
        raise NotFound(_("No such booking."))
    user = _person(principal)
    if user is not None and booking.guest_id == user.pk:
        return booking
    if role_in(principal, booking.community.organisation) is not None:
        return booking
    if is_zone_operator(principal):
        return booking
    raise NotFound(_("No such booking."))


def require_police(principal: Principal) -> User:
    user = require_person(principal)
    if not is_authority(principal, Authority.Role.POLICE):
        raise Forbidden(_("Only public security staff can see this."), code="police_only")
    return user


def require_statistics(principal: Principal) -> User:
    user = require_person(principal)
    if not (is_zone_operator(principal) or is_authority(principal, Authority.Role.STATISTICS)):
        raise Forbidden(
            _("Only the zone operator and the tourism bureau can see this."),
            code="statistics_only",
        )
    return user


def require_designation_authority(principal: Principal) -> User:
    user = require_person(principal)
    if not is_authority(principal, Authority.Role.DESIGNATION):
        raise Forbidden(_("Only the designating department can see this."), code="authority_only")
    return user


def hosted_communities(user: User) -> list[Community]:
    """The communities whose organisation the person is a host of."""
    org_ids = Membership.objects.filter(user=user, role__in=HOSTS).values("organisation_id")
    return list(
        Community.objects.filter(organisation_id__in=org_ids).select_related("organisation")
    )


def statistics_for(principal: Principal, public_id: object) -> Community:
    """A community's statistics (aggregates, no guest named): the zone operator, the tourism
    bureau (旅文局) and the community's own members; others are told it does not exist."""
    require_authenticated(principal)
    community = _community(public_id)
    if is_zone_operator(principal) or is_authority(principal, Authority.Role.STATISTICS):
        return community
    if role_in(principal, community.organisation) is None:
        raise NotFound(_("No such community."))
    return community
