"""Reads of supervision, scoped to who asks through ``access.py``: the task board (the tasks a
person sees, the notices still open to their units, the 签收 waiting on them), one task with
everything its page and the API show, and a task's milestones."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.supervision import access
from nomadcloud.supervision.models import Acknowledgement, Milestone, Notice, Task
from nomadcloud.supervision.transitions import TRANSITIONS


def milestones_in_order() -> Prefetch[str, QuerySet[Milestone], str]:
    return Prefetch("milestones", queryset=Milestone.objects.order_by("due", "pk"))


def task_in_full(task: Task) -> Task:
    """``task`` again with its plan, parent, units, children and milestones (in date order)
    loaded, for its page and its API answer. The caller has already checked it may see it."""
    return (
        Task.objects.select_related("plan", "parent")
        .prefetch_related("leads", "responsibles", "children", milestones_in_order())
        .get(pk=task.pk)
    )


def milestones_of(task: Task) -> QuerySet[Milestone]:
    return Milestone.objects.filter(task=task).select_related("task")


@dataclass(frozen=True)
class Board:
    """What the task list shows a person."""

    tasks: QuerySet[Task]
    notices: QuerySet[Notice]
    waiting: QuerySet[Acknowledgement]
    units: list[Organisation]
    office: bool


def board(user: User | None) -> Board:
    """The tasks ``user`` sees (all for the office), the notices not yet answered (the
    office's: all; a unit member's: their units'), and the 签收 their units still owe."""
    office = access.is_office(user)
    units = access.units_of(user)
    tasks = (
        access.visible_tasks(user)
        .select_related("plan")
        .prefetch_related("leads", "responsibles")
        .order_by("plan__code", "number", "pk")
    )
    notices = Notice.objects.select_related("task", "unit").filter(responded_at__isnull=True)
    if not office:
        notices = notices.filter(unit__in=units)
    waiting = Acknowledgement.objects.select_related("task", "unit").filter(
        acknowledged_at__isnull=True,
        unit__in=units,
        task__status__in=TRANSITIONS["acknowledge"].sources,
    )
    return Board(tasks, notices, waiting.order_by("pk"), units, office)
