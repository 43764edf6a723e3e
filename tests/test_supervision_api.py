"""The supervision API (/api/v1/supervision, decision 0065): the tasks a caller sees with
cursor paging, a task with its milestones and acknowledgements, and the writes that share
their typed input with the page forms; refusals in the one envelope with ``code`` and
``fields``, hidden tasks answering 404."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from nomadcloud.core import workdays
from nomadcloud.supervision import services
from nomadcloud.supervision.models import Milestone, Task
from tests.builders.supervision import small_plan
from tests.conftest import World
from tests.helpers import api_get, api_post, as_client, assert_error

API = "/api/v1/supervision"


@pytest.fixture
def assigned(world: World) -> Iterator[list[Task]]:
    """The test plan's two tasks assigned today, due in three months."""
    today = dt.date.today()
    for year in (today.year, today.year + 1):
        workdays.declare_year_loaded(year, actor=None)
    tasks = small_plan(world.bob)
    for task in tasks:
        services.assign(task, actor=world.oscar, due=today + dt.timedelta(days=90))
    yield [Task.objects.get(pk=t.pk) for t in tasks]


def _milestone(days: int = 30, target: str = "40", weight: int = 1) -> dict[str, object]:
    return {
        "title": {"zh-Hans": "选址", "en": "Site chosen"},
        "due": (dt.date.today() + dt.timedelta(days=days)).isoformat(),
        "weight": weight,
        "target": target,
    }


def test_the_caller_sees_only_their_tasks_page_by_page(world: World, assigned: list[Task]) -> None:
    community, foreign = assigned
    mine = api_get(world.wendy, f"{API}/tasks").json()  # 市科工信局 is on both
    assert {row["code"] for row in mine["items"]} == {"T-1", "T-2"}
    first = api_get(world.wendy, f"{API}/tasks?limit=1").json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    rest = api_get(world.wendy, f"{API}/tasks?limit=1&cursor={first['next_cursor']}").json()
    assert {first["items"][0]["code"], rest["items"][0]["code"]} == {"T-1", "T-2"}
    assert rest["items"][0]["status_label"]
    assert [r["code"] for r in api_get(world.bob, f"{API}/tasks").json()["items"]] == ["T-1"]
    assert api_get(world.charlie, f"{API}/tasks").json()["items"] == []
    assert_error(api_get(world.charlie, f"{API}/tasks/{community.public_id}"), "not_found")
    assert_error(api_get(world.bob, f"{API}/tasks/{foreign.public_id}"), "not_found")
    assert_error(api_get(world.bob, f"{API}/tasks/not-a-uuid"), "not_found")
    assert_error(api_get(world.wendy, f"{API}/tasks?cursor=zzz"), "invalid_input", "cursor")

    task = api_get(world.wendy, f"{API}/tasks/{community.public_id}").json()
    assert task["code"] == "T-1" and task["status"] == "assigned"
    assert [a["unit"]["code"] for a in task["acknowledgements"]] == ["huanwan", "kegongxin"]
    assert all(a["acknowledged_at"] is None and a["due_by"] for a in task["acknowledgements"])


def test_milestones_through_the_api(world: World, assigned: list[Task]) -> None:
    community, _foreign = assigned
    path = f"{API}/tasks/{community.public_id}/milestones"
    body = assert_error(api_post(world.oscar, path, _milestone(days=200)), "after_task_due", "due")
    assert body["fields"]["due"]
    assert_error(api_post(world.oscar, path, _milestone(weight=0)), "invalid_input", "weight")
    assert_error(api_post(world.oscar, path, _milestone(target="101")), "invalid_input", "target")
    assert_error(
        api_post(world.oscar, path, {**_milestone(), "title": {"en": "x"}}),
        "invalid_input",
        "title",
    )
    assert_error(api_post(world.bob, path, _milestone()), "not_office")
    assert_error(api_post(world.charlie, path, _milestone()), "not_found")
    assert not Milestone.objects.exists()

    made = api_post(world.oscar, path, _milestone(days=30, target="40"))
    assert made.status_code == 201, made.content
    assert made.json()["title"] == {"zh-Hans": "选址", "en": "Site chosen"}
    lower = api_post(world.oscar, path, _milestone(days=60, target="30"))
    assert_error(lower, "target_decreasing", "target")
    listed = api_get(world.wendy, path).json()
    assert [m["target"] for m in listed["items"]] == ["40.00"]
    milestone_id = made.json()["id"]
    changed = world_put(world, f"{API}/milestones/{milestone_id}", _milestone(days=20))
    assert changed.status_code == 200 and changed.json()["due"] == _milestone(days=20)["due"]

    done = {"done_on": dt.date.today().isoformat(), "evidence": "选址报告"}
    assert_error(api_post(world.bob, f"{API}/milestones/{milestone_id}/done", done), "wrong_status")
    assert api_post(world.bob, f"{API}/tasks/{community.public_id}/acknowledge").status_code == 200
    refused = api_post(world.wendy, f"{API}/milestones/{milestone_id}/done", done)
    assert_error(refused, "not_lead_unit")
    future = {**done, "done_on": (dt.date.today() + dt.timedelta(days=1)).isoformat()}
    assert_error(
        api_post(world.bob, f"{API}/milestones/{milestone_id}/done", future),
        "invalid_input",
        "done_on",
    )
    answer = api_post(world.bob, f"{API}/milestones/{milestone_id}/done", done)
    assert answer.status_code == 200 and answer.json()["on_time"] is True
    again = api_post(world.bob, f"{API}/milestones/{milestone_id}/done", done)
    assert_error(again, "already_done")


