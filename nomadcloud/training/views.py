"""Pages for scenario training: the public list, each scenario's page (materials, rubric,
enrolment, and for the enterprise its enrolments), the enterprise's scenarios and the form,
the nomad's enrolments, an enrolment's page (submissions, assessment) and file downloads.
Views fetch objects through the access chokepoints, parse input with a form and call one
service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from nomadcloud.accounts.access import is_zone_operator, require_person, role_in
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import uploads
from nomadcloud.core.errors import DomainError, InvalidInput, NotFound
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.demands.access import Action as DemandAction
from nomadcloud.demands.access import demand_for
from nomadcloud.training import access, queries, services, transitions
from nomadcloud.training.access import Action
from nomadcloud.training.forms import AssessmentForm, MaterialForm, ScenarioForm, SubmissionForm
from nomadcloud.training.models import Enrolment, Scenario, SubmissionFile
from nomadcloud.training.schemas import ScenarioChanges, ScenarioDraft

PAGE_SIZE = 20


def _principal(request: HttpRequest) -> Principal:
    return Principal.of(request)


@require_GET
def scenario_list(request: HttpRequest) -> HttpResponse:
    rows = queries.published_scenarios().order_by("-published_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "training/list.html", {"page": page})


@login_required
@domain_errors
def mine(request: HttpRequest) -> HttpResponse:
    user = require_person(_principal(request))
    return render(
        request,
        "training/mine.html",
        {
            "enrolments": queries.enrolments_of(user),
            "completions": services.completed_trainings_for(user),
        },
    )


@login_required
@domain_errors
def organisation_scenarios(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    organisation = access.enterprise_for(principal, org_id, Action.VIEW)
    page = Paginator(queries.scenarios_of(organisation), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "training/organisation.html",
        {"org": organisation, "page": page, "can_edit": access.can_edit(principal, organisation)},
    )


@login_required
@domain_errors
def create(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    organisation = access.enterprise_for(principal, org_id, Action.EDIT)
    demand = None
    demand_id = request.GET.get("demand") or request.POST.get("demand") or ""
    if demand_id:
        demand = demand_for(principal, demand_id, DemandAction.EDIT)
    initial: dict[str, Any] = {"capacity": 20, "pass_score": 60}
    if demand is not None:
        initial |= {
            "title_zh": demand.title_zh,
            "title_en": demand.title_en,
            "goal_zh": demand.description_zh,
            "goal_en": demand.description_en,
            "skills": "\n".join(
                f"{s.concept.code} {s.min_level}" for s in demand.skills.select_related("concept")
            ),
        }
    form = ScenarioForm(request.POST or None, initial=initial)
    posted = request.method == "POST" and form.is_valid()
    draft = draft_from_form(form, ScenarioDraft) if posted else None
    if draft is not None:
        try:
            scenario = services.create_scenario(
                principal=principal, organisation=organisation, demand=demand, draft=draft
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The scenario is saved as a draft."))
            return redirect("training:detail", scenario.public_id)
    return render(
        request,
        "training/form.html",
        {"form": form, "org": organisation, "scenario": None, "demand": demand},
        status=form_status(form),
    )


@login_required
@domain_errors
def edit(request: HttpRequest, scenario_id: str) -> HttpResponse:
    principal = _principal(request)
    scenario = access.scenario_for(principal, scenario_id, Action.EDIT)
    form = ScenarioForm(request.POST or None, initial=ScenarioForm.initial_for(scenario))
    posted = request.method == "POST" and form.is_valid()
    draft = draft_from_form(form, ScenarioDraft) if posted else None
    if draft is not None:
        changes = ScenarioChanges.of(draft, form.changed_data)  # what the person changed
        try:
            services.update_scenario(principal=principal, scenario=scenario, changes=changes)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("training:detail", scenario.public_id)
    return render(
        request,
        "training/form.html",
        {"form": form, "org": scenario.organisation, "scenario": scenario, "demand": None},
        status=form_status(form),
    )


@domain_errors
def detail(request: HttpRequest, scenario_id: str) -> HttpResponse:
    principal = _principal(request)
    scenario = access.scenario_for(principal, scenario_id, Action.VIEW)
    member = request.user.is_authenticated and role_in(principal, scenario.organisation) is not None
    insider = member or (request.user.is_authenticated and is_zone_operator(principal))
    own = queries.enrolment_visible(principal, scenario) if request.user.is_authenticated else None
    editable = request.user.is_authenticated and access.can_edit(principal, scenario.organisation)
    context = {
        "scenario": scenario,
        "skills": scenario.skills.select_related("concept"),
        "criteria": scenario.criteria.all(),
        "materials": scenario.materials.all()
        if request.user.is_authenticated and access.sees_materials(principal, scenario)
        else None,
        "editable": editable,
        "moves": transitions.moves_for(scenario, editor=editable),
        "member": member,
        "enrolments": queries.enrolments_in(scenario) if insider else None,
        "own": own,
        "can_enrol": (
            scenario.status == Scenario.Status.PUBLISHED
            and not member
            and (own is None or own.status == Enrolment.Status.WITHDRAWN)
        ),
        "material_form": MaterialForm(),
    }
    return render(request, "training/detail.html", context)


def _transition(request: HttpRequest, scenario_id: str, action: str) -> HttpResponse:
    principal = _principal(request)
    scenario = access.scenario_for(principal, scenario_id, Action.EDIT)
    if action == "publish":
        services.publish_scenario(principal=principal, scenario=scenario)
        messages.success(request, _("The scenario is published; nomads can enrol."))
    else:
        services.close_scenario(principal=principal, scenario=scenario)
        messages.success(request, _("The scenario is closed."))
    return redirect("training:detail", scenario.public_id)


@login_required
@require_POST
@domain_errors
def publish(request: HttpRequest, scenario_id: str) -> HttpResponse:
    return _transition(request, scenario_id, "publish")


@login_required
@require_POST
@domain_errors
def close(request: HttpRequest, scenario_id: str) -> HttpResponse:
    return _transition(request, scenario_id, "close")


@login_required
@require_POST
@domain_errors
def add_material(request: HttpRequest, scenario_id: str) -> HttpResponse:
    principal = _principal(request)
    scenario = access.scenario_for(principal, scenario_id, Action.EDIT)
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        raise InvalidInput(_("Give the material a title, and a file or a link."))
    services.add_material(
        principal=principal,
        scenario=scenario,
        title=form.cleaned_data["title"],
        url=form.cleaned_data["url"],
        file=form.cleaned_data["file"],
    )
    messages.success(request, _("Material added."))
    return redirect("training:detail", scenario.public_id)


@login_required
@require_POST
@domain_errors
def remove_material(request: HttpRequest, scenario_id: str, material_id: int) -> HttpResponse:
    principal = _principal(request)
    scenario = access.scenario_for(principal, scenario_id, Action.EDIT)
    material = access.material_for(principal, scenario, material_id)
    services.remove_material(principal=principal, material=material)
    messages.success(request, _("Material removed."))
    return redirect("training:detail", scenario.public_id)


@login_required
def material(request: HttpRequest, scenario_id: str, material_id: int) -> HttpResponseBase:
    principal = _principal(request)
    try:
        scenario = access.scenario_for(principal, scenario_id, Action.VIEW)
        item = access.material_for(principal, scenario, material_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not item.file:
        return redirect(item.url)
    return uploads.download(item)


@login_required
@require_POST
@domain_errors
def enrol(request: HttpRequest, scenario_id: str) -> HttpResponse:
    principal = _principal(request)
    scenario = access.scenario_for(principal, scenario_id, Action.VIEW)
    enrolment = services.enrol(principal=principal, scenario=scenario)
    messages.success(request, _("You are enrolled."))
    return redirect("training:enrolment", enrolment.public_id)


@login_required
@require_POST
@domain_errors
def withdraw(request: HttpRequest, enrolment_id: str) -> HttpResponse:
    principal = _principal(request)
    enrolment = access.enrolment_for(principal, enrolment_id, Action.EDIT)
    services.withdraw(principal=principal, enrolment=enrolment)
    messages.success(request, _("You have withdrawn; your place is free again."))
    return redirect("training:detail", enrolment.scenario.public_id)


def _enrolment_page(
    request: HttpRequest,
    enrolment: Enrolment,
    *,
    submission_form: SubmissionForm | None = None,
    assessment_form: AssessmentForm | None = None,
) -> HttpResponse:
    principal = _principal(request)
    scenario = enrolment.scenario
    user = request.user
    own = user.is_authenticated and enrolment.nomad_id == user.pk
    criteria = list(scenario.criteria.all())
    may_assess = (
        not own
        and enrolment.status == Enrolment.Status.SUBMITTED
        and access.can_assess(principal, scenario.organisation)
    )
    context = {
        "enrolment": enrolment,
        "scenario": scenario,
        "own": own,
        "submissions": enrolment.submissions.prefetch_related("files"),
        "assessments": enrolment.assessments.select_related("assessor").prefetch_related(
            "scores__criterion"
        ),
        "criteria": criteria,
        "may_submit": own
        and enrolment.status
        in (Enrolment.Status.ENROLLED, Enrolment.Status.SUBMITTED, Enrolment.Status.FAILED)
        and scenario.status == Scenario.Status.PUBLISHED,
        "may_withdraw": own
        and enrolment.status in (Enrolment.Status.ENROLLED, Enrolment.Status.SUBMITTED),
        "may_assess": may_assess,
        "submission_form": submission_form or SubmissionForm(),
        "assessment_form": assessment_form or AssessmentForm(criteria=criteria),
        "accepted_types": uploads.allowed_extensions(),
    }
    return render(
        request,
        "training/enrolment.html",
        context,
        status=form_status(*(f for f in (submission_form, assessment_form) if f is not None)),
    )


@login_required
@domain_errors
def enrolment(request: HttpRequest, enrolment_id: str) -> HttpResponse:
    item = access.enrolment_for(_principal(request), enrolment_id, Action.VIEW)
    return _enrolment_page(request, item)


@login_required
@require_POST
@domain_errors
def submit(request: HttpRequest, enrolment_id: str) -> HttpResponse:
    principal = _principal(request)
    item = access.enrolment_for(principal, enrolment_id, Action.EDIT)
    form = SubmissionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.submit_work(
                principal=principal,
                enrolment=item,
                text=form.cleaned_data["text"],
                links=form.cleaned_data["links"],
                files=form.cleaned_data["attachments"],
            )
        except DomainError as exc:
            if exc.status != 422:
                raise
            apply_error(form, exc)
        else:
            messages.success(request, _("Your work is submitted; the enterprise will assess it."))
            return redirect("training:enrolment", item.public_id)
    return _enrolment_page(request, item, submission_form=form)


@login_required
@require_POST
@domain_errors
def assess(request: HttpRequest, enrolment_id: str) -> HttpResponse:
    principal = _principal(request)
    item = access.enrolment_for(principal, enrolment_id, Action.ASSESS)
    criteria = list(item.scenario.criteria.all())
    form = AssessmentForm(request.POST, criteria=criteria)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.assess(
                principal=principal,
                enrolment=item,
                scores=[
                    services.Score(
                        c.position, data[f"points_{c.position}"], data[f"note_{c.position}"]
                    )
                    for c in criteria
                ],
                comment=data["comment"],
            )
        except DomainError as exc:
            if exc.status != 422:
                raise
            apply_error(form, exc)
        else:
            if result.passed:
                messages.success(
                    request, _("Assessed: passed with %(score)s%%.") % {"score": result.score}
                )
            else:
                messages.success(
                    request, _("Assessed: not passed (%(score)s%%).") % {"score": result.score}
                )
            return redirect("training:enrolment", item.public_id)
    return _enrolment_page(request, item, assessment_form=form)


@login_required
def submission_file(request: HttpRequest, enrolment_id: str, file_id: int) -> HttpResponseBase:
    try:
        item = access.enrolment_for(_principal(request), enrolment_id, Action.VIEW)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    row = SubmissionFile.objects.filter(pk=file_id, submission__enrolment=item).first()
    if row is None:
        raise Http404(_("No such file."))
    return uploads.download(row)
