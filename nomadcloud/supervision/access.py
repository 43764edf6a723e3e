"""Who may do what in supervision: the office (the zone operator), a task's units (members
of a lead or responsible unit), and the leadership (the zone operator too, for now)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    is_zone_operator,
    parse_public_id,
    require_person,
    require_write,
)
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.accounts.units import UNIT_KINDS
from nomadcloud.core.errors import Forbidden, NotFound
from nomadcloud.supervision.models import Milestone, Task


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


def units_on_task(user: User | None, task: Task) -> list[Organisation]:
    """Every unit of ``user`` that is a lead or responsible unit of ``task``."""
    mine = {unit.pk for unit in units_of(user)}
    on_task = [u for u in task.leads.all() if u.pk in mine]
    on_task += [u for u in task.responsibles.all() if u.pk in mine and u not in on_task]
    if not on_task:
        raise Forbidden(_("Your unit is not on this task."), code="not_on_task")
    return on_task


def visible_tasks(user: User | None) -> QuerySet[Task]:
    """The tasks ``user`` sees: all for the office, else those a unit of theirs is on."""
    tasks = Task.objects.all()
    if is_office(user):
        return tasks
    units = units_of(user)
    if not units:
        return tasks.none()
    ids = Task.objects.filter(Q(leads__in=units) | Q(responsibles__in=units)).values("pk")
    return tasks.filter(pk__in=ids)


def task_for(principal: Principal, public_id: object) -> Task:
    """The task, for a person who may see it; NotFound otherwise (its existence is not
    revealed)."""
    user = require_person(principal)
    found = parse_public_id(public_id, message=_("No such task."))
    task = Task.objects.select_related("plan", "parent").filter(public_id=found).first()
    if task is None or not may_see(user, task):
        raise NotFound(_("No such task."))
    return task


def milestone_for(principal: Principal, public_id: object) -> Milestone:
    user = require_person(principal)
    found = parse_public_id(public_id, message=_("No such milestone."))
    milestone = Milestone.objects.select_related("task").filter(public_id=found).first()
    if milestone is None or not may_see(user, milestone.task):
        raise NotFound(_("No such milestone."))
    return milestone


def task_to_change(principal: Principal, public_id: object) -> tuple[User, Task]:
    """A write on a task: the person (an organisation key is refused), holding a write scope
    if a token, and the task they may see (NotFound otherwise). What they may do to it is the
    service's transition table."""
    task = task_for(principal, public_id)
    require_write(principal)
    return require_person(principal), task


def milestone_to_change(principal: Principal, public_id: object) -> tuple[User, Milestone]:
    """A write on a milestone, as ``task_to_change``."""
    milestone = milestone_for(principal, public_id)
    require_write(principal)
    return require_person(principal), milestone


def unit_for(principal: Principal, public_id: object) -> Organisation:
    """A unit whose calendar the person may read: the office reads every unit's, a member
    their own unit's."""
    user = require_person(principal)
    found = parse_public_id(public_id, message=_("No such unit."))
    unit = Organisation.objects.filter(public_id=found, kind__in=UNIT_KINDS).first()
    if unit is None or not (is_office(user) or unit in units_of(user)):
        raise NotFound(_("No such unit."))
    return unit


def roles_on(user: User | None, task: Task) -> set[str]:
    """The roles of the workflow table (``transitions.Transition.who``) ``user`` holds on
    ``task``: the office (and the leadership, the zone operator for now), a lead unit's
    member, a member of any unit on the task."""
    roles: set[str] = {"office", "leadership"} if is_office(user) else set()
    mine = {unit.pk for unit in units_of(user)}
    if mine & {u.pk for u in task.leads.all()}:
        roles |= {"lead", "unit"}
    elif mine & {u.pk for u in task.responsibles.all()}:
        roles.add("unit")
    return roles


def may_see(user: User | None, task: Task) -> bool:
    if is_office(user):
        return True
    mine = {unit.pk for unit in units_of(user)}
    on_task = {u.pk for u in task.leads.all()} | {u.pk for u in task.responsibles.all()}
    return bool(mine & on_task)
