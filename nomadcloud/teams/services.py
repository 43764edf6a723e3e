"""Use cases of teams: create, invite, answer, remove, record shares. Keyword-only typed
inputs, one transaction each, an audit event each."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.accounts.validators import normalise_uscc
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, InvalidInput, invalid_field
from nomadcloud.teams import transitions
from nomadcloud.teams.access import require_lead
from nomadcloud.teams.models import Team, TeamMember, max_members
from nomadcloud.teams.schemas import AnswerDraft, InvitationDraft, SharesDraft, TeamDraft

S = TeamMember.Status
ACTIVE = (S.INVITED, S.ACCEPTED)


@transaction.atomic
def create_team(*, principal: Principal, draft: TeamDraft) -> Team:
    lead = require_person(principal)
    require_write(principal)
    code = normalise_uscc(draft.credit_code) if draft.credit_code else ""
    if draft.kind == "studio" and not code:
        raise invalid_field(
            "credit_code",
            _("A studio is a registered business: give its unified social credit code."),
            code="entity_required",
        )
    team = Team.objects.create(kind=draft.kind, name=draft.name, lead=lead, credit_code=code)
    now = timezone.now()
    TeamMember.objects.create(
        team=team,
        user=lead,
        role=TeamMember.Role.LEAD,
        status=S.ACCEPTED,
        share=Decimal("100.00"),
        accepted_at=now,
        consent_at=now,
    )
    audit.record(actor=lead, action="teams.create", obj=team, after={"kind": team.kind})
    return team


@transaction.atomic
def invite_member(*, principal: Principal, team: Team, draft: InvitationDraft) -> TeamMember:
    user = require_person(principal)
    require_write(principal)
    team = Team.objects.select_for_update().get(pk=team.pk)
    require_lead(user, team)
    invitee = User.objects.filter(email__iexact=draft.email, erased_at__isnull=True).first()
    if invitee is None:
        raise invalid_field(
            "email", _("No registered person has this e-mail address."), code="unknown_person"
        )
    if TeamMember.objects.filter(team=team, status__in=ACTIVE).count() >= max_members():
        raise Conflict(
            _("A team has at most %(n)d members.") % {"n": max_members()}, code="team_full"
        )
    member = TeamMember.objects.filter(team=team, user=invitee).first()
    if member is not None and member.status in ACTIVE:
        raise invalid_field(
            "email", _("This person is already in the team or invited."), code="already_member"
        )
    if member is None:
        member = TeamMember(team=team, user=invitee)
    member.role, member.status = draft.role, S.INVITED
    member.accepted_at = member.consent_at = None
    member.share = Decimal("0.00")
    member.save()
    audit.record(actor=user, action="teams.invite", obj=team, after={"member": member.pk})
    return member


@transaction.atomic
def answer_invitation(*, principal: Principal, team: Team, draft: AnswerDraft) -> TeamMember:
    user = require_person(principal)
    require_write(principal)
    member = TeamMember.objects.select_for_update().filter(team=team, user=user).first()
    if member is None:
        raise Conflict(_("You have no invitation to this team."), code="no_invitation")
    target = S.ACCEPTED if draft.accept else S.DECLINED
    transitions.check(member, target, {transitions.INVITEE})
    if draft.accept and not draft.consent:
        raise invalid_field(
            "consent",
            _("Consent to take part and to be named in the team's applications to join."),
            code="consent_required",
        )
    now = timezone.now()
    member.status = target
    if draft.accept:
        member.accepted_at = member.consent_at = now
    member.save(update_fields=["status", "accepted_at", "consent_at"])
    audit.record(actor=user, action=f"teams.{target}", obj=team, after={"member": member.pk})
    return member


@transaction.atomic
def remove_member(*, principal: Principal, team: Team, member: TeamMember) -> TeamMember:
    user = require_person(principal)
    require_write(principal)
    require_lead(user, team)
    member = TeamMember.objects.select_for_update().get(pk=member.pk, team=team)
    if member.user_id == team.lead_id:
        raise Conflict(_("The lead cannot be removed from their team."), code="lead_stays")
    transitions.check(member, S.REMOVED, {transitions.LEAD})
    member.status, member.share = S.REMOVED, Decimal("0.00")
    member.save(update_fields=["status", "share"])
    audit.record(actor=user, action="teams.remove", obj=team, after={"member": member.pk})
    return member


@transaction.atomic
def set_shares(*, principal: Principal, team: Team, draft: SharesDraft) -> Team:
    """Record how the team splits credit for accepted work: every accepted member has a
    share, no one else has one, and the shares sum to exactly 100."""
    user = require_person(principal)
    require_write(principal)
    require_lead(user, team)
    members = {
        m.user.public_id: m
        for m in TeamMember.objects.select_for_update()
        .filter(team=team, status=S.ACCEPTED)
        .select_related("user")
    }
    unknown = [str(k) for k in draft.shares if k not in members]
    if unknown:
        raise invalid_field(
            "shares", _("Only accepted members have a share: %(who)s.") % {"who": unknown[0]}
        )
    missing = [m.user.display_name for k, m in members.items() if k not in draft.shares]
    if missing:
        raise invalid_field(
            "shares",
            _("Give every accepted member a share (missing: %(who)s).")
            % {"who": ", ".join(missing)},
        )
    total = sum(draft.shares.values(), Decimal("0"))
    if total != Decimal("100"):
        raise InvalidInput(
            _("The shares must sum to 100; they sum to %(total)s.") % {"total": total},
            code="shares_not_100",
            fields={"shares": [_("The shares must sum to 100.")]},
        )
    for key, member in members.items():
        member.share = draft.shares[key]
        member.save(update_fields=["share"])
    audit.record(
        actor=user,
        action="teams.shares",
        obj=team,
        after={str(k): str(v) for k, v in draft.shares.items()},
    )
    return team
