"""Who may do what in supervision: the office (the zone operator), a task's units (members
of a lead or responsible unit), and the leadership (the zone operator too, for now)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from nomadcloud.accounts.access import is_zone_operator
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.units import UNIT_KINDS
from nomadcloud.core.errors import Forbidden
from nomadcloud.supervision.models import Task


def is_office(user: User | None) -> bool:
    return is_zone_operator(user)


def require_office(user: User | None) -> None:
    if not is_office(user):
        raise Forbidden(_("Only the supervision office may do this."), code="not_office")


def units_of(user: User | None) -> list[Organisation]:
    if user is None or not user.is_authenticated:
        return []
    ids = Membership.objects.filter(user=user).values("organisation_id")
    return list(Organisation.objects.filter(pk__in=ids, kind__in=UNIT_KINDS))


def unit_on_task(user: User | None, task: Task, *, lead_only: bool = False) -> Organisation:
    """The unit through which ``user`` acts on ``task`` (a lead unit first)."""
    mine = {unit.pk for unit in units_of(user)}
    for unit in task.leads.all():
        if unit.pk in mine:
            return unit
    if not lead_only:
        for unit in task.responsibles.all():
            if unit.pk in mine:
                return unit
        raise Forbidden(_("Your unit is not on this task."), code="not_on_task")
    raise Forbidden(_("Only a lead unit of this task may do this."), code="not_lead_unit")


def may_see(user: User | None, task: Task) -> bool:
    if is_office(user):
        return True
    mine = {unit.pk for unit in units_of(user)}
    on_task = {u.pk for u in task.leads.all()} | {u.pk for u in task.responsibles.all()}
    return bool(mine & on_task)
