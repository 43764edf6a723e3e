"""Builders for training tests (moved from tests/permissions/training.py): the
objects the permission matrix and tests/test_training*.py start from."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.inputs import parse_draft
from nomadcloud.training import services
from nomadcloud.training.models import Enrolment, Material, Scenario
from nomadcloud.training.schemas import ScenarioDraft
from tests.builders.demands import make_concepts
from tests.builders.world import World

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def as_(user: User) -> Principal:
    return Principal.for_user(user)


def scenario_fields(**extra: Any) -> dict[str, Any]:
    make_concepts()
    today = timezone.localdate()
    return {
        "title_zh": "Docker 部署实训",
        "title_en": "Docker deployment training",
        "goal_zh": "学会用 Docker 部署 Python 服务。",
        "tasks_zh": "1. 编写 Dockerfile\n2. 部署并提交截图",
        "capacity": 5,
        "enrol_from": today - timedelta(days=1),
        "enrol_until": today + timedelta(days=10),
        "runs_from": today - timedelta(days=1),
        "runs_until": today + timedelta(days=30),
        "pass_score": "60",
        "skills": [{"code": "nc.python", "level": 3}, {"code": "nc.docker", "level": 4}],
        "criteria": [
            {"title_zh": "部署可用", "title_en": "Deployment works", "weight": 2, "max_points": 10},
            {
                "title_zh": "文档清楚",
                "title_en": "Clear documentation",
                "weight": 1,
                "max_points": 5,
            },
        ],
        **extra,
    }


def draft_scenario(w: World, **extra: Any) -> Scenario:
    draft = parse_draft(ScenarioDraft, scenario_fields(**extra))
    return services.create_scenario(principal=as_(w.olivia), organisation=w.acme, draft=draft)


def published_scenario(w: World, **extra: Any) -> Scenario:
    scenario = draft_scenario(w, **extra)
    return services.publish_scenario(principal=as_(w.olivia), scenario=scenario)


def with_material(w: World, scenario: Scenario | None = None) -> tuple[Scenario, Material]:
    scenario = scenario or published_scenario(w)
    material = services.add_material(
        principal=as_(w.olivia),
        scenario=scenario,
        title="部署手册",
        file=SimpleUploadedFile("manual.pdf", PDF),
    )
    return scenario, material


def enrolment(w: World, nomad: User | None = None) -> Enrolment:
    scenario = published_scenario(w)
    return services.enrol(principal=as_(nomad or w.wendy), scenario=scenario)


def submitted(w: World) -> Enrolment:
    item = enrolment(w)
    services.submit_work(
        principal=as_(w.wendy),
        enrolment=item,
        text="Dockerfile 与部署截图见附件。",
        links=["https://example.com/wendy/docker-demo"],
        files=[SimpleUploadedFile("screenshot.pdf", PDF)],
    )
    return Enrolment.objects.get(pk=item.pk)


def passed(w: World) -> Enrolment:
    item = submitted(w)
    services.assess(
        principal=as_(w.olivia),
        enrolment=item,
        scores=[services.Score(1, 9, "很好"), services.Score(2, 4)],
        comment="通过。",
    )
    return Enrolment.objects.get(pk=item.pk)
