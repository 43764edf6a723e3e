"""Scenarios: the cleaning of a draft, create, update, publish, close, and their materials."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_write
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit, uploads
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.core.inputs import with_changes
from nomadcloud.demands.models import Demand
from nomadcloud.training import cleaning
from nomadcloud.training.models import (
    Criterion,
    Material,
    Scenario,
    ScenarioSkill,
)
from nomadcloud.training.schemas import ScenarioChanges, ScenarioDraft
from nomadcloud.training.services.common import LIST_FIELDS, SCALAR_FIELDS, Status

# --- cleaning ---------------------------------------------------------------------------------


def _terms(draft: ScenarioDraft) -> dict[str, Any]:
    """The scenario as stored, after the rules the draft cannot state alone: a title in one
    language, dates in order, a name for each criterion, known skill codes."""
    clean: dict[str, Any] = {name: getattr(draft, name) for name in SCALAR_FIELDS}
    if not clean["title_zh"] and not clean["title_en"]:
        raise invalid_field("title_zh", _("Give a title in Chinese or English."))
    if clean["enrol_until"] < clean["enrol_from"]:
        raise invalid_field("enrol_until", _("Enrolment cannot close before it opens."))
    if clean["runs_until"] < clean["runs_from"]:
        raise invalid_field("runs_until", _("The scenario cannot end before it starts."))
    if clean["enrol_from"] > clean["runs_until"]:
        raise invalid_field("enrol_from", _("Enrolment must open before the scenario ends."))
    clean["skills"] = cleaning.skills(s.model_dump() for s in draft.skills)
    for index, criterion in enumerate(draft.criteria):
        if not criterion.title_zh and not criterion.title_en:
            raise invalid_field(
                f"criteria.{index}.title_zh", _("Name the criterion in Chinese or English.")
            )
    clean["criteria"] = [c.model_dump() for c in draft.criteria]
    return clean


def _summary(clean: dict[str, Any]) -> dict[str, Any]:
    return {
        "title_zh": clean["title_zh"],
        "title_en": clean["title_en"],
        "capacity": clean["capacity"],
        "pass_score": str(clean["pass_score"]),
        "skills": [[c.code, lvl] for c, lvl in clean["skills"]],
        "criteria": len(clean["criteria"]),
    }


def _apply(scenario: Scenario, clean: dict[str, Any]) -> None:
    for field in SCALAR_FIELDS:
        setattr(scenario, field, clean[field])
    scenario.save()
    ScenarioSkill.objects.filter(scenario=scenario).delete()
    ScenarioSkill.objects.bulk_create(
        ScenarioSkill(scenario=scenario, concept=concept, level=lvl)
        for concept, lvl in clean["skills"]
    )
    Criterion.objects.filter(scenario=scenario).delete()
    Criterion.objects.bulk_create(
        Criterion(scenario=scenario, position=index + 1, **criterion)
        for index, criterion in enumerate(clean["criteria"])
    )


def current_fields(scenario: Scenario) -> dict[str, Any]:
    fields: dict[str, Any] = {f: getattr(scenario, f) for f in SCALAR_FIELDS}
    fields["skills"] = [
        {"code": s.concept.code, "level": s.level}
        for s in scenario.skills.select_related("concept")
    ]
    fields["criteria"] = [
        {
            "title_zh": c.title_zh,
            "title_en": c.title_en,
            "weight": c.weight,
            "max_points": c.max_points,
        }
        for c in scenario.criteria.all()
    ]
    return fields


# --- scenarios ----------------------------------------------------------------------------------


@transaction.atomic
def create_scenario(
    *,
    principal: Principal,
    organisation: Organisation,
    draft: ScenarioDraft,
    demand: Demand | None = None,
) -> Scenario:
    """A new scenario, as a draft. ``demand`` optionally links the training demand it
    fulfils (it must belong to the same enterprise)."""
    require_write(principal)
    clean = _terms(draft)
    if demand is not None and demand.organisation_id != organisation.pk:
        raise invalid_field("demand", _("The demand belongs to another organisation."))
    scenario = Scenario(organisation=organisation, demand=demand, created_by=principal.user)
    _apply(scenario, clean)
    audit.record(
        actor=principal.user,
        action="training.scenario.create",
        obj=scenario,
        organisation=organisation,
        after=_summary(clean),
        token=principal.token,
    )
    return scenario


@transaction.atomic
def update_scenario(
    *, principal: Principal, scenario: Scenario, changes: ScenarioChanges
) -> Scenario:
    """Change a draft. Once published, the rubric and skills are fixed (assessments rely on
    them); only the places and the closing dates can still change. A field the changes
    leave unset keeps its value."""
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    current = current_fields(scenario)
    given = changes.model_fields_set
    if scenario.status != Status.DRAFT:
        fixed = given - {"capacity", "enrol_until", "runs_until"}
        if scenario.status == Status.CLOSED or fixed:
            raise Conflict(
                _(
                    "A %(status)s scenario can no longer be changed, except its places and "
                    "closing dates while it is published."
                )
                % {"status": Status(scenario.status).label},
                code="scenario_fixed",
            )
    clean = _terms(with_changes(ScenarioDraft, current, changes))
    if clean["capacity"] < scenario.enrolled:
        raise invalid_field(
            "capacity",
            _("%(n)d people are already enrolled; the places cannot be fewer.")
            % {"n": scenario.enrolled},
        )
    before, after = audit.changes(scenario, {k: clean[k] for k in SCALAR_FIELDS})
    for key in LIST_FIELDS:
        old = current[key]
        new = (
            [{"code": c.code, "level": lvl} for c, lvl in clean[key]]
            if key == "skills"
            else clean[key]
        )
        if old != new:
            before[key], after[key] = old, new
    if not after:
        return scenario
    _apply(scenario, clean)
    audit.record(
        actor=principal.user,
        action="training.scenario.update",
        obj=scenario,
        organisation=scenario.organisation,
        before=before,
        after=after,
        token=principal.token,
    )
    return scenario


@transaction.atomic
def publish_scenario(*, principal: Principal, scenario: Scenario) -> Scenario:
    require_write(principal)
    scenario = (
        Scenario.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=scenario.pk)
    )
    if scenario.status != Status.DRAFT:
        raise Conflict(
            _("Only a draft can be published; this scenario is %(status)s.")
            % {"status": Status(scenario.status).label},
            code="not_a_draft",
        )
    if not scenario.criteria.exists():
        raise invalid_field(
            "criteria", _("Add at least one assessment criterion before publishing.")
        )
    if scenario.enrol_until < timezone.localdate():
        raise invalid_field(
            "enrol_until", _("Enrolment would already be closed; move its closing date.")
        )
    scenario.status = Status.PUBLISHED
    scenario.published_at = timezone.now()
    scenario.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(
        actor=principal.user,
        action="training.scenario.publish",
        obj=scenario,
        organisation=scenario.organisation,
        before={"status": Status.DRAFT},
        after={"status": Status.PUBLISHED},
        token=principal.token,
    )
    return scenario


@transaction.atomic
def close_scenario(*, principal: Principal, scenario: Scenario) -> Scenario:
    """No more enrolments or submissions; submitted work can still be assessed."""
    require_write(principal)
    scenario = (
        Scenario.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=scenario.pk)
    )
    if scenario.status != Status.PUBLISHED:
        raise Conflict(
            _("Only a published scenario can be closed; this one is %(status)s.")
            % {"status": Status(scenario.status).label},
            code="not_published",
        )
    scenario.status = Status.CLOSED
    scenario.closed_at = timezone.now()
    scenario.save(update_fields=["status", "closed_at", "updated_at"])
    audit.record(
        actor=principal.user,
        action="training.scenario.close",
        obj=scenario,
        organisation=scenario.organisation,
        before={"status": Status.PUBLISHED},
        after={"status": Status.CLOSED},
        token=principal.token,
    )
    return scenario


def add_material(
    *,
    principal: Principal,
    scenario: Scenario,
    title: str,
    url: str = "",
    file: UploadedFile[Any] | None = None,
) -> Material:
    """A link or a file (type and size checked before anything is stored)."""
    require_write(principal)
    title = cleaning.text(title, "title", 200, required=True)
    if scenario.status == Status.CLOSED:
        raise Conflict(_("This scenario is closed."), code="scenario_closed")
    if (file is None) == (not url.strip()):
        raise invalid_field("file", _("Give either a file or a link."))
    material = Material(scenario=scenario, title=title, added_by=principal.user)
    checked = None
    if file is not None:
        checked = uploads.check_file(file, field="file")
        material.kind = Material.Kind.FILE
    else:
        material.kind = Material.Kind.LINK
        material.url = cleaning.url(url, "url")
    try:
        with transaction.atomic():
            if checked is not None:
                uploads.store(material, checked)
            material.save()
            audit.record(
                actor=principal.user,
                action="training.material.add",
                obj=material,
                organisation=scenario.organisation,
                after={"kind": material.kind, "title": title, "size": material.size},
                token=principal.token,
            )
    except Exception:
        uploads.delete_stored([material])
        raise
    return material


@transaction.atomic
def remove_material(*, principal: Principal, material: Material) -> None:
    require_write(principal)
    scenario = material.scenario
    if scenario.status == Status.CLOSED:
        raise Conflict(_("This scenario is closed."), code="scenario_closed")
    audit.record(
        actor=principal.user,
        action="training.material.remove",
        obj=material,
        organisation=scenario.organisation,
        before={"kind": material.kind, "title": material.title},
        token=principal.token,
    )
    stored = material.file.name if material.file else ""
    material.delete()
    if stored:
        storage = Material._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(stored))
