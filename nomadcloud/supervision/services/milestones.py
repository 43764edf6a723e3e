"""Milestones (design §4.10): the office sets them up on a task before and while it runs
(title per language, date, weight, 序时进度 target); a lead unit reports one done with the day
and evidence. A milestone is not after the task's due date (the new one once an extension is
approved), and targets do not go down as dates go on: each refusal names its field and
changes nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.core.i18n import localized_text
from nomadcloud.supervision import access
from nomadcloud.supervision.models import Milestone, Task
from nomadcloud.supervision.schemas import MilestoneDoneDraft, MilestoneDraft
from nomadcloud.supervision.services._common import check, locked, move, today_or


def _both(title: dict[str, str]) -> str:
    zh, en = localized_text(title, "zh-Hans"), localized_text(title, "en")
    return zh if zh == en else f"{zh} / {en}"


def _validate(task: Task, draft: MilestoneDraft, *, other_than: Milestone | None) -> None:
    if task.due is not None and draft.due > task.due:
        raise invalid_field(
            "due",
            _("A milestone cannot fall after the task's due date (%(due)s).")
            % {"due": task.due.isoformat()},
            code="after_task_due",
        )
    others = task.milestones.all()
    if other_than is not None:
        others = others.exclude(pk=other_than.pk)
    for m in others:
        if m.due < draft.due and m.target > draft.target:
            raise invalid_field(
                "target",
                _(
                    "The target cannot be lower than that of the earlier milestone "
                    "“%(title)s” (%(target)s %%)."
                )
                % {"title": localized_text(m.title), "target": m.target},
                code="target_decreasing",
            )
        if m.due > draft.due and m.target < draft.target:
            raise invalid_field(
                "target",
                _(
                    "The target cannot be higher than that of the later milestone "
                    "“%(title)s” (%(target)s %%)."
                )
                % {"title": localized_text(m.title), "target": m.target},
                code="target_decreasing",
            )


@transaction.atomic
def add_milestone(task: Task, *, actor: User, draft: MilestoneDraft) -> Milestone:
    access.require_office(actor)
    task = locked(task)
    check(task, "add_milestone")
    _validate(task, draft, other_than=None)
    made = Milestone.objects.create(
        task=task, title=draft.title, due=draft.due, weight=draft.weight, target=draft.target
    )
    move(task, "add_milestone", actor=actor, note=_both(made.title), new_due=made.due)
    return made


@transaction.atomic
def edit_milestone(milestone: Milestone, *, actor: User, draft: MilestoneDraft) -> Milestone:
    """Change a milestone not yet done (a done one is the record of what happened)."""
    access.require_office(actor)
    task = locked(milestone.task)
    check(task, "edit_milestone")
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_on is not None:
        raise Conflict(
            _("This milestone was reported done; it can no longer be changed."),
            code="milestone_done",
        )
    _validate(task, draft, other_than=milestone)
    milestone.title = draft.title
    milestone.due = draft.due
    milestone.weight = draft.weight
    milestone.target = draft.target
    milestone.save()
    move(task, "edit_milestone", actor=actor, note=_both(milestone.title), new_due=milestone.due)
    return milestone


@transaction.atomic
def complete_milestone(
    milestone: Milestone,
    *,
    actor: User,
    draft: MilestoneDoneDraft,
    today: dt.date | None = None,
) -> Milestone:
    """A lead unit reports the milestone done on ``draft.done_on`` with evidence."""
    unit = access.unit_on_task(actor, milestone.task, lead_only=True)
    task = locked(milestone.task)
    check(task, "complete_milestone")
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_on is not None:
        raise Conflict(_("This milestone was already reported done."), code="already_done")
    day = today_or(today)
    if draft.done_on > day:
        raise invalid_field("done_on", _("The day it was done cannot be in the future."))
    if task.assigned_on is not None and draft.done_on < task.assigned_on:
        raise invalid_field(
            "done_on",
            _("The day it was done cannot be before the task was assigned (%(day)s).")
            % {"day": task.assigned_on.isoformat()},
        )
    milestone.done_on = draft.done_on
    milestone.evidence = draft.evidence
    milestone.done_by = actor
    milestone.done_unit = unit
    milestone.save()
    move(
        task,
        "complete_milestone",
        actor=actor,
        unit=unit,
        note=_both(milestone.title),
        evidence=draft.evidence,
    )
    return milestone
