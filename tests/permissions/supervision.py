"""Permission cases for supervision: the task list is for the office (the zone operator) and
members of government departments and public units; the plan import is the office's; a task
is seen by the office and the units on it (Wendy's 市科工信局 is a responsible unit of the
test plan's first task and the lead unit of its second); anyone else gets no such task (404).
Of those who see a task, the office sets up milestones and sub-tasks (a unit: 403
``not_office``), units acknowledge and report (the office: 403 ``not_on_task``), and only a
lead unit reports a milestone done or asks for an extension (403 ``not_lead_unit``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.builders.supervision import assigned_plan, milestone_on, small_plan
from tests.builders.world import World
from tests.permissions import SIGNED_IN, Case, expect

API = "/api/v1/supervision"
UNITS = expect("reviewer", "operator", sees=("outsider", "readonly", "owner"))
OFFICE = expect("operator", sees=SIGNED_IN, because="not_office")
SEES_TASK = expect("reviewer", "operator")
OFFICE_ON_TASK = expect("operator", sees=("reviewer",), because="not_office")
UNIT_ON_TASK = expect("reviewer", sees=("operator",), because="not_on_task")
LEAD_ON_TASK = expect("reviewer", sees=("operator",), because="not_lead_unit")


def _day(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _milestone_body(w: World) -> dict[str, Any]:
    return {
        "title": {"zh-Hans": "选址", "en": "Site chosen"},
        "due": _day(20),
        "weight": 2,
        "target": "25",
    }


def _first(w: World) -> str:
    return str(assigned_plan(w.bob)[0].public_id)


def _opened(w: World, index: int) -> str:
    return str(assigned_plan(w.bob, opened=True)[index].public_id)


def _lead_milestone(w: World) -> str:
    return str(milestone_on(assigned_plan(w.bob, opened=True)[1]).public_id)


API_CASES = [
    Case("api supervision tasks", "GET", lambda w: f"{API}/tasks", expect(*SIGNED_IN), api=True),
    Case(
        "api a supervision task",
        "GET",
        lambda w: f"{API}/tasks/{_first(w)}",
        SEES_TASK,
        api=True,
        route="/api/v1/supervision/tasks/{task_id}",
    ),
    Case(
        "api a task's milestones",
        "GET",
        lambda w: f"{API}/tasks/{_first(w)}/milestones",
        SEES_TASK,
        api=True,
        route="/api/v1/supervision/tasks/{task_id}/milestones",
    ),
    Case(
        "api add a milestone",
        "POST",
        lambda w: f"{API}/tasks/{_first(w)}/milestones",
        OFFICE_ON_TASK,
        body=_milestone_body,
        api=True,
        route="/api/v1/supervision/tasks/{task_id}/milestones",
    ),
    Case(
        "api change a milestone",
        "PUT",
        lambda w: f"{API}/milestones/{_lead_milestone(w)}",
        OFFICE_ON_TASK,
        body=_milestone_body,
        api=True,
        route="/api/v1/supervision/milestones/{milestone_id}",
    ),
    Case(
        "api report a milestone done",
        "POST",
        lambda w: f"{API}/milestones/{_lead_milestone(w)}/done",
        LEAD_ON_TASK,
        body=lambda w: {"done_on": _day(0), "evidence": "选址报告"},
        api=True,
        route="/api/v1/supervision/milestones/{milestone_id}/done",
    ),
    Case(
        "api acknowledge a task",
        "POST",
        lambda w: f"{API}/tasks/{_first(w)}/acknowledge",
        UNIT_ON_TASK,
        api=True,
        route="/api/v1/supervision/tasks/{task_id}/acknowledge",
    ),
    Case(
        "api report progress",
        "POST",
        lambda w: f"{API}/tasks/{_opened(w, 0)}/reports",
        UNIT_ON_TASK,
        body=lambda w: {"progress": "20", "note": "选址完成"},
        api=True,
        route="/api/v1/supervision/tasks/{task_id}/reports",
    ),
    Case(
        "api request an extension",
        "POST",
        lambda w: f"{API}/tasks/{_opened(w, 1)}/extension-requests",
        LEAD_ON_TASK,
        body=lambda w: {"new_due": _day(150), "reason": "汛期"},
        api=True,
        route="/api/v1/supervision/tasks/{task_id}/extension-requests",
    ),
    Case(
        "api add a sub-task",
        "POST",
        lambda w: f"{API}/tasks/{_first(w)}/subtasks",
        OFFICE_ON_TASK,
        body=lambda w: {"title": "选址", "leads": ["科工信局"]},
        api=True,
        route="/api/v1/supervision/tasks/{task_id}/subtasks",
    ),
]

PAGE_CASES = [
    Case("plan tasks", "GET", lambda w: "/supervision/", UNITS, url_name="supervision:list"),
    Case(
        "import a plan",
        "GET",
        lambda w: "/supervision/import/",
        OFFICE,
        url_name="supervision:import",
    ),
    Case(
        "a plan task",
        "GET",
        lambda w: f"/supervision/tasks/{small_plan(w.bob)[0].public_id}/",
        SEES_TASK,
        url_name="supervision:detail",
    ),
    Case(
        "a plan task's milestones as iCalendar",
        "GET",
        lambda w: f"/supervision/tasks/{_first(w)}/milestones.ics",
        SEES_TASK,
        url_name="supervision:task_calendar",
    ),
    Case(
        "a milestone",
        "GET",
        lambda w: f"/supervision/milestones/{_lead_milestone(w)}/",
        SEES_TASK,
        url_name="supervision:milestone",
    ),
    Case(
        "a unit's plan calendar",
        "GET",
        lambda w: f"/supervision/units/{w.department.public_id}/calendar.ics",
        SEES_TASK,
        url_name="supervision:unit_calendar",
    ),
    Case(
        "quarterly evaluation",
        "GET",
        lambda w: "/supervision/evaluation/",
        OFFICE,
        url_name="supervision:evaluation",
    ),
    Case(
        "quarterly evaluation export",
        "GET",
        lambda w: "/supervision/evaluation.csv",
        OFFICE,
        url_name="supervision:evaluation_export",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()

APPS = ("supervision", "accounts")
