"""Submissions and assessment: submit work, assess it against the rubric, record the
completion and tell proofs of work (events.training_passed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit, uploads
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput, invalid_field
from nomadcloud.core.i18n import localized
from nomadcloud.notifications.services import notify
from nomadcloud.talent.services import record_verified_work
from nomadcloud.training import access, cleaning, events, rubric
from nomadcloud.training.models import (
    Assessment,
    CriterionScore,
    Enrolment,
    Scenario,
    Submission,
    SubmissionFile,
)
from nomadcloud.training.services.common import MAX_FILES, Status

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
