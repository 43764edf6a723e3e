"""The training API: publish with a rubric, enrol, submit files as base64, assess, and the
completions; drafts hidden from outsiders, materials only for those enrolled."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from nomadcloud.talent.models import SkillEvidence
from tests.builders.demands import make_concepts
from tests.builders.orders import b64
from tests.builders.training import PDF, draft_scenario, scenario_fields, with_material
from tests.conftest import World, client_for, database_fingerprint
from tests.helpers import assert_error

API = "/api/v1/training"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield


@pytest.fixture(autouse=True)
def _concepts(db: None) -> None:
    make_concepts()


def en(user: Any) -> Client:
    client = client_for(user)
    client.cookies["nomadcloud_language"] = "en"
    return client


def send(client: Client, method: str, path: str, body: Any = None) -> Any:
    return client.generic(
        method, path, json.dumps(body) if body is not None else "", content_type="application/json"
    )


def json_fields(**extra: Any) -> dict[str, Any]:
    return {
        k: (str(v) if k.endswith(("_from", "_until")) else v)
        for k, v in scenario_fields(**extra).items()
    }


def test_publish_enrol_submit_assess_and_complete(world: World) -> None:
    olivia, wendy = en(world.olivia), en(world.wendy)
    created = send(
        olivia,
        "POST",
        f"{API}/scenarios",
        {**json_fields(), "organisation": str(world.acme.public_id)},
    )
    assert created.status_code == 201, created.content
    scenario = created.json()
    assert [c["title"] for c in scenario["criteria"]] == ["Deployment works", "Clear documentation"]
    assert scenario["status"] == "draft" and scenario["places_left"] == 5
    sid = scenario["id"]
    assert_error(Client().get(f"{API}/scenarios/{sid}"), "not_found")  # a draft is hidden
    assert send(olivia, "POST", f"{API}/scenarios/{sid}/publish").json()["status"] == "published"
    assert Client().get(f"{API}/scenarios/{sid}").json()["title"]  # now public

    enrolment = send(wendy, "POST", f"{API}/scenarios/{sid}/enrol")
    assert enrolment.status_code == 201
    eid = enrolment.json()["id"]
    submitted = send(
        wendy,
        "POST",
        f"{API}/enrolments/{eid}/submissions",
        {
            "text": "Dockerfile attached.",
            "links": ["https://example.com/repo"],
            "files": [{"file_name": "screens.pdf", "content_base64": b64(PDF)}],
        },
    )
    assert submitted.status_code == 201, submitted.content
    assert submitted.json()["files"][0]["size"] == len(PDF)

    assessment = send(
        olivia,
        "POST",
        f"{API}/enrolments/{eid}/assessment",
        {"scores": [{"position": 1, "points": 6}, {"position": 2, "points": 3}], "comment": "OK"},
    )
    assert assessment.status_code == 201, assessment.content
    # (2·6/10 + 1·3/5) / 3 = 0.6 → exactly the pass mark
    assert (assessment.json()["score"], assessment.json()["passed"]) == ("60.00", True)
    detail = wendy.get(f"{API}/enrolments/{eid}").json()
    assert detail["status"] == "passed"
    assert [s["points"] for s in detail["assessments"][0]["scores"]] == [6, 3]
    [completion] = wendy.get(f"{API}/completions").json()
    assert completion["reference"] == f"training:{eid}"
    assert completion["skills"] == [["nc.python", 3], ["nc.docker", 4]]
    assert SkillEvidence.objects.filter(reference=f"training:{eid}").count() == 2


def test_bad_input_is_named_and_nothing_is_written(world: World) -> None:
    olivia = en(world.olivia)
    before = database_fingerprint()
    body = {**json_fields(), "organisation": str(world.acme.public_id)}
    body["criteria"] = [{"title_en": "x", "weight": 0, "max_points": 5}]
    response = send(olivia, "POST", f"{API}/scenarios", body)
    assert_error(response, "invalid_input", field="criteria.0.weight")
    body = {**json_fields(), "organisation": str(world.acme.public_id), "enrol_from": 1767225600}
    assert_error(send(olivia, "POST", f"{API}/scenarios", body), "invalid_input", "enrol_from")
    assert database_fingerprint() == before


def test_materials_only_for_the_enrolled(world: World) -> None:
    scenario, material = with_material(world)
    path = f"{API}/scenarios/{scenario.public_id}/materials"
    refused = en(world.charlie).get(path)
    assert refused.status_code == 403 and refused.json()["code"] == "not_enrolled"
    send(en(world.charlie), "POST", f"{API}/scenarios/{scenario.public_id}/enrol")
    [item] = en(world.charlie).get(path).json()
    assert item["title"] == "部署手册" and item["sha256"] == material.sha256


def test_a_refused_file_refuses_the_submission(world: World, tmp_path: Path) -> None:
    scenario = draft_scenario(world)
    send(en(world.olivia), "POST", f"{API}/scenarios/{scenario.public_id}/publish")
    wendy = en(world.wendy)
    eid = send(wendy, "POST", f"{API}/scenarios/{scenario.public_id}/enrol").json()["id"]
    before = database_fingerprint()
    response = send(
        wendy,
        "POST",
        f"{API}/enrolments/{eid}/submissions",
        {"files": [{"file_name": "x.pdf", "content_base64": "not base64!"}]},
    )
    assert_error(response, "invalid_input", field="files.0")
    response = send(
        wendy,
        "POST",
        f"{API}/enrolments/{eid}/submissions",
        {"files": [{"file_name": "x.exe", "content_base64": b64(b"MZ\x90\x00")}]},
    )
    assert response.status_code == 422 and response.json()["code"] == "file_type"
    assert database_fingerprint() == before
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*"))
