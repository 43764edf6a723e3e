"""Choosing concepts by name everywhere one is chosen (issue 14 item 1): the profile's
skills, tools, languages and project skills, the demand form's skills, tools and languages,
the matching filters, and the API inputs and filters that take a skill or a language. An
unknown name is refused with the closest concepts, in the field's error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from nomadcloud.demands.models import Demand
from nomadcloud.talent.models import Profile, ProfileLanguage, ProfileSkill, ProfileTool
from nomadcloud.taxonomy import lookup
from nomadcloud.taxonomy.models import Alias, Concept
from nomadcloud.taxonomy.text import normalize
from tests.builders.world import make_person
from tests.conftest import World, client_for
from tests.helpers import api_get, api_post, assert_error


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    lookup.forget()
    yield
    lookup.forget()


def _concept(code: str, zh: str, en: str, kind: str = "skill", *aliases: str) -> Concept:
    found, _created = Concept.objects.get_or_create(
        code=code, defaults={"kind": kind, "label_zh": zh, "label_en": en, "source": "nomadcloud"}
    )
    for label in aliases:
        Alias.objects.get_or_create(
            concept=found, language="en", label=label, normalized=normalize(label)
        )
    return found


@pytest.fixture
def vocabulary(db: None) -> dict[str, Concept]:
    return {
        "labelling": _concept("nc.data-annotation", "数据标注", "data annotation", "skill"),
        "labeller": _concept("nc.data-labeller", "数据标注员", "data labeller", "occupation"),
        "python": _concept("nc.python", "Python", "Python", "skill"),
        "studio": _concept("nc.label-studio", "Label Studio", "Label Studio", "tool"),
        "docker": _concept("nc.docker", "Docker", "Docker", "tool"),
        "chinese": _concept("nc.chinese", "中文", "Chinese", "language", "Mandarin"),
        "english": _concept("nc.english", "英语", "English", "language"),
    }


def _nomad(client_language: str = "zh-hans") -> tuple[Any, Client]:
    user = make_person("Nomad", f"nomad-{client_language}@example.com")
    client = client_for(user)
    client.cookies["nomadcloud_language"] = client_language
    return user, client


SKILL_PAGE = {"level": "5", "evidence_source": "", "evidence_reference": "", "evidence_url": ""}


def test_typing_a_chinese_skill_name_in_the_profile_works(vocabulary: dict[str, Concept]) -> None:
    user, client = _nomad()
    response = client.post("/talent/profile/skills/", {**SKILL_PAGE, "skill": "数据标注"})
    assert response.status_code == 302, response.content.decode()[:2000]
    held = ProfileSkill.objects.get(profile__user=user)
    assert held.concept.code == "nc.data-annotation"
    # An occupation is chosen in the same field, by its English name.
    response = client.post("/talent/profile/skills/", {**SKILL_PAGE, "skill": "data labeller"})
    assert response.status_code == 302
    assert ProfileSkill.objects.filter(profile__user=user, concept__kind="occupation").exists()


def test_an_unknown_skill_name_offers_the_closest(vocabulary: dict[str, Concept]) -> None:
    _user, client = _nomad("en")
    response = client.post("/talent/profile/skills/", {**SKILL_PAGE, "skill": "data annotatoin"})
    assert response.status_code == 422
    errors = response.context["skill_form"].errors["skill"]
    assert "data annotatoin" in errors[0] and "Did you mean" in errors[0]
    assert "data annotation" in errors[0]


def test_tools_languages_and_project_skills_by_name(vocabulary: dict[str, Concept]) -> None:
    user, client = _nomad()
    response = client.post(
        "/talent/profile/tools/", {"tool": "label studio", "proficiency": "3", "years": "1"}
    )
    assert response.status_code == 302
    assert ProfileTool.objects.get(profile__user=user).concept.code == "nc.label-studio"
    response = client.post("/talent/profile/languages/", {"language": "Mandarin", "level": "C1"})
    assert response.status_code == 302
    assert ProfileLanguage.objects.get(profile__user=user).language == "zh"
    response = client.post(
        "/talent/profile/projects/",
        {
            "title_zh": "标注项目",
            "role": "标注员",
            "started_on": "2024-01-01",
            "skills": "数据标注、Label Studio",
        },
    )
    assert response.status_code == 302, response.context["project_form"].errors
    project = Profile.objects.get(user=user).projects.get()
    assert {c.code for c in project.skills.all()} == {"nc.data-annotation", "nc.label-studio"}
    # The profile shows the language by name, not its code.
    page = client.get("/talent/profile/").content.decode()
    assert "中文 · " in page
    # A tool is not a skill, by name too.
    response = client.post("/talent/profile/skills/", {**SKILL_PAGE, "skill": "Label Studio"})
    assert response.status_code == 422


def test_the_api_takes_names_for_skills_tools_and_languages(
    vocabulary: dict[str, Concept],
) -> None:
    user, _client = _nomad("en")
    answer = api_post(user, "/api/v1/talent/me/skills", {"skill": "数据标注", "level": 5})
    assert answer.status_code == 201, answer.content
    answer = api_post(user, "/api/v1/talent/me/tools", {"tool": "Docker", "proficiency": 2})
    assert answer.status_code == 201, answer.content
    answer = api_post(user, "/api/v1/talent/me/languages", {"language": "英语", "level": "B2"})
    assert answer.status_code == 201, answer.content
    assert answer.json()["language"] == "en"
    answer = api_post(
        user,
        "/api/v1/talent/me/skills",
        {"skill": "数据标柱", "level": 5},
        HTTP_ACCEPT_LANGUAGE="zh",
    )
    body = assert_error(answer, "unknown_concept", field="skill", status=422)
    assert "数据标注" in body["fields"]["skill"][0]


def test_the_demand_form_takes_names(world: World, vocabulary: dict[str, Concept]) -> None:
    client = client_for(world.olivia)
    form = {
        "kind": "job",
        "title_zh": "数据标注项目",
        "skills": "数据标注 4\nPython optional",
        "tools": "Label Studio, docker",
        "languages": "中文、English",
        "work_mode": "remote",
        "pay_period": "month",
        "headcount": "1",
    }
    response = client.post(f"/demands/organisations/{world.acme.public_id}/new/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    demand = Demand.objects.filter(organisation=world.acme).latest("id")
    skills = {(s.concept.code, s.min_level, s.required) for s in demand.skills.all()}
    assert skills == {("nc.data-annotation", 4, True), ("nc.python", 5, False)}
    assert {t.code for t in demand.tools.all()} == {"nc.label-studio", "nc.docker"}
    assert {lang.code for lang in demand.languages.all()} == {"zh", "en"}
    edit = client.get(f"/demands/{demand.public_id}/edit/")
    if edit.status_code == 200:  # the edit form shows names, not codes
        assert "nc.data-annotation" not in edit.context["form"].initial["skills"]

    bad = client.post(
        f"/demands/organisations/{world.acme.public_id}/new/", {**form, "skills": "数据标柱 3"}
    )
    assert bad.status_code == 422
    message = bad.context["form"].errors["skills"][0]
    assert "数据标柱" in message and "数据标注" in message


def test_filters_take_names(world: World, vocabulary: dict[str, Concept]) -> None:
    answer = api_get(None, "/api/v1/demands?skill=数据标注")
    assert answer.status_code == 200, answer.content
    answer = api_get(None, "/api/v1/demands?language=中文")
    assert answer.status_code == 200, answer.content
    answer = api_get(None, "/api/v1/demands?skill=数据标柱", HTTP_ACCEPT_LANGUAGE="en")
    body = assert_error(answer, "unknown_concept", field="skill", status=422)
    assert "data annotation" in body["message"]
    user, client = _nomad()
    assert client.get("/matching/recommended/?skill=数据标注").status_code == 200
    answer = api_get(user, "/api/v1/matching/recommendations?skill=数据标注")
    assert answer.status_code == 200, answer.content
    answer = api_get(user, "/api/v1/matching/recommendations?skill=nothing-like-it")
    assert_error(answer, "unknown_concept", field="skill", status=422)
