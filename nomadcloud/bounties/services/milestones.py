"""过程监管: milestone reports by the signed team only, review by the issuer or the
department (never by the team itself), escalation to the department when the review window
passes (public money never moves by silence), and the credentials of every member."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import access, events, notices, transitions
from nomadcloud.bounties.models import (
    Application,
    Challenge,
    MidtermCheck,
    Milestone,
    MilestoneDispute,
    MilestoneExtension,
)
from nomadcloud.bounties.schemas import (
    DisputeDecisionDraft,
    DisputeDraft,
    DisputeResponseDraft,
    ExtensionDecisionDraft,
    ExtensionDraft,
    MidtermDraft,
    ReportDraft,
    ReviewDraft,
)
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


def _team_roles(principal: Principal, app: Application) -> set[str]:
    user = principal.user
    if (
        user is None
        or principal.key_organisation is not None
        or not principal.can_write
        or all(m.user_id != user.pk for m in _members(app))
    ):
        return set()
    return {transitions.TEAM}


def _step(
    row: Milestone, action: str, roles: set[str], reason: str, *, actor: User | None
) -> Milestone:
    """Check the move in the milestone table and apply it (the caller holds the locks)."""
    target = transitions.check_milestone(
        row, action, roles, transitions.Context(now=timezone.now(), reason=reason)
    ).target
    source = row.status
    row.status = target
    row.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action=f"bounties.milestone.{action}",
        obj=row,
        before={"status": source},
        after={"status": target, "reason": reason[:500]},
    )
    return row


@transaction.atomic
def submit(*, principal: Principal, milestone: Milestone, draft: ReportDraft) -> Milestone:
    """Only an accepted member of the signed team submits (Gitcoin #992)."""
    challenge = lock(milestone.challenge)
    app = signed_application(challenge)
    roles = _team_roles(principal, app)
    user = principal.user
    if not roles or user is None:
        raise Forbidden(_("Only the signed team submits work."), code="not_the_team")
    if challenge.status != S.IN_PROGRESS:
        raise Conflict(_("The challenge is not in progress."), code="not_in_progress")
    row = Milestone.objects.select_for_update().get(pk=milestone.pk)
    row.challenge = challenge
    if row.status not in (M.PLANNED, M.CHANGES_REQUESTED):
        raise Conflict(_("This milestone awaits a review."), code="awaiting_review")
    now = timezone.now()
    due = workdays.add_working_days(timezone.localdate(now), challenge.review_days)
    row.report, row.deliverable_sha256 = draft.report, draft.deliverable_sha256
    row.submitted_by, row.submitted_at = user, now
    row.review_due_at = workdays.end_of_day(due)
    row.review_reminded_at = None
    row.save()
    return _step(row, "submit", roles, "", actor=user)


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


def _accepted(challenge: Challenge, row: Milestone, app: Application, *, actor: User) -> None:
    """An accepted milestone: the credentials (event), its payout, and the challenge moves to
    final acceptance when it was the last one."""
    row.challenge = challenge
    events.milestone_accepted.send(payload_for(row))
    money.pay_milestone(challenge, row, app, actor=actor)
    now = timezone.now()
    if not challenge.milestones.exclude(status=M.ACCEPTED).exists():
        ctx = transitions.Context(now=now, all_accepted=True)
        move(challenge, "milestones_accepted", {transitions.SYSTEM}, ctx, actor=actor)
    else:
        from nomadcloud.bounties import ocds

        ocds.record_release(challenge, "implementationUpdate", at=now)


def _reviewer(
    principal: Principal, challenge: Challenge, app: Application
) -> tuple[User, set[str]]:
    roles = access.roles_in(principal, challenge)
    user = principal.user
    if user is None or not principal.can_write or not roles:
        raise Forbidden(_("Only the issuer or the department reviews milestones."))
    if any(m.user_id == user.pk for m in _members(app)):
        raise Forbidden(_("A team member cannot review the team's own work."), code="own_work")
    if challenge.status != S.IN_PROGRESS:
        raise Conflict(_("The challenge is not in progress."), code="not_in_progress")
    return user, roles


@transaction.atomic
def review(*, principal: Principal, milestone: Milestone, draft: ReviewDraft) -> Milestone:
    """The issuer or the department accepts, asks for changes (at most three rounds) or
    rejects with a reason (the team may dispute); an escalated milestone is the
    department's. The team never reviews its own work."""
    challenge = lock(milestone.challenge)
    app = signed_application(challenge)
    user, roles = _reviewer(principal, challenge, app)
    row = Milestone.objects.select_for_update().get(pk=milestone.pk)
    row.challenge = challenge
    if row.status == M.ESCALATED and transitions.DEPARTMENT not in roles:
        raise Forbidden(_("An escalated milestone is reviewed by the department."))
    if row.status not in (M.SUBMITTED, M.ESCALATED):
        raise Conflict(_("This milestone has no report awaiting review."), code="no_report")
    now = timezone.now()
    if draft.accept:
        action = "accept"
    elif draft.reject:
        action = "reject"
        if not draft.note:
            raise invalid_field("note", _("Give the reasons for the rejection."))
    else:
        action = "request_changes"
        if not draft.note:
            raise invalid_field("note", _("Say what must change."))
        if row.rounds >= MAX_ROUNDS:
            raise Conflict(
                _("Changes were asked %(n)d times: accept, or terminate the challenge.")
                % {"n": MAX_ROUNDS},
                code="too_many_rounds",
            )
        row.rounds += 1
    row.reviewed_by, row.reviewed_at, row.review_note = user, now, draft.note
    row.save()
    _step(row, action, roles, draft.note or action, actor=user)
    if row.status == M.ACCEPTED:
        _accepted(challenge, row, app, actor=user)
    else:
        notices.tell_team(app, "bounties.milestone_reviewed", challenge, milestone=row.title)
    return row


# --- disputes (the orders pattern: raise, respond, decide with reasons) ---------------------


def dispute_for(milestone: Milestone) -> MilestoneDispute:
    row = MilestoneDispute.objects.filter(milestone=milestone).first()
    if row is None:
        raise Conflict(_("This milestone has no dispute."), code="no_dispute")
    return row


@transaction.atomic
def raise_dispute(
    *, principal: Principal, milestone: Milestone, draft: DisputeDraft
) -> MilestoneDispute:
    """A member of the signed team disputes a rejection, once per milestone."""
    challenge = lock(milestone.challenge)
    app = signed_application(challenge)
    roles = _team_roles(principal, app)
    user = principal.user
    if not roles or user is None:
        raise Forbidden(_("Only the signed team disputes its milestones."), code="not_the_team")
    row = Milestone.objects.select_for_update().get(pk=milestone.pk)
    row.challenge = challenge
    if MilestoneDispute.objects.filter(milestone=row).exists():
        raise Conflict(_("This milestone was disputed already."), code="already_disputed")
    _step(row, "dispute", roles, draft.reason, actor=user)
    dispute = MilestoneDispute.objects.create(milestone=row, raised_by=user, reason=draft.reason)
    notices.tell_organisation(
        challenge.department, "bounties.dispute_raised", challenge, milestone=row.title
    )
    notices.tell_organisation(
        challenge.issuer, "bounties.dispute_raised", challenge, milestone=row.title
    )
    return dispute


@transaction.atomic
def respond_dispute(
    *, principal: Principal, milestone: Milestone, draft: DisputeResponseDraft
) -> MilestoneDispute:
    """The issuer answers the team's dispute (once; the department then decides)."""
    challenge = lock(milestone.challenge)
    user = access.require_role(principal, challenge, transitions.ISSUER)
    row = Milestone.objects.select_for_update().get(pk=milestone.pk)
    row.challenge = challenge
    dispute = dispute_for(row)
    if dispute.responded_at is not None:
        raise Conflict(_("The issuer has responded already."), code="already_responded")
    _step(row, "respond", {transitions.ISSUER}, draft.response, actor=user)
    dispute.response, dispute.responded_by, dispute.responded_at = (
        draft.response,
        user,
        timezone.now(),
    )
    dispute.save(update_fields=["response", "responded_by", "responded_at"])
    return dispute


@transaction.atomic
def decide_dispute(
    *, principal: Principal, milestone: Milestone, draft: DisputeDecisionDraft
) -> MilestoneDispute:
    """The department decides with reasons: accept (paid like any accepted milestone), redo
    (the team reworks it) or uphold the rejection."""
    challenge = lock(milestone.challenge)
    user = access.require_role(principal, challenge, transitions.DEPARTMENT)
    app = signed_application(challenge)
    if any(m.user_id == user.pk for m in _members(app)):
        raise Forbidden(_("A team member cannot decide on the team's own work."), code="own_work")
    if challenge.status != S.IN_PROGRESS:
        raise Conflict(_("The challenge is not in progress."), code="not_in_progress")
    row = Milestone.objects.select_for_update().get(pk=milestone.pk)
    row.challenge = challenge
    dispute = dispute_for(row)
    _step(row, f"decide_{draft.decision}", {transitions.DEPARTMENT}, draft.reason, actor=user)
    now = timezone.now()
    dispute.decision, dispute.decision_reason = draft.decision, draft.reason
    dispute.decided_by, dispute.decided_at = user, now
    dispute.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
    if row.status == M.ACCEPTED:
        row.reviewed_by, row.reviewed_at, row.review_note = user, now, draft.reason
        row.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
        _accepted(challenge, row, app, actor=user)
    notices.tell_team(app, "bounties.dispute_decided", challenge, milestone=row.title)
    return dispute


# --- due-date extensions (with a reason, approved by the department) ------------------------


@transaction.atomic
def request_extension(
    *, principal: Principal, milestone: Milestone, draft: ExtensionDraft
) -> MilestoneExtension:
    """A member of the signed team asks for a later due date, with a reason; one request
    waits at a time."""
    challenge = lock(milestone.challenge)
    app = signed_application(challenge)
    user = principal.user
    if not _team_roles(principal, app) or user is None:
        raise Forbidden(_("Only the signed team asks for a later date."), code="not_the_team")
    if challenge.status != S.IN_PROGRESS:
        raise Conflict(_("The challenge is not in progress."), code="not_in_progress")
    row = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if row.status not in (M.PLANNED, M.CHANGES_REQUESTED):
        raise Conflict(_("This milestone awaits a review."), code="awaiting_review")
    if draft.due_on <= row.due_on:
        raise invalid_field(
            "due_on",
            _("Ask for a date after the current due date (%(due)s).")
            % {"due": row.due_on.isoformat()},
            code="not_later",
        )
    if row.extensions.filter(approved__isnull=True).exists():
        raise Conflict(_("A request for a later date is waiting already."), code="pending")
    request = MilestoneExtension.objects.create(
        milestone=row,
        requested_by=user,
        previous_due_on=row.due_on,
        due_on=draft.due_on,
        reason=draft.reason,
    )
    audit.record(
        actor=user,
        action="bounties.milestone.extension_requested",
        obj=row,
        after={"due_on": draft.due_on.isoformat(), "reason": draft.reason[:500]},
    )
    notices.tell_organisation(
        challenge.department,
        "bounties.extension_requested",
        challenge,
        milestone=row.title,
        due=draft.due_on.isoformat(),
    )
    return request


@transaction.atomic
def decide_extension(
    *, principal: Principal, milestone: Milestone, draft: ExtensionDecisionDraft
) -> MilestoneExtension:
    """The department approves (the due date moves; the due reminder starts over) or refuses
    the waiting request, with reasons."""
    challenge = lock(milestone.challenge)
    user = access.require_role(principal, challenge, transitions.DEPARTMENT)
    row = Milestone.objects.select_for_update().get(pk=milestone.pk)
    request = row.extensions.filter(approved__isnull=True).first()
    if request is None:
        raise Conflict(_("No request for a later date is waiting."), code="no_request")
    request.approved, request.decision_reason = draft.approve, draft.reason
    request.decided_by, request.decided_at = user, timezone.now()
    request.save()
    if draft.approve:
        row.due_on, row.due_reminded_at = request.due_on, None
        row.save(update_fields=["due_on", "due_reminded_at"])
    audit.record(
        actor=user,
        action="bounties.milestone.extension_decided",
        obj=row,
        after={"approved": draft.approve, "due_on": row.due_on.isoformat()},
    )
    notices.tell_team(
        signed_application(challenge),
        "bounties.extension_decided",
        challenge,
        milestone=row.title,
        due=row.due_on.isoformat(),
    )
    return request


# --- 中期检查 -----------------------------------------------------------------------------------


@transaction.atomic
def midterm_check(
    *, principal: Principal, challenge: Challenge, draft: MidtermDraft
) -> MidtermCheck:
    """The department records a mid-term check with its findings (a move of the table that
    keeps the challenge in progress; a failing outcome is followed by ``terminate``)."""
    challenge = lock(challenge)
    user = access.require_role(principal, challenge, transitions.DEPARTMENT)
    ctx = transitions.Context(now=timezone.now(), reason=draft.findings)
    move(challenge, "midterm_check", access.roles_in(principal, challenge), ctx, actor=user)
    check = MidtermCheck.objects.create(
        challenge=challenge, outcome=draft.outcome, findings=draft.findings, checked_by=user
    )
    notices.tell_team(signed_application(challenge), "bounties.midterm_checked", challenge)
    return check


def escalate_overdue(now: dt.datetime | None = None) -> int:
    """Milestones whose review window has passed go to the department (never approved by
    silence). Returns how many were escalated."""
    moment = now or timezone.now()
    count = 0
    for row in Milestone.objects.filter(status=M.SUBMITTED, review_due_at__lt=moment):
        with transaction.atomic():
            locked = Milestone.objects.select_for_update().get(pk=row.pk)
            if locked.status == M.SUBMITTED:
                _step(locked, "escalate", {transitions.SYSTEM}, "", actor=None)
                count += 1
    return count
