"""The access chokepoints of the one card.

- The catalogue's published, suspended and retired items are public; drafts and items in
  review only to the competent department's managers and the zone operator.
- An application is visible to its applicant, the agent acting for them, the competent
  department's staff and the zone operator; everyone else is told it does not exist.
- Department roles (``accounts.Membership.Role``): every staff member may receive at the
  window (受理); reviewers, administrators and owners review and decide (with four-eyes
  where the item asks for it); owners and administrators edit the department's items and
  override the one-notice rule (一次性告知) as supervisors. The zone operator edits and
  retires any item.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    DECIDING_ROLES,
    MANAGERS,
    is_zone_operator,
    parse_public_id,
    require_person,
)
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Forbidden, NotFound
from nomadcloud.onecard.models import AgentAuthorisation, Application, ServiceItem
from nomadcloud.onecard.transitions import Role

STAFF = frozenset(Membership.Role) - {Membership.Role.READONLY}
PUBLIC_STATES = (
    ServiceItem.Status.PUBLISHED,
    ServiceItem.Status.SUSPENDED,
    ServiceItem.Status.RETIRED,
)


def department_role(user: User | None, department: Organisation) -> str | None:
    if user is None or department.kind != Organisation.Kind.DEPARTMENT:
        return None
    membership = Membership.objects.filter(user=user, organisation=department).first()
    return membership.role if membership else None


def staff_roles(role: str | None) -> set[Role]:
    """The application roles a department membership gives."""
    held: set[Role] = set()
    if role in STAFF:
        held.add(Role.OFFICER)
    if role in DECIDING_ROLES:
        held |= {Role.REVIEWER, Role.APPROVER}
    return held


def is_supervisor(user: User, department: Organisation) -> bool:
    return department_role(user, department) in MANAGERS


def item_roles(principal: Principal, item: ServiceItem) -> set[Role]:
    held: set[Role] = set()
    if principal.user is None or principal.key_organisation is not None:
        return held
    if department_role(principal.user, item.department) in MANAGERS:
        held.add(Role.EDITOR)
    if is_zone_operator(principal):
        held.add(Role.OPERATOR)
    return held


def item_for(
    principal: Principal, code: str, *, manage: bool = False, reading: bool = False
) -> ServiceItem:
    """An item by its code: public ones for everyone, the others for their editors."""
    item = (
        ServiceItem.objects.select_related("department", "current_version")
        .filter(code=str(code)[:40])
        .first()
    )
    if item is None:
        raise NotFound(_("No such service item."))
    roles = item_roles(principal, item)
    if item.status not in PUBLIC_STATES and not roles:
        raise NotFound(_("No such service item."))
    if manage:
        if not roles:
            raise Forbidden(
                _("Only the department's catalogue editors may change this item."),
                code="not_editor",
            )
        if not principal.can_write and not reading:
            raise Forbidden(
                _("This token may only read; use a token with write scope."), code="scope"
            )
    return item


def valid_authorisation(
    agent: User, principal_user: User, item: ServiceItem, on: date
) -> AgentAuthorisation | None:
    """The agent's authorisation to act for the principal on the item on that day (an empty
    item list covers every item)."""
    rows = AgentAuthorisation.objects.filter(
        agent=agent,
        principal=principal_user,
        revoked_at__isnull=True,
        valid_from__lte=on,
        valid_until__gte=on,
    ).order_by("-id")
    return next((a for a in rows if not a.items or item.code in a.items), None)


def application_roles(user: User | None, application: Application) -> set[Role]:
    held: set[Role] = set()
    if user is None:
        return held
    is_agent = application.agent_id == user.pk and (
        valid_authorisation(user, application.applicant, application.item, timezone.localdate())
        is not None
    )
    if application.applicant_id == user.pk or is_agent:
        held.add(Role.APPLICANT)
    held |= staff_roles(department_role(user, application.department))
    if is_zone_operator(user):
        held.add(Role.OPERATOR)
    return held


def application_for(principal: Principal, public_id: object) -> tuple[Application, set[Role]]:
    """An application and the asker's roles on it; ``NotFound`` for anyone without one."""
    user = require_person(principal)
    pk = parse_public_id(public_id, message=_("No such application."))
    application = (
        Application.objects.select_related("item", "version", "department", "applicant", "agent")
        .filter(public_id=pk)
        .first()
    )
    if application is None:
        raise NotFound(_("No such application."))
    roles = application_roles(user, application)
    if not roles and application.agent_id != user.pk:
        raise NotFound(_("No such application."))
    return application, roles


def staff_departments(user: User) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            kind=Organisation.Kind.DEPARTMENT,
            memberships__user=user,
            memberships__role__in=STAFF,
        ).order_by("name_zh")
    )


def managed_departments(user: User) -> set[int]:
    """The departments whose catalogue the person edits (owners and administrators)."""
    return set(
        Organisation.objects.filter(
            kind=Organisation.Kind.DEPARTMENT,
            memberships__user=user,
            memberships__role__in=MANAGERS,
        ).values_list("pk", flat=True)
    )


def department_for(principal: Principal, public_id: object) -> Organisation:
    """A department whose staff the asker is (for its queue)."""
    user = require_person(principal)
    pk = parse_public_id(public_id, message=_("No such organisation."))
    department = Organisation.objects.filter(
        public_id=pk, kind=Organisation.Kind.DEPARTMENT
    ).first()
    if department is None:
        raise NotFound(_("No such organisation."))
    if department_role(user, department) not in STAFF and not is_zone_operator(user):
        raise NotFound(_("No such organisation."))
    return department
