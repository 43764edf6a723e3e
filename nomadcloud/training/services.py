"""Use cases for scenario training: publish a scenario with its rubric, materials and
evidenced skills; enrol (capacity enforced atomically); submit work; assess against the
rubric; record the completion and feed the nomad's skill record.

One function per action, called by the pages and the API. Each validates its input first,
then changes the database in one transaction and records an audit event, so that a refusal
leaves nothing half-written (and no stored file). Callers fetch objects through
``access.py``; the rules that depend on state and dates are checked here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write, role_in
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit, uploads
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput, invalid_field
from nomadcloud.core.i18n import localized
from nomadcloud.core.inputs import with_changes
from nomadcloud.demands.models import Demand
from nomadcloud.notifications.services import notify
from nomadcloud.talent.services import record_verified_work
from nomadcloud.training import access, cleaning, events, rubric
from nomadcloud.training.models import (
    Assessment,
    Criterion,
    CriterionScore,
    Enrolment,
    Material,
    Scenario,
    ScenarioSkill,
    Submission,
    SubmissionFile,
)
from nomadcloud.training.schemas import ScenarioChanges, ScenarioDraft

Status = Scenario.Status
MAX_FILES = 10
SCALAR_FIELDS = (
    "title_zh",
    "title_en",
    "goal_zh",
    "goal_en",
    "tasks_zh",
    "tasks_en",
    "capacity",
    "enrol_from",
    "enrol_until",
    "runs_from",
    "runs_until",
    "pass_score",
)
LIST_FIELDS = ("skills", "criteria")


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


# --- enrolment ----------------------------------------------------------------------------------


@transaction.atomic
def enrol(*, principal: Principal, scenario: Scenario) -> Enrolment:
    """Take a place. The place is counted with one conditional UPDATE, so two people can
    never take the last place together (on SQLite and PostgreSQL alike)."""
    user = require_person(principal)
    require_write(principal)
    scenario = Scenario.objects.select_related("organisation").get(pk=scenario.pk)
    if scenario.status != Status.PUBLISHED:
        raise Conflict(
            _("This scenario is %(status)s and does not take enrolments.")
            % {"status": Status(scenario.status).label},
            code="not_open",
        )
    today = timezone.localdate()
    if not scenario.enrol_from <= today <= scenario.enrol_until:
        raise Conflict(
            _("Enrolment is open from %(start)s to %(end)s.")
            % {"start": scenario.enrol_from.isoformat(), "end": scenario.enrol_until.isoformat()},
            code="enrolment_closed",
        )
    if role_in(principal, scenario.organisation) is not None:
        raise Forbidden(
            _("Members of %(organisation)s cannot enrol in its own scenarios.")
            % {"organisation": scenario.organisation},
            code="own_organisation",
        )
    existing = Enrolment.objects.select_for_update().filter(scenario=scenario, nomad=user).first()
    if existing is not None and existing.status != Enrolment.Status.WITHDRAWN:
        raise Conflict(_("You are already enrolled in this scenario."), code="already_enrolled")
    taken = Scenario.objects.filter(
        pk=scenario.pk, status=Status.PUBLISHED, enrolled__lt=F("capacity")
    ).update(enrolled=F("enrolled") + 1)
    if not taken:
        raise Conflict(_("This scenario is full."), code="full")
    now = timezone.now()
    if existing is not None:
        enrolment = existing
        enrolment.status = Enrolment.Status.ENROLLED
        enrolment.enrolled_at = now
        enrolment.withdrawn_at = None
        enrolment.save(update_fields=["status", "enrolled_at", "withdrawn_at"])
    else:
        enrolment = Enrolment.objects.create(scenario=scenario, nomad=user, enrolled_at=now)
    audit.record(
        actor=user,
        action="training.enrolment.create",
        obj=enrolment,
        organisation=scenario.organisation,
        after={"scenario": str(scenario.public_id)},
        token=principal.token,
    )
    scenario.refresh_from_db(fields=["enrolled"])
    return enrolment


@transaction.atomic
def withdraw(*, principal: Principal, enrolment: Enrolment) -> Enrolment:
    """Give the place back (before the work is assessed)."""
    user = require_person(principal)
    require_write(principal)
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("scenario")
        .get(pk=enrolment.pk)
    )
    if enrolment.status not in (Enrolment.Status.ENROLLED, Enrolment.Status.SUBMITTED):
        raise Conflict(
            _("An enrolment that is %(status)s cannot be withdrawn.")
            % {"status": Enrolment.Status(enrolment.status).label},
            code="cannot_withdraw",
        )
    before = enrolment.status
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_at = timezone.now()
    enrolment.save(update_fields=["status", "withdrawn_at"])
    Scenario.objects.filter(pk=enrolment.scenario_id, enrolled__gt=0).update(
        enrolled=F("enrolled") - 1
    )
    audit.record(
        actor=user,
        action="training.enrolment.withdraw",
        obj=enrolment,
        organisation=enrolment.scenario.organisation,
        before={"status": before},
        after={"status": enrolment.status},
        token=principal.token,
    )
    return enrolment


# --- submissions and assessment -----------------------------------------------------------------


def _assessors(organisation: Organisation) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organisation=organisation, role__in=access.ASSESSORS, user__is_active=True
        ).select_related("user")
    ]


def submit_work(
    *,
    principal: Principal,
    enrolment: Enrolment,
    text: str = "",
    links: list[str] | None = None,
    files: list[UploadedFile[Any]] | None = None,
) -> Submission:
    """Hand in work while the scenario runs: text, links and/or files. Every file is checked
    before anything is written; a refusal leaves no row and no stored file. A new submission
    after a failed one asks for a new assessment."""
    user = require_person(principal)
    require_write(principal)
    text = cleaning.text(text, "text", 50000)
    clean_links = cleaning.urls(links or [], "links")
    checked = uploads.check_files(files or [], field="files", limit=MAX_FILES)
    if not (text or clean_links or checked):
        raise invalid_field("text", _("Describe your work, or add a link or a file."))
    stored: list[SubmissionFile] = []
    try:
        with transaction.atomic():
            locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
            scenario = Scenario.objects.select_related("organisation").get(pk=locked.scenario_id)
            allowed = (
                Enrolment.Status.ENROLLED,
                Enrolment.Status.SUBMITTED,
                Enrolment.Status.FAILED,
            )
            if locked.status not in allowed:
                raise Conflict(
                    _("An enrolment that is %(status)s takes no more submissions.")
                    % {"status": Enrolment.Status(locked.status).label},
                    code="cannot_submit",
                )
            if scenario.status != Status.PUBLISHED:
                raise Conflict(
                    _("This scenario is %(status)s; it takes no more submissions.")
                    % {"status": Status(scenario.status).label},
                    code="scenario_closed",
                )
            today = timezone.localdate()
            if not scenario.runs_from <= today <= scenario.runs_until:
                raise Conflict(
                    _("Work can be submitted from %(start)s to %(end)s.")
                    % {
                        "start": scenario.runs_from.isoformat(),
                        "end": scenario.runs_until.isoformat(),
                    },
                    code="not_running",
                )
            number = (
                locked.submissions.order_by("-number").values_list("number", flat=True).first() or 0
            ) + 1
            submission = Submission.objects.create(
                enrolment=locked, number=number, text=text, links=clean_links
            )
            for item in checked:
                row = SubmissionFile(submission=submission)
                uploads.store(row, item)
                row.save()
                stored.append(row)
            locked.status = Enrolment.Status.SUBMITTED
            locked.submitted_at = timezone.now()
            locked.save(update_fields=["status", "submitted_at"])
            audit.record(
                actor=user,
                action="training.submission.create",
                obj=submission,
                organisation=scenario.organisation,
                after={"number": number, "links": len(clean_links), "files": len(stored)},
                token=principal.token,
            )
            for assessor in _assessors(scenario.organisation):
                notify(
                    assessor,
                    "training.submitted",
                    params={
                        "scenario": localized(scenario, "title", assessor.preferred_language),
                        "nomad": str(user),
                        "number": str(number),
                    },
                    url=f"/training/enrolments/{locked.public_id}/",
                )
    except Exception:
        uploads.delete_stored(list(stored))
        raise
    enrolment.refresh_from_db()
    return submission


@dataclass(frozen=True)
class Score:
    """Points for the criterion at ``position`` (1, 2, …), with an optional comment."""

    position: int
    points: int
    comment: str = ""


@transaction.atomic
def assess(
    *, principal: Principal, enrolment: Enrolment, scores: list[Score], comment: str = ""
) -> Assessment:
    """Assess the latest submission against the rubric: every criterion gets points from 0
    to its maximum. The weighted score (``rubric.py``) passes at the scenario's pass mark;
    a pass completes the training, adds verified-work evidence for each skill it shows and
    sends ``training_passed``."""
    user = require_person(principal)
    require_write(principal)
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("nomad")
        .get(pk=enrolment.pk)
    )
    scenario = Scenario.objects.select_related("organisation").get(pk=enrolment.scenario_id)
    if user.pk == enrolment.nomad_id:
        raise Forbidden(_("You cannot assess your own work."), code="own_work")
    if enrolment.status != Enrolment.Status.SUBMITTED:
        raise Conflict(
            _("Only submitted work can be assessed; this enrolment is %(status)s.")
            % {"status": Enrolment.Status(enrolment.status).label},
            code="nothing_to_assess",
        )
    submission = enrolment.submissions.order_by("-number").first()
    if submission is None or hasattr(submission, "assessment"):
        raise Conflict(_("There is no new submission to assess."), code="nothing_to_assess")
    comment = cleaning.text(comment, "comment", 10000)
    criteria = {c.position: c for c in scenario.criteria.all()}
    given: dict[int, Score] = {}
    for index, score in enumerate(scores):
        if score.position not in criteria:
            raise invalid_field(
                f"scores.{index}.position",
                _("There is no criterion %(n)d in this rubric.") % {"n": score.position},
            )
        if score.position in given:
            raise invalid_field(
                f"scores.{index}.position",
                _("Criterion %(n)d is scored twice.") % {"n": score.position},
            )
        maximum = criteria[score.position].max_points
        if isinstance(score.points, bool) or not 0 <= score.points <= maximum:
            raise invalid_field(
                f"scores.{index}.points",
                _("Give criterion %(n)d from 0 to %(max)d points.")
                % {"n": score.position, "max": maximum},
            )
        given[score.position] = Score(
            score.position,
            score.points,
            cleaning.text(score.comment, f"scores.{index}.comment", 1000),
        )
    missing = [p for p in criteria if p not in given]
    if missing:
        raise InvalidInput(
            _("Score every criterion; missing: %(list)s.")
            % {"list": ", ".join(str(p) for p in missing)},
            fields={"scores": [_("Score every criterion.")]},
        )
    total = rubric.weighted_score(
        rubric.Line(criteria[p].weight, criteria[p].max_points, given[p].points)
        for p in sorted(criteria)
    )
    passed = rubric.passes(total, scenario.pass_score)
    assessment = Assessment.objects.create(
        enrolment=enrolment,
        submission=submission,
        assessor=user,
        score=total,
        pass_score=scenario.pass_score,
        passed=passed,
        comment=comment,
    )
    CriterionScore.objects.bulk_create(
        CriterionScore(
            assessment=assessment,
            criterion=criteria[p],
            points=given[p].points,
            comment=given[p].comment,
        )
        for p in sorted(criteria)
    )
    now = timezone.now()
    enrolment.score = total
    enrolment.status = Enrolment.Status.PASSED if passed else Enrolment.Status.FAILED
    enrolment.completed_at = now if passed else None
    enrolment.save(update_fields=["score", "status", "completed_at"])
    audit.record(
        actor=user,
        action="training.assessment.create",
        obj=assessment,
        organisation=scenario.organisation,
        after={
            "enrolment": str(enrolment.public_id),
            "score": str(total),
            "pass_score": str(scenario.pass_score),
            "passed": passed,
        },
        token=principal.token,
    )
    skills = [(s.concept, s.level) for s in scenario.skills.select_related("concept")]
    if passed and skills:
        record_verified_work(
            user=enrolment.nomad,
            skills=skills,
            source="training",
            reference=enrolment.reference,
            occurred_at=now,
        )
    if passed:  # proofs of work issue the nomad's credential
        events.training_passed.send(
            events.payload(enrolment, scenario, [concept for concept, _level in skills])
        )
    nomad = enrolment.nomad
    notify(
        nomad,
        "training.passed" if passed else "training.failed",
        params={
            "scenario": localized(scenario, "title", nomad.preferred_language),
            "score": str(total),
            "pass_score": str(scenario.pass_score),
        },
        url=f"/training/enrolments/{enrolment.public_id}/",
    )
    return assessment


# --- completions (a nomad's record; proofs of work get them through events.training_passed) --


@dataclass(frozen=True)
class Completion:
    """A passed training, as the nomad's record lists it."""

    reference: str  # "training:<enrolment uuid>", the same as on the skill evidence
    enrolment_id: UUID
    scenario_id: UUID
    title_zh: str
    title_en: str
    organisation_id: UUID
    organisation_name_zh: str
    organisation_name_en: str
    score: Decimal
    pass_score: Decimal
    completed_at: datetime
    assessed_by_id: UUID
    skills: tuple[tuple[str, int], ...]  # (concept code, national level 5…1)


def completed_trainings_for(user: User) -> list[Completion]:
    """The person's verified training completions (passed assessments), oldest first."""
    enrolments = (
        Enrolment.objects.filter(nomad=user, status=Enrolment.Status.PASSED)
        .select_related("scenario__organisation")
        .prefetch_related("scenario__skills__concept", "assessments__assessor")
        .order_by("completed_at", "id")
    )
    result = []
    for enrolment in enrolments:
        scenario = enrolment.scenario
        passing = next(a for a in enrolment.assessments.all() if a.passed)
        assert enrolment.completed_at is not None and enrolment.score is not None
        result.append(
            Completion(
                reference=enrolment.reference,
                enrolment_id=enrolment.public_id,
                scenario_id=scenario.public_id,
                title_zh=scenario.title_zh,
                title_en=scenario.title_en,
                organisation_id=scenario.organisation.public_id,
                organisation_name_zh=scenario.organisation.name_zh,
                organisation_name_en=scenario.organisation.name_en,
                score=enrolment.score,
                pass_score=passing.pass_score,
                completed_at=enrolment.completed_at,
                assessed_by_id=passing.assessor.public_id,
                skills=tuple((s.concept.code, s.level) for s in scenario.skills.all()),
            )
        )
    return result
