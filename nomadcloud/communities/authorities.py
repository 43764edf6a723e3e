"""The government units that act towards communities (环湾办 designates, 公安 sees foreign
guests' registrations, 旅文局 reads the statistics), named the way plans name them and
resolved through the units registry (``accounts.units.resolve_unit``: code, either name or
any alias; an unknown name is refused with the closest known ones). Set by the zone
operator only; an authority must be a government department."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_write, require_zone_operator
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.accounts.units import resolve_unit
from nomadcloud.communities.models import Authority
from nomadcloud.core import audit
from nomadcloud.core.errors import DomainError, invalid_field


def resolve_department(text: str) -> Organisation:
    """The department ``text`` names, through the units registry."""
    unit = resolve_unit(text)
    if unit.kind != Organisation.Kind.DEPARTMENT:
        raise invalid_field(
            "unit",
            _("“%(name)s” is not a government department.") % {"name": unit.name_zh},
            code="not_a_department",
        )
    return unit


@transaction.atomic
def set_authority(*, principal: Principal, unit: str, role: str) -> Authority:
    """Give the unit named ``unit`` the ``role`` (idempotent)."""
    user = require_zone_operator(principal)
    require_write(principal)
    if role not in Authority.Role.values:
        raise invalid_field("role", _("Choose one of the roles."), code="unknown_role")
    department = resolve_department(unit)
    row, created = Authority.objects.get_or_create(organisation=department, role=role)
    if created:
        audit.record(
            actor=user,
            action="communities.authority.set",
            obj=row,
            organisation=department,
            after={"role": role},
            token=principal.token,
        )
    return row


@transaction.atomic
def remove_authority(*, principal: Principal, authority: Authority) -> None:
    user = require_zone_operator(principal)
    require_write(principal)
    audit.record(
        actor=user,
        action="communities.authority.remove",
        obj=authority,
        organisation=authority.organisation,
        before={"role": authority.role},
        token=principal.token,
    )
    authority.delete()


def seed(names: dict[str, str]) -> int:
    """The demo's authorities by the names plans use (units the registry does not know are
    skipped: the demo zone may not have them)."""
    made = 0
    for name, role in names.items():
        try:
            department = resolve_department(name)
        except DomainError:
            continue
        _row, created = Authority.objects.get_or_create(organisation=department, role=role)
        made += int(created)
    return made
