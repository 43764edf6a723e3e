"""The supervision part of /api/v1/: the tasks visible to the caller, their milestones, and
the steps a unit or the office takes — 签收, progress reports, a milestone done, extension
requests, milestones and sub-tasks set up by the office. Each write takes the same typed
input as its page form (schemas.py); handlers only translate HTTP to service calls."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.supervision import access, queries, services
from nomadcloud.supervision.models import Milestone, Task, TaskEvent
from nomadcloud.supervision.schemas import (
    AcknowledgementOut,
    EventOut,
    ExtensionDraft,
    MilestoneDoneDraft,
    MilestoneDraft,
    MilestoneOut,
    MilestoneRowOut,
    ReportDraft,
    SubTaskDraft,
    TaskOut,
    TaskRowOut,
    UnitOut,
)

router = Router(tags=["supervision"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


def unit_out(unit: Organisation) -> UnitOut:
    return UnitOut(id=unit.public_id, code=unit.code, name_zh=unit.name_zh, name_en=unit.name_en)


def milestone_out(m: Milestone, task: Task | None = None) -> MilestoneOut:
    return MilestoneOut(
        id=m.public_id,
        task=(task or m.task).code,
        title=m.title,
        due=m.due,
        weight=m.weight,
        target=m.target,
        done_on=m.done_on,
        evidence=m.evidence,
        on_time=m.on_time,
    )


def task_out(found: Task) -> TaskOut:
    task = queries.task_in_full(found)
    milestones = list(task.milestones.all())
    acks = task.acknowledgements.select_related("unit")
    return TaskOut(
        id=task.public_id,
        code=task.code,
        plan=task.plan.code,
        title=task.title,
        text=task.text,
        status=task.status,
        status_label=str(task.get_status_display()),
        parent=task.parent.code if task.parent else None,
        children=[c.code for c in task.children.all()],
        leads=[unit_out(u) for u in task.leads.all()],
        responsibles=[unit_out(u) for u in task.responsibles.all()],
        assigned_on=task.assigned_on,
        due=task.due,
        progress=task.progress,
        expected_progress=services.expected_progress(task, milestones=milestones),
        milestones=[milestone_out(m, task) for m in milestones],
        acknowledgements=[
            AcknowledgementOut(
                unit=unit_out(a.unit),
                lead=a.lead,
                due_by=a.due_by,
                acknowledged_at=a.acknowledged_at,
            )
            for a in acks
        ],
    )


def event_out(event: TaskEvent, task: Task) -> EventOut:
    return EventOut(
        task=task.code,
        action=event.action,
        status=event.to_status,
        progress=event.progress,
        note=event.note,
        evidence=event.evidence,
        new_due=event.new_due,
        period=event.period,
        at=event.at,
    )


@router.get("/tasks", response=_errors({200: list[TaskRowOut]}), summary="Tasks you see")
@paginate(CursorPagination)
def list_tasks(request: HttpRequest) -> Any:
    """Every task for the supervision office; a unit's members the tasks their unit is on."""
    user = require_person(Principal.of(request))
    return access.visible_tasks(user).select_related("parent")


@router.get("/tasks/{task_id}", response=_errors({200: TaskOut}), summary="A task")
def get_task(request: HttpRequest, task_id: str) -> TaskOut:
    return task_out(access.task_for(Principal.of(request), task_id))


@router.get(
    "/tasks/{task_id}/milestones",
    response=_errors({200: list[MilestoneRowOut]}),
    summary="A task's milestones",
)
@paginate(CursorPagination)
def list_milestones(request: HttpRequest, task_id: str) -> Any:
    task = access.task_for(Principal.of(request), task_id)
    return queries.milestones_of(task)


@router.post(
    "/tasks/{task_id}/milestones",
    response=_errors({201: MilestoneOut}),
    summary="Add a milestone (the office)",
)
def add_milestone(request: HttpRequest, task_id: str, body: MilestoneDraft) -> Any:
    user, task = access.task_to_change(Principal.of(request), task_id)
    return Status(201, milestone_out(services.add_milestone(task, actor=user, draft=body)))


@router.put(
    "/milestones/{milestone_id}",
    response=_errors({200: MilestoneOut}),
    summary="Change a milestone not yet done (the office)",
)
def edit_milestone(request: HttpRequest, milestone_id: str, body: MilestoneDraft) -> Any:
    user, milestone = access.milestone_to_change(Principal.of(request), milestone_id)
    return milestone_out(services.edit_milestone(milestone, actor=user, draft=body))


@router.post(
    "/milestones/{milestone_id}/done",
    response=_errors({200: MilestoneOut}),
    summary="Report a milestone done (a lead unit)",
)
def complete_milestone(request: HttpRequest, milestone_id: str, body: MilestoneDoneDraft) -> Any:
    user, milestone = access.milestone_to_change(Principal.of(request), milestone_id)
    return milestone_out(services.complete_milestone(milestone, actor=user, draft=body))


@router.post(
    "/tasks/{task_id}/acknowledge",
    response=_errors({200: TaskOut}),
    summary="Acknowledge a task (签收) for your unit",
)
def acknowledge(request: HttpRequest, task_id: str) -> TaskOut:
    user, task = access.task_to_change(Principal.of(request), task_id)
    return task_out(services.acknowledge(task, actor=user))


@router.post(
    "/tasks/{task_id}/reports",
    response=_errors({201: EventOut}),
    summary="Report progress for your unit",
)
def report(request: HttpRequest, task_id: str, body: ReportDraft) -> Any:
    user, task = access.task_to_change(Principal.of(request), task_id)
    event = services.report(task, actor=user, draft=body)
    return Status(201, event_out(event, task))


@router.post(
    "/tasks/{task_id}/extension-requests",
    response=_errors({201: EventOut}),
    summary="Request an extension before the due date (a lead unit)",
)
def request_extension(request: HttpRequest, task_id: str, body: ExtensionDraft) -> Any:
    user, task = access.task_to_change(Principal.of(request), task_id)
    event = services.request_extension(task, actor=user, draft=body)
    return Status(201, event_out(event, task))


@router.post(
    "/tasks/{task_id}/subtasks",
    response=_errors({201: TaskOut}),
    summary="Add a sub-task (the office)",
)
def create_subtask(request: HttpRequest, task_id: str, body: SubTaskDraft) -> Any:
    user, task = access.task_to_change(Principal.of(request), task_id)
    child = services.create_subtask(task, actor=user, draft=body)
    return Status(201, task_out(child))
