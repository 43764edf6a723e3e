"""Permission cases for scenario training (builders: tests/builders/training.py).

In the matrix Acme (Olivia owner, Rita read-only) publishes the scenarios and Wendy (the
department reviewer persona, no role in Acme) is the nomad who enrols and submits; Olivia
assesses. Charlie (outsider) and Oscar (the zone operator) have no part unless a case says so."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nomadcloud.training import services
from nomadcloud.training.models import Material, Scenario
from tests.builders.training import (
    PDF,
    as_,
    draft_scenario,
    enrolment,
    published_scenario,
    scenario_fields,
    submitted,
    with_material,
)
from tests.conftest import World
from tests.permissions import (
    AUTHENTICATED,
    EVERYONE,
    FORBIDDEN,
    MEMBERS_AND_OPERATOR,
    NOT_FOUND,
    OWNER_ONLY,
    Case,
    expect,
)


def _enrolled_with_material(w: World) -> tuple[Scenario, Material]:
    scenario, material = with_material(w)
    services.enrol(principal=as_(w.wendy), scenario=scenario)
    return scenario, material


def _sid(scenario: Scenario) -> str:
    return str(scenario.public_id)


T = "/api/v1/training"

API_CASES = [
    Case("api list scenarios", "GET", lambda w: f"{T}/scenarios", EVERYONE, api=True),
    Case(
        "api create scenario",
        "POST",
        lambda w: f"{T}/scenarios",
        OWNER_ONLY,
        lambda w: {
            **scenario_fields(),
            "enrol_from": str(timezone.localdate()),
            "enrol_until": str(timezone.localdate() + timedelta(days=5)),
            "runs_from": str(timezone.localdate()),
            "runs_until": str(timezone.localdate() + timedelta(days=9)),
            "organisation": str(w.acme.public_id),
        },
        api=True,
    ),
    Case(
        "api get published scenario",
        "GET",
        lambda w: f"{T}/scenarios/{_sid(published_scenario(w))}",
        EVERYONE,
        api=True,
        route=f"{T}/scenarios/{{scenario_id}}",
    ),
    Case(
        "api get draft scenario",
        "GET",
        lambda w: f"{T}/scenarios/{_sid(draft_scenario(w))}",
        expect("readonly", "owner", "operator", anonymous=NOT_FOUND),
        api=True,
        route=f"{T}/scenarios/{{scenario_id}}",
    ),
    Case(
        "api patch scenario",
        "PATCH",
        lambda w: f"{T}/scenarios/{_sid(draft_scenario(w))}",
        OWNER_ONLY,
        lambda w: {"capacity": 12},
        api=True,
        route=f"{T}/scenarios/{{scenario_id}}",
    ),
    Case(
        "api publish scenario",
        "POST",
        lambda w: f"{T}/scenarios/{_sid(draft_scenario(w))}/publish",
        OWNER_ONLY,
        api=True,
        route=f"{T}/scenarios/{{scenario_id}}/publish",
    ),
    Case(
        "api close scenario",
        "POST",
        lambda w: f"{T}/scenarios/{_sid(published_scenario(w))}/close",
        OWNER_ONLY,
        api=True,
        route=f"{T}/scenarios/{{scenario_id}}/close",
    ),
    Case(
        "api list materials",
        "GET",
        lambda w: f"{T}/scenarios/{_sid(_enrolled_with_material(w)[0])}/materials",
        expect(
            "readonly", "owner", "reviewer", "operator", sees=("outsider",), because="not_enrolled"
        ),
        api=True,
        route=f"{T}/scenarios/{{scenario_id}}/materials",
    ),
    Case(
        "api add material",
        "POST",
        lambda w: f"{T}/scenarios/{_sid(published_scenario(w))}/materials",
        OWNER_ONLY,
        lambda w: {"title": "Docker docs", "url": "https://docs.docker.com/"},
        api=True,
        route=f"{T}/scenarios/{{scenario_id}}/materials",
    ),
    Case(
        "api remove material",
        "DELETE",
        lambda w: "{}/scenarios/{}/materials/{}".format(
            T, *(lambda s, m: (s.public_id, m.pk))(*with_material(w))
        ),
        OWNER_ONLY,
        api=True,
        route=f"{T}/scenarios/{{scenario_id}}/materials/{{material_id}}",
    ),
    Case(
        "api list enrolments",
        "GET",
        lambda w: f"{T}/scenarios/{_sid(enrolment(w).scenario)}/enrolments",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{T}/scenarios/{{scenario_id}}/enrolments",
    ),
    Case(
        "api enrol",
        "POST",
        lambda w: f"{T}/scenarios/{_sid(published_scenario(w))}/enrol",
        expect(
            "outsider",
            "reviewer",
            "operator",
            sees=("readonly", "owner"),
            because="own_organisation",
        ),
        api=True,
        route=f"{T}/scenarios/{{scenario_id}}/enrol",
    ),
    Case("api my enrolments", "GET", lambda w: f"{T}/enrolments", AUTHENTICATED, api=True),
    Case(
        "api get enrolment",
        "GET",
        lambda w: f"{T}/enrolments/{enrolment(w).public_id}",
        expect("readonly", "owner", "reviewer", "operator"),
        api=True,
        route=f"{T}/enrolments/{{enrolment_id}}",
    ),
    Case(
        "api withdraw",
        "POST",
        lambda w: f"{T}/enrolments/{enrolment(w).public_id}/withdraw",
        expect("reviewer", sees=("readonly", "owner", "operator"), because="nomad_only"),
        api=True,
        route=f"{T}/enrolments/{{enrolment_id}}/withdraw",
    ),
    Case(
        "api submit",
        "POST",
        lambda w: f"{T}/enrolments/{enrolment(w).public_id}/submissions",
        expect("reviewer", sees=("readonly", "owner", "operator"), because="nomad_only"),
        lambda w: {"text": "My Dockerfile", "links": ["https://example.com/repo"]},
        api=True,
        route=f"{T}/enrolments/{{enrolment_id}}/submissions",
    ),
    Case(
        "api assess",
        "POST",
        lambda w: f"{T}/enrolments/{submitted(w).public_id}/assessment",
        expect("owner", sees=("readonly", "operator"), reviewer=FORBIDDEN.because("own_work")),
        lambda w: {
            "scores": [{"position": 1, "points": 8}, {"position": 2, "points": 3}],
            "comment": "Good",
        },
        api=True,
        route=f"{T}/enrolments/{{enrolment_id}}/assessment",
    ),
    Case("api completions", "GET", lambda w: f"{T}/completions", AUTHENTICATED, api=True),
]


def _material_page(w: World) -> str:
    scenario, material = _enrolled_with_material(w)
    return f"/training/{scenario.public_id}/materials/{material.pk}/"


def _submission_file_page(w: World) -> str:
    item = submitted(w)
    file_id = item.submissions.get().files.get().pk
    return f"/training/enrolments/{item.public_id}/files/{file_id}/"


def _form(**extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "title_zh": "剪辑实训",
        "capacity": "3",
        "enrol_from": str(today),
        "enrol_until": str(today + timedelta(days=3)),
        "runs_from": str(today),
        "runs_until": str(today + timedelta(days=7)),
        "pass_score": "70",
        "criteria": "1 | 10 | 节奏 | Pacing",
        **extra,
    }


PAGE_CASES = [
    Case(
        "my training",
        "GET",
        lambda w: "/training/mine/",
        AUTHENTICATED,
        url_name="training:mine",
    ),
    Case(
        "organisation scenarios",
        "GET",
        lambda w: f"/training/organisations/{w.acme.public_id}/",
        MEMBERS_AND_OPERATOR,
        url_name="training:organisation",
    ),
    Case(
        "new scenario form",
        "GET",
        lambda w: f"/training/organisations/{w.acme.public_id}/new/",
        OWNER_ONLY,
        url_name="training:create",
    ),
    Case(
        "create scenario",
        "POST",
        lambda w: f"/training/organisations/{w.acme.public_id}/new/",
        OWNER_ONLY,
        lambda w: _form(),
        url_name="training:create",
    ),
    Case(
        "edit scenario form",
        "GET",
        lambda w: f"/training/{draft_scenario(w).public_id}/edit/",
        OWNER_ONLY,
        url_name="training:edit",
    ),
    Case(
        "edit scenario",
        "POST",
        lambda w: f"/training/{draft_scenario(w).public_id}/edit/",
        OWNER_ONLY,
        lambda w: _form(title_zh="新剪辑实训"),
        url_name="training:edit",
    ),
    Case(
        "publish scenario",
        "POST",
        lambda w: f"/training/{draft_scenario(w).public_id}/publish/",
        OWNER_ONLY,
        url_name="training:publish",
    ),
    Case(
        "close scenario",
        "POST",
        lambda w: f"/training/{published_scenario(w).public_id}/close/",
        OWNER_ONLY,
        url_name="training:close",
    ),
    Case(
        "enrol",
        "POST",
        lambda w: f"/training/{published_scenario(w).public_id}/enrol/",
        expect("outsider", "reviewer", "operator", sees=("readonly", "owner")),
        url_name="training:enrol",
    ),
    Case(
        "add material",
        "POST",
        lambda w: f"/training/{published_scenario(w).public_id}/materials/",
        OWNER_ONLY,
        lambda w: {"title": "手册", "file": SimpleUploadedFile("manual.pdf", PDF)},
        url_name="training:add_material",
    ),
    Case(
        "download material",
        "GET",
        _material_page,
        expect("readonly", "owner", "reviewer", "operator"),
        url_name="training:material",
    ),
    Case(
        "remove material",
        "POST",
        lambda w: "/training/{}/materials/{}/remove/".format(
            *(lambda s, m: (s.public_id, m.pk))(*with_material(w))
        ),
        OWNER_ONLY,
        url_name="training:remove_material",
    ),
    Case(
        "enrolment page",
        "GET",
        lambda w: f"/training/enrolments/{enrolment(w).public_id}/",
        expect("readonly", "owner", "reviewer", "operator"),
        url_name="training:enrolment",
    ),
    Case(
        "withdraw",
        "POST",
        lambda w: f"/training/enrolments/{enrolment(w).public_id}/withdraw/",
        expect("reviewer", sees=("readonly", "owner", "operator")),
        url_name="training:withdraw",
    ),
    Case(
        "submit",
        "POST",
        lambda w: f"/training/enrolments/{enrolment(w).public_id}/submit/",
        expect("reviewer", sees=("readonly", "owner", "operator")),
        lambda w: {"text": "作品说明", "attachments": SimpleUploadedFile("work.pdf", PDF)},
        url_name="training:submit",
    ),
    Case(
        "assess",
        "POST",
        lambda w: f"/training/enrolments/{submitted(w).public_id}/assess/",
        expect("owner", sees=("readonly", "reviewer", "operator")),
        lambda w: {"points_1": "10", "points_2": "5", "comment": "优秀"},
        url_name="training:assess",
    ),
    Case(
        "download submitted file",
        "GET",
        _submission_file_page,
        expect("readonly", "owner", "reviewer", "operator"),
        url_name="training:submission_file",
    ),
]

PUBLIC_PAGES = {"training:list", "training:detail"}
PUBLIC_API: set[tuple[str, str]] = set()

# The tables these requests write (scenarios and enrolments, which notify; passing issues a proof
# (proofs.Credential), credits points (points.Transfer) and records skill evidence): the fingerprint
# covers them and the audit log.
APPS = ("training", "notifications", "proofs.Credential", "points.Transfer", "talent.SkillEvidence")