def world_put(world: World, path: str, body: dict[str, object]) -> Any:
    return as_client(world.oscar).put(path, json.dumps(body), content_type="application/json")


def test_acknowledge_report_and_extension_through_the_api(
    world: World, assigned: list[Task]
) -> None:
    community, _foreign = assigned
    task = f"{API}/tasks/{community.public_id}"
    assert_error(api_post(world.charlie, f"{task}/acknowledge"), "not_found")
    assert_error(api_post(world.oscar, f"{task}/acknowledge"), "not_on_task")
    acked = api_post(world.wendy, f"{task}/acknowledge")
    assert acked.status_code == 200 and acked.json()["status"] == "assigned"
    assert_error(api_post(world.wendy, f"{task}/acknowledge"), "already_acknowledged")
    assert api_post(world.bob, f"{task}/acknowledge").json()["status"] == "acknowledged"

    report = {"progress": "30", "note": "选址完成", "evidence": "photo.jpg"}
    made = api_post(world.bob, f"{task}/reports", report)
    assert made.status_code == 201 and made.json()["status"] == "in_progress"
    assert made.json()["period"] == dt.date.today().strftime("%Y-%m")
    down = api_post(world.bob, f"{task}/reports", {**report, "progress": "20"})
    assert_error(down, "invalid_input", "reason")
    next_year = f"{dt.date.today().year + 1}-Q1"
    assert_error(
        api_post(world.bob, f"{task}/reports", {**report, "period": next_year}),
        "future_period",
        "period",
    )
    assert_error(
        api_post(world.bob, f"{task}/reports", {**report, "progress": "1e2"}),
        "invalid_input",
        "progress",
    )
    assert_error(api_post(world.charlie, f"{task}/reports", report), "not_found")

    new_due = (dt.date.today() + dt.timedelta(days=120)).isoformat()
    extension = {"new_due": new_due, "reason": "汛期"}
    assert_error(api_post(world.wendy, f"{task}/extension-requests", extension), "not_lead_unit")
    asked = api_post(world.bob, f"{task}/extension-requests", extension)
    assert asked.status_code == 201 and asked.json()["new_due"] == new_due
    assert_error(api_post(world.bob, f"{task}/extension-requests", extension), "extension_pending")
    assert_error(
        api_post(world.bob, f"{task}/extension-requests", {"new_due": new_due}),
        "invalid_input",
        "reason",
    )


def test_subtasks_through_the_api(world: World, assigned: list[Task]) -> None:
    community, _foreign = assigned
    path = f"{API}/tasks/{community.public_id}/subtasks"
    assert_error(
        api_post(world.oscar, path, {"title": "选址", "leads": []}), "invalid_input", "leads"
    )
    unknown = api_post(world.oscar, path, {"title": "选址", "leads": ["市科工局"]})
    assert_error(unknown, "unknown_unit", "leads")
    assert_error(
        api_post(world.wendy, path, {"title": "选址", "leads": ["科工信局"]}), "not_office"
    )
    made = api_post(world.oscar, path, {"title": "选址", "leads": ["科工信局"]})
    assert made.status_code == 201
    assert made.json()["code"] == "T-1.1" and made.json()["parent"] == "T-1"
    assert made.json()["leads"][0]["code"] == "kegongxin"
