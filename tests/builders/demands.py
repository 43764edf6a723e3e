"""Builders for demands tests (moved from tests/permissions/demands.py): the
objects the permission matrix and tests/test_demands*.py start from."""

from __future__ import annotations

from typing import Any

from nomadcloud.accounts.principal import Principal
from nomadcloud.demands import services
from nomadcloud.demands.models import Demand, Feed, JobProfileTag
from nomadcloud.demands.schemas import DemandDraft
from nomadcloud.taxonomy.models import Concept
from tests.builders.world import World


def concept(code: str, label_en: str, label_zh: str = "", kind: str = "skill") -> Concept:
    found, _created = Concept.objects.get_or_create(
        code=code,
        defaults={
            "kind": kind,
            "label_en": label_en,
            "label_zh": label_zh,
            "source": "nomadcloud",
        },
    )
    return found


def make_concepts() -> dict[str, Concept]:
    return {
        "python": concept("nc.python", "Python", "Python"),
        "sql": concept("nc.sql", "SQL", "SQL"),
        "labelling": concept("nc.data-annotation", "Data labelling", "数据标注"),
        "cpp": concept("nc.cpp", "C++", "C++", kind="tool"),
        "docker": concept("nc.docker", "Docker", "Docker", kind="tool"),
    }


def demand_fields(**extra: Any) -> dict[str, Any]:
    make_concepts()
    return {
        "kind": "job",
        "title_zh": "Python 数据工程师",
        "title_en": "Python data engineer",
        "description_zh": "负责数据清洗与标注流程，熟悉 Python 与 SQL。",
        "skills": [{"code": "nc.python", "min_level": 3, "required": True}],
        "tools": ["nc.docker"],
        "languages": ["zh", "en"],
        "budget_min": "15000.00",
        "budget_max": "25000.00",
        **extra,
    }


def demand_draft(**extra: Any) -> DemandDraft:
    return DemandDraft.model_validate(demand_fields(**extra))


def draft(w: World, **extra: Any) -> Demand:
    return services.create_demand(
        principal=Principal.for_user(w.olivia), organisation=w.acme, draft=demand_draft(**extra)
    )


def published(w: World, **extra: Any) -> Demand:
    return services.create_demand(
        principal=Principal.for_user(w.olivia),
        organisation=w.acme,
        status="published",
        draft=demand_draft(**extra),
    )


def manual_tag(w: World) -> tuple[Demand, JobProfileTag]:
    demand = published(w)
    tag = services.add_profile_tag(
        principal=Principal.for_user(w.olivia), demand=demand, code="nc.cpp"
    )
    return demand, tag


def feed(w: World) -> Feed:
    return Feed.objects.create(
        organisation=w.acme,
        url="https://hr.acme.example/jobs.json",
        format="jobposting",
        created_by=w.olivia,
    )
