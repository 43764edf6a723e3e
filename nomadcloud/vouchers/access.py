"""The access chokepoints for voucher programmes, providers, vouchers and their evidence.

- Open programmes, and the registered providers with their services, are public.
- A programme's department (its owners, administrators and reviewers, as persons) manages
  the programme and decides providers, applications and redemptions.
- A provider's registration is visible to its organisation, the department and the zone
  operator; its editors (owners, administrators, members, and its API key) add services and
  redeem vouchers issued to it.
- A voucher is visible to the holding enterprise, the provider named on it, the department
  and the zone operator; everyone else is told it does not exist (404).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    DECIDING_ROLES,
    Role,
    is_zone_operator,
    parse_public_id,
    require_authenticated,
    require_person,
    require_write,
    role_in,
)
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Forbidden, NotFound
from nomadcloud.vouchers.models import Evidence, Programme, Provider, Redemption, Voucher
from nomadcloud.vouchers.transitions import Side

EDITORS = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"  # the provider's or the enterprise's own moves
    DECIDE = "decide"  # the department's


def is_editor(principal: Principal, organisation: Organisation) -> bool:
    return principal.can_write and role_in(principal, organisation) in EDITORS


def is_member(principal: Principal, organisation: Organisation) -> bool:
    return role_in(principal, organisation) is not None


def decides_for(principal: Principal, department: Organisation) -> bool:
    """A deciding member of the department, acting as a person with write scope."""
    return (
        principal.user is not None
        and principal.key_organisation is None
        and principal.can_write
        and role_in(principal, department) in DECIDING_ROLES
    )


def require_decider(principal: Principal, department: Organisation) -> None:
    require_person(principal)
    require_write(principal)
    if role_in(principal, department) not in DECIDING_ROLES:
        raise Forbidden(
            _("Only a reviewer of %(department)s decides this.") % {"department": department},
            code="department_only",
        )


def departments_of(principal: Principal) -> list[Organisation]:
    """The departments where the asker decides (persons only)."""
    if principal.user is None or principal.key_organisation is not None:
        return []
    return list(
        Organisation.objects.filter(
            kind=Organisation.Kind.DEPARTMENT,
            memberships__user=principal.user,
            memberships__role__in=DECIDING_ROLES,
        ).distinct()
    )


def editable_organisations(principal: Principal, kinds: Iterable[str]) -> list[Organisation]:
    """The organisations of these kinds where the asker may act (an API key: its own)."""
    if principal.key_organisation is not None:
        org = principal.key_organisation
        return [org] if org.kind in set(kinds) and principal.can_write else []
    if principal.user is None:
        return []
    return list(
        Organisation.objects.filter(
            kind__in=list(kinds), memberships__user=principal.user, memberships__role__in=EDITORS
        ).distinct()
    )


def programme_for(principal: Principal, public_id: object, action: Action) -> Programme:
    programme = (
        Programme.objects.filter(
            public_id=parse_public_id(public_id, message=_("No such voucher programme."))
        )
        .select_related("department")
        .first()
    )
    if programme is None:
        raise NotFound(_("No such voucher programme."))
    if action is Action.VIEW:
        return programme
    require_authenticated(principal)
    require_decider(principal, programme.department)
    return programme


def provider_for(principal: Principal, public_id: object, action: Action) -> Provider:
    provider = (
        Provider.objects.filter(
            public_id=parse_public_id(public_id, message=_("No such service provider."))
        )
        .select_related("organisation", "programme__department")
        .first()
    )
    if provider is None:
        raise NotFound(_("No such service provider."))
    department = provider.programme.department
    insider = (
        is_member(principal, provider.organisation)
        or is_member(principal, department)
        or is_zone_operator(principal)
    )
    if provider.status != Provider.Status.REGISTERED and not insider:
        if not principal.is_authenticated and action is not Action.VIEW:
            require_authenticated(principal)
        raise NotFound(_("No such service provider."))
    if action is Action.VIEW:
        return provider
    require_authenticated(principal)
    if action is Action.DECIDE:
        require_decider(principal, department)
        return provider
    require_write(principal)
    if role_in(principal, provider.organisation) not in EDITORS:
        raise Forbidden(
            _("Only the provider's own people manage its services."), code="provider_only"
        )
    return provider


def sides_of(principal: Principal, voucher: Voucher) -> frozenset[Side]:
    """The parts the asker may play on this voucher (an empty set for a reader)."""
    sides: set[Side] = set()
    if is_editor(principal, voucher.enterprise):
        sides.add(Side.ENTERPRISE)
    if is_editor(principal, voucher.provider.organisation):
        sides.add(Side.PROVIDER)
    if decides_for(principal, voucher.programme.department):
        sides.add(Side.DEPARTMENT)
    return frozenset(sides)


def voucher_for(principal: Principal, public_id: object, side: Side | None = None) -> Voucher:
    """The voucher if the asker may see it; with ``side``, if the asker may also act as that
    side (else 403 naming who may)."""
    require_authenticated(principal)
    voucher = (
        Voucher.objects.filter(public_id=parse_public_id(public_id, message=_("No such voucher.")))
        .select_related("programme__department", "enterprise", "provider__organisation", "service")
        .first()
    )
    if voucher is None:
        raise NotFound(_("No such voucher."))
    visible = (
        is_member(principal, voucher.enterprise)
        or is_member(principal, voucher.provider.organisation)
        or is_member(principal, voucher.programme.department)
        or is_zone_operator(principal)
    )
    if not visible:
        raise NotFound(_("No such voucher."))
    if side is None:
        return voucher
    require_write(principal)
    if side is Side.DEPARTMENT:
        require_decider(principal, voucher.programme.department)
    elif side not in sides_of(principal, voucher):
        message = {
            Side.ENTERPRISE: _("Only the enterprise holding the voucher does this."),
            Side.PROVIDER: _("Only the provider named on the voucher does this."),
        }.get(side, _("You cannot do this."))
        raise Forbidden(message, code=f"{side}_only")
    return voucher


def live_redemption(voucher: Voucher) -> Redemption | None:
    return (
        voucher.redemptions.exclude(status=Redemption.Status.REJECTED)
        .prefetch_related("evidence")
        .first()
    )


def evidence_for(principal: Principal, voucher_id: object, file_id: object) -> Evidence:
    voucher = voucher_for(principal, voucher_id)
    try:
        key = int(str(file_id))
    except ValueError:
        raise NotFound(_("No such file.")) from None
    evidence = Evidence.objects.filter(pk=key, redemption__voucher=voucher).first()
    if evidence is None:
        raise NotFound(_("No such file."))
    return evidence
