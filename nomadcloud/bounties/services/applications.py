"""Applying (揭榜申报) with eligibility explained per criterion, withdrawing, and the
department's qualification review (资格审核)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import access, transitions
from nomadcloud.bounties.models import Application, ApplicationSeat, Challenge, Phase
from nomadcloud.bounties.schemas import ApplicationDraft, EligibilityDraft
from nomadcloud.bounties.services._common import lock
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput, invalid_field
from nomadcloud.teams.models import Team, TeamMember

S = Challenge.Status
A = Application.Status


def explain_eligibility(challenge: Challenge, team: Team) -> list[dict[str, object]]:
    """Each criterion of the challenge's eligibility rule, whether the team meets it and why
    (shown before applying and kept on the application)."""
    rule = challenge.eligibility or {}
    live = list(
        TeamMember.objects.filter(
            team=team, status__in=(TeamMember.Status.INVITED, TeamMember.Status.ACCEPTED)
        ).select_related("user")
    )
    counted = [m for m in live if m.counts]
    pending = [m.user.display_name for m in live if not m.counts]
    kinds = rule.get("kinds") or [k.value for k in Team.Kind]
    low, high = int(rule.get("min_members", 1)), int(rule.get("max_members", 10))
    foreign = [m.user.display_name for m in counted if m.user.is_foreign]

    def row(criterion: str, passed: bool, ok: str, bad: str) -> dict[str, object]:
        return {"criterion": criterion, "passed": passed, "reason": ok if passed else bad}

    return [
        row(
            "kind",
            team.kind in kinds,
            _("The team's kind is allowed."),
            _("This challenge is open to: %(kinds)s.") % {"kinds": ", ".join(kinds)},
        ),
        row(
            "members_accepted",
            not pending,
            _("Every member has accepted and consented."),
            _("Not yet accepted or consented: %(who)s.") % {"who": ", ".join(pending)},
        ),
        row(
            "size",
            low <= len(counted) <= high,
            _("The team's size is within the limits."),
            _("A team here has %(low)d to %(high)d members; this one has %(n)d.")
            % {"low": low, "high": high, "n": len(counted)},
        ),
        row(
            "entity",
            team.has_entity or not rule.get("entity_required"),
            _("A legal entity is named, or none is required."),
            _("This challenge requires a legal entity (unified social credit code)."),
        ),
        row(
            "foreign_members",
            team.has_entity or not foreign,
            _("Foreign members, if any, take part through an entity."),
            _("Foreign members (%(who)s) take part through an entity: name one.")
            % {"who": ", ".join(foreign)},
        ),
    ]


def _window(challenge: Challenge) -> None:
    phase = Phase.objects.filter(challenge=challenge, kind=Phase.Kind.APPLICATIONS).first()
    today = timezone.localdate()
    if (
        challenge.status != S.PUBLISHED
        or phase is None
        or not phase.starts_on <= today <= phase.ends_on
    ):
        raise Conflict(
            _("Applications to this challenge are not open."), code="applications_closed"
        )


@transaction.atomic
def apply(*, principal: Principal, challenge: Challenge, draft: ApplicationDraft) -> Application:
    user = require_person(principal)
    require_write(principal)
    challenge = lock(challenge)
    _window(challenge)
    team = Team.objects.filter(public_id=draft.team).first()
    if team is None or not TeamMember.objects.filter(team=team, user=user).exists():
        raise invalid_field("team", _("No such team."), code="unknown_team")
    if team.lead_id != user.pk:
        raise Forbidden(_("Only the team lead may apply for the team."), code="lead_only")
    if (
        Application.objects.filter(challenge=challenge, team=team)
        .exclude(status=A.WITHDRAWN)
        .exists()
    ):
        raise Conflict(_("This team has already applied."), code="already_applied")
    if draft.amount > challenge.budget:
        raise invalid_field("amount", _("The amount asked exceeds the challenge's budget."))
    results = explain_eligibility(challenge, team)
    failed = [r for r in results if not r["passed"]]
    if failed:
        raise InvalidInput(
            _("The team is not eligible: %(reasons)s")
            % {"reasons": " ".join(str(r["reason"]) for r in failed)},
            code="ineligible",
            fields={f"eligibility.{r['criterion']}": [str(r["reason"])] for r in failed},
        )
    members = [m for m in team.members.select_related("user") if m.counts]
    if challenge.one_team_per_person:
        taken = ApplicationSeat.objects.filter(
            challenge=challenge, user__in=[m.user for m in members]
        ).select_related("user")
        names = [seat.user.display_name for seat in taken]
        if names:
            raise invalid_field(
                "team",
                _("Already in another team applying to this challenge: %(who)s.")
                % {"who": ", ".join(names)},
                code="person_in_other_team",
            )
    app, _created = Application.objects.update_or_create(
        challenge=challenge,
        team=team,
        defaults={
            "status": A.SUBMITTED,
            "proposal": draft.proposal,
            "amount": draft.amount,
            "plan": [p.model_dump(mode="json") for p in draft.plan],
            "eligibility": results,
            "submitted_by": user,
            "review_reason": "",
        },
    )
    if challenge.one_team_per_person:
        try:
            with transaction.atomic():
                ApplicationSeat.objects.bulk_create(
                    ApplicationSeat(challenge=challenge, application=app, user=m.user)
                    for m in members
                )
        except IntegrityError:
            raise invalid_field(
                "team",
                _("A member is already in another team applying to this challenge."),
                code="person_in_other_team",
            ) from None
    audit.record(actor=user, action="bounties.apply", obj=app, after={"team": team.pk})
    return app


@transaction.atomic
def withdraw(*, principal: Principal, application: Application) -> Application:
    user = require_person(principal)
    require_write(principal)
    lock(application.challenge)
    app = Application.objects.select_for_update().select_related("team").get(pk=application.pk)
    if app.team.lead_id != user.pk:
        raise Forbidden(_("Only the team lead may withdraw the application."), code="lead_only")
    if app.status != A.SUBMITTED or app.challenge.status != S.PUBLISHED:
        raise Conflict(_("This application can no longer be withdrawn."), code="not_withdrawable")
    app.status = A.WITHDRAWN
    app.save(update_fields=["status"])
    ApplicationSeat.objects.filter(application=app).delete()
    audit.record(actor=user, action="bounties.withdraw", obj=app)
    return app


@transaction.atomic
def review(
    *, principal: Principal, application: Application, draft: EligibilityDraft
) -> Application:
    """The department's qualification decision on one application; a refusal needs a
    reason (shown to the team once evaluation closes)."""
    challenge = lock(application.challenge)
    user = access.require_role(principal, challenge, transitions.DEPARTMENT)
    if challenge.status != S.QUALIFICATION_REVIEW:
        raise Conflict(
            _("Qualification is reviewed after the application window closes."),
            code="not_in_review",
        )
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.status not in (A.SUBMITTED, A.ELIGIBLE, A.INELIGIBLE):
        raise Conflict(_("This application is not under review."), code="not_in_review")
    if not draft.eligible and not draft.reason:
        raise invalid_field("reason", _("Give the reason the team is not eligible."))
    app.status = A.ELIGIBLE if draft.eligible else A.INELIGIBLE
    app.review_reason = draft.reason
    app.save(update_fields=["status", "review_reason"])
    audit.record(actor=user, action="bounties.review", obj=app, after={"status": app.status})
    return app
