"""过程监管: milestone reports by the signed team only, review by the issuer or the
department (never by the team itself), escalation to the department when the review window
passes (public money never moves by silence), and the credentials of every member."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import access, events, transitions
from nomadcloud.bounties.models import Application, Challenge, Milestone
from nomadcloud.bounties.schemas import ReportDraft, ReviewDraft
from nomadcloud.bounties.services import money
from nomadcloud.bounties.services._common import lock, move
from nomadcloud.core import audit, workdays
from nomadcloud.core.errors import Conflict, Forbidden, invalid_field
from nomadcloud.teams.models import TeamMember

S = Challenge.Status
M = Milestone.Status
MAX_ROUNDS = 3
CENT = Decimal("0.01")


def signed_application(challenge: Challenge) -> Application:
    app = challenge.applications.filter(status=Application.Status.SIGNED).first()
    if app is None:
        raise Conflict(_("No team has signed this challenge."), code="not_signed")
    return app


def _members(app: Application) -> list[TeamMember]:
    return [
        m
        for m in TeamMember.objects.filter(
            team=app.team, status=TeamMember.Status.ACCEPTED
        ).select_related("user")
        if m.counts
    ]


@transaction.atomic
def submit(*, principal: Principal, milestone: Milestone, draft: ReportDraft) -> Milestone:
    """Only an accepted member of the signed team submits (Gitcoin #992)."""
    challenge = lock(milestone.challenge)
    app = signed_application(challenge)
    user = principal.user
    if (
        user is None
        or principal.key_organisation is not None
        or not principal.can_write
        or all(m.user_id != user.pk for m in _members(app))
    ):
        raise Forbidden(_("Only the signed team submits work."), code="not_the_team")
    if challenge.status != S.IN_PROGRESS:
        raise Conflict(_("The challenge is not in progress."), code="not_in_progress")
    row = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if row.status not in (M.PLANNED, M.CHANGES_REQUESTED):
        raise Conflict(_("This milestone awaits a review."), code="awaiting_review")
    now = timezone.now()
    due = workdays.add_working_days(timezone.localdate(now), challenge.review_days)
    row.report, row.deliverable_sha256 = draft.report, draft.deliverable_sha256
    row.submitted_by, row.submitted_at = user, now
    row.review_due_at = workdays.end_of_day(due)
    row.status = M.SUBMITTED
    row.save()
    audit.record(actor=user, action="bounties.milestone.submit", obj=row)
    return row


def payload_for(row: Milestone) -> events.ChallengeMilestoneAccepted:
    challenge = row.challenge
    app = signed_application(challenge)
    members = tuple(
        events.MemberShare(
            user_id=m.user_id,
            user_public_id=m.user.public_id,
            share=m.share,
            amount=(row.amount * m.share / 100).quantize(CENT, rounding=ROUND_HALF_UP),
        )
        for m in _members(app)
    )
    issuer = challenge.issuer
    assert row.reviewed_at is not None
    return events.ChallengeMilestoneAccepted(
        reference=f"challenge:{challenge.public_id}:milestone:{row.position}",
        challenge_id=challenge.public_id,
        title_zh=str(challenge.title.get("zh-Hans", "")),
        title_en=str(challenge.title.get("en", "")),
        milestone_title=row.title,
        amount=row.amount,
        issuer_id=issuer.public_id,
        issuer_name_zh=issuer.name_zh,
        issuer_name_en=issuer.name_en,
        started_at=row.started_at or row.reviewed_at,
        accepted_at=row.reviewed_at,
        team_name=app.team.name,
        members=members,
    )


@transaction.atomic
def review(*, principal: Principal, milestone: Milestone, draft: ReviewDraft) -> Milestone:
    """The issuer or the department accepts or asks for changes (at most three rounds); an
    escalated milestone is the department's. The team never reviews its own work."""
    challenge = lock(milestone.challenge)
    roles = access.roles_in(principal, challenge)
    user = principal.user
    if user is None or not principal.can_write or not roles:
        raise Forbidden(_("Only the issuer or the department reviews milestones."))
    app = signed_application(challenge)
    if any(m.user_id == user.pk for m in _members(app)):
        raise Forbidden(_("A team member cannot review the team's own work."), code="own_work")
    if challenge.status != S.IN_PROGRESS:
        raise Conflict(_("The challenge is not in progress."), code="not_in_progress")
    row = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if row.status == M.ESCALATED and transitions.DEPARTMENT not in roles:
        raise Forbidden(_("An escalated milestone is reviewed by the department."))
    if row.status not in (M.SUBMITTED, M.ESCALATED):
        raise Conflict(_("This milestone has no report awaiting review."), code="no_report")
    now = timezone.now()
    if not draft.accept:
        if not draft.note:
            raise invalid_field("note", _("Say what must change."))
        if row.rounds >= MAX_ROUNDS:
            raise Conflict(
                _("Changes were asked %(n)d times: accept, or terminate the challenge.")
                % {"n": MAX_ROUNDS},
                code="too_many_rounds",
            )
        row.rounds += 1
        row.status = M.CHANGES_REQUESTED
    else:
        row.status = M.ACCEPTED
    row.reviewed_by, row.reviewed_at, row.review_note = user, now, draft.note
    row.save()
    audit.record(actor=user, action=f"bounties.milestone.{row.status}", obj=row)
    if row.status == M.ACCEPTED:
        row.challenge = challenge
        events.milestone_accepted.send(payload_for(row))
        money.pay_milestone(challenge, row, app, actor=user)
        if not challenge.milestones.exclude(status=M.ACCEPTED).exists():
            ctx = transitions.Context(now=now, all_accepted=True)
            move(challenge, "milestones_accepted", {transitions.SYSTEM}, ctx, actor=user)
        else:
            from nomadcloud.bounties import ocds

            ocds.record_release(challenge, "implementationUpdate", at=now)
    return row


def escalate_overdue(now: dt.datetime | None = None) -> int:
    """Milestones whose review window has passed go to the department (never approved by
    silence). Returns how many were escalated."""
    moment = now or timezone.now()
    count = 0
    for row in Milestone.objects.filter(status=M.SUBMITTED, review_due_at__lt=moment):
        with transaction.atomic():
            locked = Milestone.objects.select_for_update().get(pk=row.pk)
            if locked.status == M.SUBMITTED:
                locked.status = M.ESCALATED
                locked.save(update_fields=["status"])
                audit.record(actor=None, action="bounties.milestone.escalate", obj=locked)
                count += 1
    return count
