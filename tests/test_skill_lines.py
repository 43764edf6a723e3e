"""Skills by name in the forms and APIs of batches, orders and training scenarios (issue 14
item 1): ``数据标注 3`` is accepted as well as a code, and an unknown name is refused on its
line with the closest concepts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from nomadcloud.datatasks.models import Batch
from nomadcloud.orders.models import Order
from nomadcloud.taxonomy import lookup
from nomadcloud.training.models import Scenario
from tests.builders.datatasks import batch_fields, csv_file, form_fields, labelling_skill
from tests.builders.orders import milestone_rows
from tests.conftest import World, client_for

TODAY = timezone.localdate()
DUE = str(TODAY + timedelta(days=9))
SCENARIO = {
    "title_zh": "实训",
    "capacity": 5,
    "pass_score": "60",
    "enrol_from": str(TODAY),
    "enrol_until": str(TODAY + timedelta(days=10)),
    "runs_from": str(TODAY),
    "runs_until": str(TODAY + timedelta(days=30)),
}
TYPO = "数据标柱"  # no such skill: 数据标注 is the closest


@pytest.fixture(autouse=True)
def fresh_index(db: None) -> Iterator[None]:
    labelling_skill()  # nc.data-annotation: 数据标注 / Data labelling
    lookup.forget()
    yield
    lookup.forget()


def _client(user: Any, language: str) -> Client:
    client = client_for(user)
    client.cookies["nomadcloud_language"] = language
    return client


def _api(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def _refused_on_the_line(response: Any, suggestion: str = "数据标注") -> None:
    assert response.status_code == 422
    errors = response.context["form"].errors["skills"]
    assert len(errors) == 1 and errors[0].startswith("第 1 行：")
    assert TYPO in errors[0] and suggestion in errors[0]


def _refused_by_the_api(response: Any) -> None:
    body = response.json()
    assert (response.status_code, body["code"]) == (422, "unknown_concept")
    (message,) = body["fields"]["skills.0"]
    assert TYPO in message and "数据标注" in message


def test_a_batch_takes_its_skills_by_name(world: World) -> None:
    client = _client(world.olivia, "zh-hans")
    path = f"/datatasks/organisations/{world.acme.public_id}/new/"
    form = client.get(path).content.decode()
    assert "数据标注 4" in form and "nc.data-annotation 4" not in form
    refused = client.post(path, {**form_fields(skills=f"{TYPO} 4"), "file": csv_file()})
    _refused_on_the_line(refused)
    assert not Batch.objects.exists()
    client.post(path, {**form_fields(skills="数据标注 4"), "file": csv_file()})
    batch = Batch.objects.get()
    assert list(batch.skills.values_list("concept__code", "level")) == [("nc.data-annotation", 4)]
    # The edit form shows the skill by name.
    edit = client.get(f"/datatasks/{batch.public_id}/edit/")
    assert edit.status_code == 200 and "数据标注 4" in edit.content.decode()


def test_the_batch_api_takes_a_name_too(world: World) -> None:
    client = _client(world.olivia, "zh-hans")
    body = {**batch_fields(), "organisation": str(world.acme.public_id)}
    _refused_by_the_api(
        _api(client, "/api/v1/datatasks/batches", {**body, "skills": [{"code": TYPO, "level": 3}]})
    )
    made = _api(
        client, "/api/v1/datatasks/batches", {**body, "skills": [{"code": "数据标注", "level": 3}]}
    )
    assert made.status_code == 201, made.content
    assert [(s["code"], s["level"]) for s in made.json()["skills"]] == [("nc.data-annotation", 3)]


def test_an_order_takes_its_skills_by_name(world: World) -> None:
    client = _client(world.olivia, "zh-hans")
    path = f"/orders/organisations/{world.acme.public_id}/new/"
    assert "数据标注 3" in client.get(path).content.decode()
    fields = {"title_zh": "海报", **milestone_rows(("初稿", "100.00", DUE))}
    _refused_on_the_line(client.post(path, {**fields, "skills": f"{TYPO} 3"}))
    assert not Order.objects.exists()
    assert client.post(path, {**fields, "skills": "数据标注 3"}).status_code == 302
    order = Order.objects.get()
    assert list(order.skills.values_list("concept__code", "level")) == [("nc.data-annotation", 3)]


def test_the_order_api_takes_a_name_too(world: World) -> None:
    client = _client(world.olivia, "zh-hans")
    body = {
        "organisation": str(world.acme.public_id),
        "title_zh": "海报",
        "milestones": [{"title": "初稿", "amount": "100.00", "due_on": DUE}],
    }
    _refused_by_the_api(
        _api(client, "/api/v1/orders", {**body, "skills": [{"code": TYPO, "level": 3}]})
    )
    made = _api(
        client, "/api/v1/orders", {**body, "skills": [{"code": "Data labelling", "level": 3}]}
    )
    assert made.status_code == 201, made.content
    assert [s["code"] for s in made.json()["skills"]] == ["nc.data-annotation"]


def test_a_scenario_takes_its_skills_by_name(world: World) -> None:
    client = _client(world.olivia, "zh-hans")
    path = f"/training/organisations/{world.acme.public_id}/new/"
    assert "数据标注 3" in client.get(path).content.decode()
    _refused_on_the_line(client.post(path, {**SCENARIO, "skills": f"{TYPO} 3"}))
    assert not Scenario.objects.exists()
    assert client.post(path, {**SCENARIO, "skills": "数据标注 3"}).status_code == 302
    scenario = Scenario.objects.get()
    assert list(scenario.skills.values_list("concept__code", "level")) == [
        ("nc.data-annotation", 3)
    ]


def test_the_scenario_api_takes_a_name_too(world: World) -> None:
    client = _client(world.olivia, "zh-hans")
    body = {"organisation": str(world.acme.public_id), **SCENARIO}
    _refused_by_the_api(
        _api(client, "/api/v1/training/scenarios", {**body, "skills": [{"code": TYPO, "level": 3}]})
    )
    made = _api(
        client, "/api/v1/training/scenarios", {**body, "skills": [{"code": "数据标注", "level": 3}]}
    )
    assert made.status_code == 201, made.content
    assert [s["code"] for s in made.json()["skills"]] == ["nc.data-annotation"]
