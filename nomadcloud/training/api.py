"""The training part of /api/v1/: scenarios (published ones for everyone, drafts for the
enterprise), materials, enrolments, submissions, assessments and your completions. Files
travel base64-encoded in JSON. Handlers only translate HTTP to service calls."""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import uploads
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.core.errors import invalid_field
from nomadcloud.demands.access import Action as DemandAction
from nomadcloud.demands.access import demand_for
from nomadcloud.training import access, queries, services
from nomadcloud.training.access import Action
from nomadcloud.training.schemas import (
    AssessmentIn,
    AssessmentOut,
    CompletionOut,
    EnrolmentDetailOut,
    EnrolmentOut,
    MaterialIn,
    MaterialOut,
    ScenarioCreateIn,
    ScenarioOut,
    ScenarioPatch,
    SubmissionIn,
    SubmissionOut,
)

router = Router(tags=["training"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


def _organisation(principal: Principal, org_id: UUID | None) -> Organisation:
    key_org = principal.key_organisation
    if org_id is None:
        if key_org is None:
            raise invalid_field("organisation", _("Name the enterprise (its id)."))
        org_id = key_org.public_id
    return access.enterprise_for(principal, org_id, Action.EDIT)


@router.get("/scenarios", **PUBLIC, response=_errors({200: list[ScenarioOut]}))
@paginate(CursorPagination)
def list_scenarios(request: HttpRequest, **kwargs: Any) -> Any:
    """Published and closed scenarios, and every scenario of your own organisations."""
    return queries.scenarios_visible_to(Principal.of(request))


@router.post("/scenarios", response=_errors({201: ScenarioOut}))
def create_scenario(request: HttpRequest, payload: ScenarioCreateIn) -> Status[Any]:
    """Create a scenario as a draft, with its rubric and the skills a pass evidences."""
    principal = Principal.of(request)
    organisation = _organisation(principal, payload.organisation)
    demand_id = payload.demand
    demand = demand_for(principal, demand_id, DemandAction.EDIT) if demand_id else None
    scenario = services.create_scenario(
        principal=principal, organisation=organisation, demand=demand, draft=payload.draft()
    )
    return Status(201, scenario)


@router.get("/scenarios/{scenario_id}", **PUBLIC, response=_errors({200: ScenarioOut}))
def get_scenario(request: HttpRequest, scenario_id: UUID) -> Any:
    return access.scenario_for(Principal.of(request), scenario_id, Action.VIEW)


@router.patch("/scenarios/{scenario_id}", response=_errors({200: ScenarioOut}))
def patch_scenario(request: HttpRequest, scenario_id: UUID, payload: ScenarioPatch) -> Any:
    """Change a draft (after publishing: only `capacity`, `enrol_until`, `runs_until`)."""
    principal = Principal.of(request)
    scenario = access.scenario_for(principal, scenario_id, Action.EDIT)
    return services.update_scenario(principal=principal, scenario=scenario, changes=payload)


@router.post("/scenarios/{scenario_id}/publish", response=_errors({200: ScenarioOut}))
def publish_scenario(request: HttpRequest, scenario_id: UUID) -> Any:
    principal = Principal.of(request)
    scenario = access.scenario_for(principal, scenario_id, Action.EDIT)
    return services.publish_scenario(principal=principal, scenario=scenario)


@router.post("/scenarios/{scenario_id}/close", response=_errors({200: ScenarioOut}))
def close_scenario(request: HttpRequest, scenario_id: UUID) -> Any:
    principal = Principal.of(request)
    scenario = access.scenario_for(principal, scenario_id, Action.EDIT)
    return services.close_scenario(principal=principal, scenario=scenario)


@router.get("/scenarios/{scenario_id}/materials", response=_errors({200: list[MaterialOut]}))
def list_materials(request: HttpRequest, scenario_id: UUID) -> Any:
    """For the enterprise, the zone operator and the nomads enrolled."""
    principal = Principal.of(request)
    scenario = access.scenario_for(principal, scenario_id, Action.VIEW)
    if not access.sees_materials(principal, scenario):
        from nomadcloud.core.errors import Forbidden

        raise Forbidden(_("Enrol to see the materials."), code="not_enrolled")
    return list(scenario.materials.select_related("scenario"))


@router.post("/scenarios/{scenario_id}/materials", response=_errors({201: MaterialOut}))
def add_material(request: HttpRequest, scenario_id: UUID, payload: MaterialIn) -> Status[Any]:
    """A link (`url`) or a file (`file`, base64)."""
    principal = Principal.of(request)
    scenario = access.scenario_for(principal, scenario_id, Action.EDIT)
    file = (
        uploads.decode_base64_file(
            payload.file.file_name, payload.file.content_base64, field="file.content_base64"
        )
        if payload.file
        else None
    )
    material = services.add_material(
        principal=principal, scenario=scenario, title=payload.title, url=payload.url, file=file
    )
    return Status(201, material)


@router.delete("/scenarios/{scenario_id}/materials/{material_id}", response=_errors({204: None}))
def remove_material(request: HttpRequest, scenario_id: UUID, material_id: int) -> Status[Any]:
    principal = Principal.of(request)
    scenario = access.scenario_for(principal, scenario_id, Action.EDIT)
    material = access.material_for(principal, scenario, material_id)
    services.remove_material(principal=principal, material=material)
    return Status(204, None)


@router.get("/scenarios/{scenario_id}/enrolments", response=_errors({200: list[EnrolmentOut]}))
@paginate(CursorPagination)
def list_enrolments(request: HttpRequest, scenario_id: UUID, **kwargs: Any) -> Any:
    """The scenario's enrolments, for the enterprise's members and the zone operator."""
    principal = Principal.of(request)
    scenario = access.scenario_for(principal, scenario_id, Action.VIEW)
    access.check_enterprise(principal, scenario.organisation, Action.VIEW)
    return queries.enrolments_in(scenario)


@router.post("/scenarios/{scenario_id}/enrol", response=_errors({201: EnrolmentOut}))
def enrol(request: HttpRequest, scenario_id: UUID) -> Status[Any]:
    principal = Principal.of(request)
    scenario = access.scenario_for(principal, scenario_id, Action.VIEW)
    return Status(201, services.enrol(principal=principal, scenario=scenario))


@router.get("/enrolments", response=_errors({200: list[EnrolmentOut]}))
@paginate(CursorPagination)
def my_enrolments(request: HttpRequest, **kwargs: Any) -> Any:
    return queries.enrolments_of(require_person(Principal.of(request)))


@router.get("/enrolments/{enrolment_id}", response=_errors({200: EnrolmentDetailOut}))
def get_enrolment(request: HttpRequest, enrolment_id: UUID) -> Any:
    return access.enrolment_for(Principal.of(request), enrolment_id, Action.VIEW)


@router.post("/enrolments/{enrolment_id}/withdraw", response=_errors({200: EnrolmentOut}))
def withdraw(request: HttpRequest, enrolment_id: UUID) -> Any:
    principal = Principal.of(request)
    enrolment = access.enrolment_for(principal, enrolment_id, Action.EDIT)
    return services.withdraw(principal=principal, enrolment=enrolment)


@router.post("/enrolments/{enrolment_id}/submissions", response=_errors({201: SubmissionOut}))
def submit(request: HttpRequest, enrolment_id: UUID, payload: SubmissionIn) -> Status[Any]:
    """Hand in work: text, links and files (PDF, images, Office, ZIP, text)."""
    principal = Principal.of(request)
    enrolment = access.enrolment_for(principal, enrolment_id, Action.EDIT)
    files = [
        uploads.decode_base64_file(f.file_name, f.content_base64, field=f"files.{i}")
        for i, f in enumerate(payload.files)
    ]
    submission = services.submit_work(
        principal=principal,
        enrolment=enrolment,
        text=payload.text,
        links=payload.links,
        files=files,
    )
    return Status(201, submission)


@router.post("/enrolments/{enrolment_id}/assessment", response=_errors({201: AssessmentOut}))
def assess(request: HttpRequest, enrolment_id: UUID, payload: AssessmentIn) -> Status[Any]:
    """Assess the latest submission: points for every criterion of the rubric."""
    principal = Principal.of(request)
    enrolment = access.enrolment_for(principal, enrolment_id, Action.ASSESS)
    assessment = services.assess(
        principal=principal,
        enrolment=enrolment,
        scores=[services.Score(s.position, s.points, s.comment) for s in payload.scores],
        comment=payload.comment,
    )
    return Status(201, assessment)


@router.get("/completions", response=_errors({200: list[CompletionOut]}))
def my_completions(request: HttpRequest) -> Any:
    """Your passed trainings: verified work, with the skills each evidences."""
    user = require_person(Principal.of(request))
    return services.completed_trainings_for(user)
