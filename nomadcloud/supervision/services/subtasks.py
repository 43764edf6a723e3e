"""Sub-tasks: the office breaks a task down (任务分解) into sub-tasks with their own lead and
responsible units, and may move a task under another of the same plan. Refused: a sub-task
without a lead unit, an unknown unit (with the registry's suggestions), a place that would
make a task its own ancestor (a cycle), a due date after the parent's."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.units import UnknownUnit, resolve_unit
from nomadcloud.core import audit
from nomadcloud.core.errors import InvalidInput, invalid_field
from nomadcloud.supervision import access
from nomadcloud.supervision.models import Task
from nomadcloud.supervision.schemas import ParentDraft, SubTaskDraft
from nomadcloud.supervision.services._common import check, locked, move

MAX_DEPTH = 50
MAX_CODE = 30  # Task.code's length
MAX_CODE = 30  # Task.code's length


def _units(names: list[str], field: str) -> list[Organisation]:
    found: list[Organisation] = []
    for name in names:
        try:
            unit = resolve_unit(name)
        except UnknownUnit as exc:
            raise InvalidInput(
                exc.message, code="unknown_unit", fields={field: [exc.message]}
            ) from None
        if unit not in found:
            found.append(unit)
    return found


@transaction.atomic
def create_subtask(parent: Task, *, actor: User, draft: SubTaskDraft) -> Task:
    access.require_office(actor)
    parent = locked(parent)
    check(parent, "create_subtask")
    leads = _units(draft.leads, "leads")
    if not leads:
        raise invalid_field("leads", _("A task needs at least one lead unit."))
    responsibles = [u for u in _units(draft.responsibles, "responsibles") if u not in leads]
    number = (parent.children.aggregate(n=Max("number"))["n"] or 0) + 1
    code = f"{parent.code}.{number}"
    if len(code) > MAX_CODE or Task.objects.filter(code=code).exists():
        raise invalid_field("title", _("No code is left for another sub-task here."))
    child = Task.objects.create(
        plan=parent.plan,
        parent=parent,
        number=number,
        code=code,
        title=draft.title,
        text=draft.text,
    )
    child.leads.set(leads)
    child.responsibles.set(responsibles)
    audit.record(
        actor=actor,
        action="supervision.task.create",
        obj=child,
        after={"code": code, "parent": parent.code},
    )
    move(parent, "create_subtask", actor=actor, note=f"{code} {draft.title}")
    return child


def _ancestors(task: Task) -> list[int]:
    seen: list[int] = []
    current = task
    while current.parent_id is not None and len(seen) < MAX_DEPTH:
        seen.append(current.parent_id)
        current = Task.objects.only("pk", "parent_id").get(pk=current.parent_id)
    return seen


@transaction.atomic
def set_parent(task: Task, *, actor: User, draft: ParentDraft) -> Task:
    """Put ``task`` under the task of code ``draft.parent`` (same plan), or at the top."""
    access.require_office(actor)
    task = locked(task)
    check(task, "set_parent")
    parent = None
    if draft.parent:
        parent = Task.objects.filter(plan=task.plan, code=draft.parent).first()
        if parent is None:
            raise invalid_field(
                "parent", _("No task %(code)s in this plan.") % {"code": draft.parent}
            )
        if parent.pk == task.pk or task.pk in _ancestors(parent):
            raise invalid_field(
                "parent",
                _("A task cannot be placed under itself or one of its own sub-tasks."),
                code="cycle",
            )
        if task.due and parent.due and task.due > parent.due:
            raise invalid_field(
                "parent",
                _("A sub-task cannot be due after its parent task (due %(due)s).")
                % {"due": parent.due.isoformat()},
            )
    task.parent = parent
    move(task, "set_parent", actor=actor, note=parent.code if parent else "—")
    return task
