"""The access chokepoints for training scenarios, their materials and enrolments.

- Published and closed scenarios are visible to everyone; drafts only to the enterprise's
  members and the zone operator.
- The enterprise's owners, administrators and members (and its organisation API key) create
  and edit its scenarios; owners, administrators and reviewers assess submissions.
- An enrolment (with its submissions and assessment) is visible to the nomad, the
  enterprise's members and the zone operator; everyone else is told it does not exist.
- Materials are for the enterprise, the operator and the nomads enrolled.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from nomadcloud.accounts import access as shared
from nomadcloud.accounts.access import (
    DECIDING_ROLES,
    Role,
    is_zone_operator,
    parse_public_id,
    require_authenticated,
    require_write,
    role_in,
)
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Forbidden, NotFound
from nomadcloud.training.models import Enrolment, Material, Scenario

EDITORS = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})
ASSESSORS = DECIDING_ROLES


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    ASSESS = "assess"


ROLES_FOR: dict[Action, frozenset[str]] = {
    Action.VIEW: frozenset(Role),
    Action.EDIT: EDITORS,
    Action.ASSESS: ASSESSORS,
}
# Actions an organisation API key may not take even with the role.
PERSONS_ONLY = frozenset({Action.ASSESS})


def is_member(principal: Principal, organisation: Organisation) -> bool:
    return role_in(principal, organisation) is not None


def can_edit(principal: Principal, organisation: Organisation) -> bool:
    return principal.can_write and role_in(principal, organisation) in EDITORS


def can_assess(principal: Principal, organisation: Organisation) -> bool:
    return (
        principal.user is not None
        and principal.key_organisation is None
        and principal.can_write
        and role_in(principal, organisation) in ASSESSORS
    )


def check_enterprise(principal: Principal, organisation: Organisation, action: Action) -> None:
    shared.check_enterprise(
        principal,
        organisation,
        action,
        roles_for=ROLES_FOR,
        only_enterprises=_("Only enterprises publish training scenarios."),
        persons_only=PERSONS_ONLY,
    )


def enterprise_for(principal: Principal, public_id: object, action: Action) -> Organisation:
    return shared.enterprise_for(
        principal,
        public_id,
        action,
        roles_for=ROLES_FOR,
        only_enterprises=_("Only enterprises publish training scenarios."),
        persons_only=PERSONS_ONLY,
    )


def scenario_for(principal: Principal, public_id: object, action: Action) -> Scenario:
    scenario = (
        Scenario.objects.filter(
            public_id=parse_public_id(public_id, message=_("No such training scenario."))
        )
        .select_related("organisation")
        .first()
    )
    if scenario is None:
        raise NotFound(_("No such training scenario."))
    insider = is_member(principal, scenario.organisation) or is_zone_operator(principal)
    if scenario.status == Scenario.Status.DRAFT and not insider:
        raise NotFound(_("No such training scenario."))
    if action is Action.VIEW:
        return scenario
    check_enterprise(principal, scenario.organisation, action)
    return scenario


def sees_materials(principal: Principal, scenario: Scenario) -> bool:
    if is_member(principal, scenario.organisation) or is_zone_operator(principal):
        return True
    user = principal.user
    return (
        user is not None
        and principal.key_organisation is None
        and Enrolment.objects.filter(
            scenario=scenario, nomad=user, status__in=Enrolment.ACTIVE
        ).exists()
    )


def material_for(principal: Principal, scenario: Scenario, material_id: object) -> Material:
    try:
        key = int(str(material_id))
    except ValueError:
        raise NotFound(_("No such material.")) from None
    material = Material.objects.filter(pk=key, scenario=scenario).first()
    if material is None or not sees_materials(principal, scenario):
        raise NotFound(_("No such material."))
    return material


def enrolment_for(principal: Principal, public_id: object, action: Action) -> Enrolment:
    """VIEW: the nomad, the enterprise's members, the operator. EDIT: the nomad only
    (withdraw, submit). ASSESS: the enterprise's assessors."""
    require_authenticated(principal)
    enrolment = (
        Enrolment.objects.filter(
            public_id=parse_public_id(public_id, message=_("No such enrolment."))
        )
        .select_related("scenario__organisation", "nomad")
        .first()
    )
    if enrolment is None:
        raise NotFound(_("No such enrolment."))
    user = principal.user
    own = user is not None and principal.key_organisation is None and enrolment.nomad_id == user.pk
    organisation = enrolment.scenario.organisation
    if not (own or is_member(principal, organisation) or is_zone_operator(principal)):
        raise NotFound(_("No such enrolment."))
    if action is Action.VIEW:
        return enrolment
    require_write(principal)
    if action is Action.EDIT:
        if not own:
            raise Forbidden(_("Only the enrolled nomad can do this."), code="nomad_only")
        return enrolment
    if own:
        raise Forbidden(_("You cannot assess your own work."), code="own_work")
    check_enterprise(principal, organisation, Action.ASSESS)
    return enrolment
