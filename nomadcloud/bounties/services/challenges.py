"""Drafting, approving and moving a challenge; public Q&A; the expert pool."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write, role_in
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import access, transitions
from nomadcloud.bounties.models import (
    Application,
    ApplicationSeat,
    Challenge,
    Clarification,
    Expert,
    Milestone,
    Phase,
)
from nomadcloud.bounties.schemas import ActionIn, ChallengeDraft, QuestionDraft, ReplyDraft
from nomadcloud.bounties.services import money
from nomadcloud.bounties.services._common import context, lock, move
from nomadcloud.bounties.services.evaluation import start_evaluation
from nomadcloud.bounties.services.signing import start_signing
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, invalid_field

S = Challenge.Status
A = Application.Status


def _department(public_id: UUID) -> Organisation:
    org = Organisation.objects.filter(
        public_id=public_id, kind=Organisation.Kind.DEPARTMENT
    ).first()
    if org is None:
        raise invalid_field(
            "department", _("Name a government department."), code="unknown_department"
        )
    return org


def _check_dates(draft: ChallengeDraft) -> None:
    today = timezone.localdate()
    if draft.phases[0].starts_on < today:
        raise invalid_field(
            "phases", _("The phases cannot start in the past."), code="phase_in_past"
        )


def _fields(draft: ChallengeDraft) -> dict[str, object]:
    return {
        "title": draft.title,
        "statement": draft.statement,
        "kpis": draft.kpis,
        "terms": draft.terms,
        "budget": draft.budget,
        "subsidy": draft.subsidy,
        "eligibility": draft.eligibility.model_dump(),
        "rubric": [c.model_dump() for c in draft.rubric],
        "aggregation": draft.aggregation,
        "min_experts": draft.min_experts,
        "one_team_per_person": draft.one_team_per_person,
        "blind_first_round": draft.blind_first_round,
        "publicity_days": draft.publicity_days,
        "review_days": draft.review_days,
    }


def _write_phases(challenge: Challenge, draft: ChallengeDraft) -> None:
    Phase.objects.filter(challenge=challenge).delete()
    Phase.objects.bulk_create(
        Phase(challenge=challenge, kind=p.kind, starts_on=p.starts_on, ends_on=p.ends_on)
        for p in draft.phases
    )


@transaction.atomic
def create_challenge(
    *, principal: Principal, issuer: Organisation, draft: ChallengeDraft
) -> Challenge:
    user = require_person(principal)
    require_write(principal)
    if issuer.kind != Organisation.Kind.ENTERPRISE:
        raise Forbidden(_("Only an enterprise issues challenges."), code="not_an_enterprise")
    if role_in(principal, issuer) not in access.ISSUER_ROLES:
        raise Forbidden(_("Only the issuer may do this."))
    _check_dates(draft)
    challenge = Challenge.objects.create(
        issuer=issuer, department=_department(draft.department), created_by=user, **_fields(draft)
    )
    _write_phases(challenge, draft)
    audit.record(actor=user, action="bounties.create", obj=challenge, organisation=issuer)
    return challenge


@transaction.atomic
def update_challenge(
    *, principal: Principal, challenge: Challenge, draft: ChallengeDraft
) -> Challenge:
    """Only a draft changes: from submission on, the statement, rules, rubric and phases
    are frozen (CONSUL #2159)."""
    user = access.require_role(principal, challenge, transitions.ISSUER)
    challenge = lock(challenge)
    if challenge.status not in transitions.EDITABLE:
        raise Conflict(
            _("A challenge that is “%(state)s” can no longer be changed.")
            % {"state": S(challenge.status).label},
            code="challenge_frozen",
        )
    _check_dates(draft)
    fields = _fields(draft)
    for name, value in fields.items():
        setattr(challenge, name, value)
    challenge.department = _department(draft.department)
    challenge.save()
    _write_phases(challenge, draft)
    audit.record(actor=user, action="bounties.update", obj=challenge, organisation=challenge.issuer)
    return challenge


@transaction.atomic
def act(*, principal: Principal, challenge: Challenge, draft: ActionIn) -> Challenge:
    """A move asked for by name (submit, return, approve, close the window, start the
    evaluation, fail, start signing, accept, remediate, close, cancel, terminate)."""
    user = require_person(principal)
    require_write(principal)
    challenge = lock(challenge)
    roles = access.roles_in(principal, challenge)
    if draft.action == "start_evaluation":
        return start_evaluation(challenge=challenge, actor=user, roles=roles)
    if draft.action == "start_signing":
        return start_signing(challenge=challenge, actor=user, roles=roles)
    ctx = context(challenge, draft.reason)
    extra: dict[str, object] = {}
    if draft.action in ("cancel", "terminate", "return"):
        extra["end_reason"] = draft.reason
    if draft.action == "terminate":
        accepted = sum(
            (m.amount for m in challenge.milestones.filter(status=Milestone.Status.ACCEPTED)),
            start=challenge.budget * 0,
        )
        extra["end_reason"] = _("%(reason)s (settled: accepted milestones %(amount)s)") % {
            "reason": draft.reason,
            "amount": accepted,
        }
    if draft.action == "remediate":
        extra["remediation_used"] = True
    if draft.action == "approve" and transitions.DEPARTMENT in roles:
        transitions.check(challenge, "approve", roles, ctx)
        money.commit_budget(challenge, actor=user)
    challenge = move(challenge, draft.action, roles, ctx, actor=user, extra=extra)
    if challenge.status in (S.CANCELLED, S.FAILED, S.TERMINATED):
        money.release_rest(challenge, actor=user, reason=draft.reason)
    if challenge.status == S.REWARDED:
        money.close_if_paid(challenge)
    if draft.action == "remediate":
        last = challenge.milestones.order_by("-position").first()
        if last is not None:
            last.status = Milestone.Status.CHANGES_REQUESTED
            last.review_note = draft.reason
            last.save(update_fields=["status", "review_note"])
    if challenge.status == S.CANCELLED:
        ApplicationSeat.objects.filter(challenge=challenge).delete()
    return challenge


@transaction.atomic
def ask_question(
    *, principal: Principal, challenge: Challenge, draft: QuestionDraft
) -> Clarification:
    user = require_person(principal)
    require_write(principal)
    if challenge.status != S.PUBLISHED:
        raise Conflict(
            _("Questions are taken while the challenge is published."), code="questions_closed"
        )
    row = Clarification.objects.create(challenge=challenge, asked_by=user, question=draft.question)
    audit.record(actor=user, action="bounties.ask", obj=challenge)
    return row


@transaction.atomic
def answer_question(
    *, principal: Principal, clarification: Clarification, draft: ReplyDraft
) -> Clarification:
    challenge = clarification.challenge
    user = access.require_role(principal, challenge, transitions.ISSUER)
    row = Clarification.objects.select_for_update().get(pk=clarification.pk)
    if row.answered_at is not None:
        raise Conflict(_("This question is already answered."), code="already_answered")
    row.answer, row.answered_by, row.answered_at = draft.answer, user, timezone.now()
    row.save(update_fields=["answer", "answered_by", "answered_at"])
    audit.record(actor=user, action="bounties.answer", obj=challenge)
    return row


@transaction.atomic
def add_expert(
    *,
    principal: Principal,
    department: Organisation,
    person: User,
    affiliation: Organisation | None,
    fields: str,
) -> Expert:
    """A department's reviewer adds a person to the expert pool."""
    user = require_person(principal)
    require_write(principal)
    if department.kind != Organisation.Kind.DEPARTMENT or (
        role_in(principal, department) not in access.DEPARTMENT_ROLES
    ):
        raise Forbidden(_("Only the department may do this."))
    expert, _created = Expert.objects.update_or_create(
        user=person, defaults={"affiliation": affiliation, "fields": fields[:300], "active": True}
    )
    audit.record(actor=user, action="bounties.expert", obj=expert, organisation=department)
    return expert
