"""Money of a challenge through the payouts app (design §3.7): the budget is committed when
the department approves the challenge (refused without a budget of the programme, or when
it would exceed it), the part above the award is released at signing, everything left is
released on cancellation, failure or termination (expiry never traps funds), and each
accepted milestone is one payout to the team for exactly its amount. The challenge closes
when every payout is confirmed — nothing counts as paid before that."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.bounties import transitions
from nomadcloud.bounties.models import Application, Challenge, Milestone
from nomadcloud.bounties.services._common import context, move
from nomadcloud.core.errors import Conflict
from nomadcloud.payouts import services as payouts
from nomadcloud.payouts.events import PayoutChanged
from nomadcloud.payouts.models import Budget, Commitment

SUBJECT = "bounties.challenge"  # also the commitments' subject kind


def programme_code() -> str:
    return str(getattr(settings, "BOUNTY_PROGRAMME_CODE", "jiebang-guashuai"))


def commit_budget(challenge: Challenge, *, actor: User) -> Commitment:
    budget = Budget.objects.filter(
        programme_code=programme_code(),
        year=timezone.localdate().year,
        owner=challenge.department,
    ).first()
    if budget is None:
        raise Conflict(
            _(
                "The department has no 揭榜挂帅 budget for this year: the challenge cannot be "
                "published without a budget commitment."
            ),
            code="no_budget",
        )
    commitment = payouts.commit(
        budget,
        subject_kind=SUBJECT,
        subject_id=str(challenge.public_id),
        amount=challenge.budget,
        actor=actor,
        reason=f"揭榜挂帅 {challenge.public_id}",
    )
    challenge.commitment = commitment
    challenge.save(update_fields=["commitment"])
    return commitment


def release_rest(challenge: Challenge, *, actor: User | None, reason: str) -> None:
    commitment = challenge.commitment
    if commitment is None:
        return
    commitment.refresh_from_db()
    if commitment.remaining > 0:
        payouts.release(commitment, amount=None, actor=actor, reason=reason or "released")


def release_above_award(challenge: Challenge, award: Decimal, *, actor: User) -> None:
    commitment = challenge.commitment
    if commitment is not None and challenge.budget > award:
        payouts.release(
            commitment,
            amount=challenge.budget - award,
            actor=actor,
            reason=_("The award is below the budget."),
        )


def pay_milestone(
    challenge: Challenge, milestone: Milestone, app: Application, *, actor: User
) -> None:
    """One payout of exactly the milestone's amount to the team (its lead receives it for
    the team, as HeroX pays the team leader)."""
    if challenge.commitment is None:
        return
    payout = payouts.approve_payout(
        challenge.commitment,
        payee_kind="teams.team",
        payee_id=str(app.team.public_id),
        amount=milestone.amount,
        actor=actor,
    )
    milestone.payout = payout
    milestone.save(update_fields=["payout"])


def all_confirmed(challenge: Challenge) -> bool:
    return context(challenge).payouts_confirmed


def close_if_paid(challenge: Challenge) -> None:
    if challenge.status == Challenge.Status.REWARDED and all_confirmed(challenge):
        ctx = transitions.Context(now=timezone.now(), payouts_confirmed=True)
        move(challenge, "close", {transitions.SYSTEM}, ctx, actor=None)


@transaction.atomic
def on_payout_confirmed(event: PayoutChanged) -> None:
    if event.subject_kind != SUBJECT:
        return
    challenge = Challenge.objects.select_for_update().filter(public_id=event.subject_id).first()
    if challenge is not None:
        close_if_paid(challenge)
