"""Expert evaluation: assignment from the pool avoiding conflicts, recusal with replacement,
score sheets on the rubric (training/rubric.py's exact arithmetic), and the closing of the
evaluation when the last sheet is in — once, under the challenge's row lock."""

from __future__ import annotations

from collections.abc import Hashable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import access, scoring, transitions
from nomadcloud.bounties.models import Application, Assignment, Challenge, Expert
from nomadcloud.bounties.schemas import RecusalDraft, ScoresDraft
from nomadcloud.bounties.services._common import context, lock, move
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput
from nomadcloud.teams.models import TeamMember
from nomadcloud.training.rubric import Line, weighted_score

S = Challenge.Status
A = Application.Status
AS = Assignment.Status


def conflicted(expert: Expert, app: Application) -> bool:
    """Same organisation as the issuer, or in (or invited to) the team."""
    if expert.affiliation_id is not None and expert.affiliation_id == app.challenge.issuer_id:
        return True
    return TeamMember.objects.filter(
        team_id=app.team_id,
        user_id=expert.user_id,
        status__in=(TeamMember.Status.INVITED, TeamMember.Status.ACCEPTED),
    ).exists()


def fill_assignments(challenge: Challenge) -> int:
    """Give every eligible application enough experts who did not recuse; the least loaded
    first. Returns how many applications still lack experts."""
    short = 0
    pool = list(
        Expert.objects.filter(active=True)
        .annotate(load=Count("assignments", filter=Q(assignments__status=AS.ASSIGNED)))
        .order_by("load", "pk")
    )
    for app in challenge.applications.filter(status=A.ELIGIBLE).select_related("challenge"):
        rows = {a.expert_id: a for a in app.assignments.all()}
        needed = challenge.min_experts - sum(a.status != AS.RECUSED for a in rows.values())
        for expert in pool:
            if needed <= 0:
                break
            if expert.pk in rows or conflicted(expert, app):
                continue
            Assignment.objects.create(application=app, expert=expert)
            needed -= 1
        short += needed > 0
    return short


def start_evaluation(*, challenge: Challenge, actor: User, roles: set[str]) -> Challenge:
    """Called by ``challenges.act`` under the row lock."""
    challenge = move(challenge, "start_evaluation", roles, context(challenge), actor=actor)
    if fill_assignments(challenge):
        raise Conflict(
            _("The expert pool has too few experts without a conflict for every application."),
            code="not_enough_experts",
        )
    return challenge


@transaction.atomic
def assign_more(*, principal: Principal, challenge: Challenge) -> int:
    """After experts were added to the pool: fill the places of recused experts."""
    access.require_role(principal, challenge, transitions.DEPARTMENT)
    challenge = lock(challenge)
    if challenge.status != S.EVALUATION:
        raise Conflict(_("The challenge is not under evaluation."), code="not_in_evaluation")
    return fill_assignments(challenge)


def _own(principal: Principal, assignment: Assignment) -> User:
    user = principal.user
    if user is None or assignment.expert.user_id != user.pk or not principal.can_write:
        raise Forbidden(_("Only the assigned expert may do this."), code="expert_only")
    return user


@transaction.atomic
def recuse(*, principal: Principal, assignment: Assignment, draft: RecusalDraft) -> Assignment:
    """The expert declares a conflict of interest; a replacement is assigned if the pool
    has one."""
    user = _own(principal, assignment)
    challenge = lock(assignment.application.challenge)
    row = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if row.status != AS.ASSIGNED or challenge.status != S.EVALUATION:
        raise Conflict(_("This assignment is no longer open."), code="assignment_closed")
    row.status, row.conflict = AS.RECUSED, draft.conflict
    row.save(update_fields=["status", "conflict"])
    audit.record(actor=user, action="bounties.recuse", obj=row)
    fill_assignments(challenge)
    return row


def _total(challenge: Challenge, draft: ScoresDraft) -> tuple[dict[str, int], Decimal]:
    rubric = {c["code"]: c for c in challenge.rubric}
    fields: dict[str, list[str]] = {}
    for code in draft.scores:
        if code not in rubric:
            fields[f"scores.{code}"] = [_("No such criterion.")]
    for code, criterion in rubric.items():
        if code not in draft.scores:
            fields[f"scores.{code}"] = [_("Score this criterion.")]
        elif not 0 <= draft.scores[code] <= int(criterion["max_points"]):
            fields[f"scores.{code}"] = [
                _("Give 0 to %(max)d points.") % {"max": int(criterion["max_points"])}
            ]
    if fields:
        raise InvalidInput(_("Some scores are not valid."), code="invalid_scores", fields=fields)
    total = weighted_score(
        Line(int(c["weight"]), int(c["max_points"]), draft.scores[code])
        for code, c in rubric.items()
    )
    return dict(draft.scores), total


@transaction.atomic
def submit_scores(
    *, principal: Principal, assignment: Assignment, draft: ScoresDraft
) -> Assignment:
    user = _own(principal, assignment)
    challenge = lock(assignment.application.challenge)  # serialises the closing sheet
    row = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if row.status == AS.RECUSED:
        raise Conflict(
            _("You declared a conflict of interest with this application."), code="recused"
        )
    if row.status != AS.ASSIGNED or challenge.status != S.EVALUATION:
        raise Conflict(_("This assignment is no longer open."), code="assignment_closed")
    scores, total = _total(challenge, draft)
    row.scores, row.total, row.comment = scores, total, draft.comment
    row.status, row.scored_at = AS.SCORED, timezone.now()
    row.save(update_fields=["scores", "total", "comment", "status", "scored_at"])
    audit.record(actor=user, action="bounties.score", obj=row)
    if _all_scored(challenge):
        close_evaluation(challenge)
    return row


def _all_scored(challenge: Challenge) -> bool:
    for app in challenge.applications.filter(status=A.ELIGIBLE):
        statuses = list(app.assignments.values_list("status", flat=True))
        if AS.ASSIGNED in statuses or statuses.count(AS.SCORED) < challenge.min_experts:
            return False
    return True


def close_evaluation(challenge: Challenge) -> Challenge:
    """Aggregate, rank, reveal. The caller holds the row lock and has checked every sheet
    is in; the transition table refuses a second closing."""
    now = timezone.now()
    ctx = transitions.Context(now=now, all_scored=True)
    apps = list(challenge.applications.filter(status=A.ELIGIBLE).order_by("submitted_at", "pk"))
    sheets = [
        (a.expert_id, a.application_id, a.total)
        for a in Assignment.objects.filter(application__in=apps, status=AS.SCORED)
        if a.total is not None
    ]
    scores = scoring.aggregate(challenge.aggregation, sheets)
    order: dict[Hashable, int] = {app.pk: i for i, app in enumerate(apps)}
    ranked = scoring.rank(scores, order)
    by_pk = {app.pk: app for app in apps}
    for position, pk in enumerate(ranked, start=1):
        app = by_pk[int(str(pk))]
        app.score, app.rank, app.status = scores[pk], position, A.SCORED
        app.save(update_fields=["score", "rank", "status"])
    return move(
        challenge,
        "close_evaluation",
        {transitions.SYSTEM},
        ctx,
        actor=None,
        extra={"evaluation_closed_at": now},
    )
