"""公示, approval with the budget commitment (four-eyes) and the payout changes payouts tells."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.principal import Principal
from nomadcloud.core import publicity
from nomadcloud.core.errors import Conflict, Forbidden
from nomadcloud.core.money import format_cny
from nomadcloud.incentives import access
from nomadcloud.incentives.models import (
    Claim,
    ClaimEvent,
    Policy,
)
from nomadcloud.incentives.services.records import (
    NOTICE_KIND,
    S,
    _check_move,
    _event,
    _lock,
    _tell_claimant,
    programme_code,
)
from nomadcloud.payouts import services as payouts
from nomadcloud.payouts.events import PayoutChanged
from nomadcloud.payouts.models import Budget


@transaction.atomic
def open_publicity(*, principal: Principal, claim: Claim, at: datetime | None = None) -> Claim:
    """The verified amount goes on the public 公示 list for the policy's working days
    (``core/publicity.py``); objections may be filed while it runs."""
    user = access.require_officer(principal, claim)
    claim = _lock(claim)
    _check_move(claim, "open_publicity")
    org_zh = claim.organisation.name_zh or claim.organisation.name_en
    org_en = claim.organisation.name_en or claim.organisation.name_zh
    publicity.open_notice(
        subject_kind=NOTICE_KIND,
        subject_id=str(claim.public_id),
        title={
            "zh-Hans": f"{claim.policy.title_zh}（{claim.year}年度）公示：{org_zh}",
            "en": f"{claim.policy.title_en} ({claim.year}): {org_en}",
        },
        body={
            "zh-Hans": f"{org_zh} 经核定可获 {format_cny(claim.amount)}。"
            "公示期内如有异议，请提出。",
            "en": f"{org_en} was verified for {format_cny(claim.amount)}. Object during the notice "
            "period if you know a reason it is undue.",
        },
        working_days=claim.policy.publicity_days,
        actor=user,
        at=at,
    )
    before = claim.status
    claim.status = S.PUBLICITY
    claim.save(update_fields=["status"])
    _event(claim, user, "open_publicity", before)
    return claim


def budget_for(policy: Policy, year: int) -> Budget:
    budget = Budget.objects.filter(programme_code=programme_code(policy), year=year).first()
    if budget is None:
        raise Conflict(_("No budget is set for this policy and year."), code="no_budget")
    return budget


@transaction.atomic
def approve_claim(*, principal: Principal, claim: Claim, now: datetime | None = None) -> Claim:
    """After 公示 (ended, no objection pending or upheld): approved by an officer other than
    the verifier (four-eyes). The amount is committed in the policy's budget under its lock
    (refused above what is available) and its payout approved to the organisation; the
    finance officer schedules, sends and confirms it in payouts."""
    user = access.require_officer(principal, claim)
    claim = _lock(claim)
    _check_move(claim, "approve")
    if claim.verified_by_id == user.pk:
        raise Forbidden(_("The officer who verified a claim may not approve it."), code="four_eyes")
    publicity.assert_may_advance(NOTICE_KIND, str(claim.public_id), now=now)
    budget = budget_for(claim.policy, claim.year)
    commitment = payouts.commit(
        budget,
        subject_kind=NOTICE_KIND,
        subject_id=str(claim.public_id),
        amount=claim.amount,
        actor=user,
        reason=f"{claim.policy.code} {claim.year}",
    )
    payout = payouts.approve_payout(
        commitment,
        payee_kind="accounts.organisation",
        payee_id=str(claim.organisation.public_id),
        amount=claim.amount,
        actor=user,
    )
    before = claim.status
    claim.status = S.APPROVED
    claim.approved_by = user
    claim.decided_at = timezone.now()
    claim.commitment = commitment
    claim.payout = payout
    claim.save(update_fields=["status", "approved_by", "decided_at", "commitment", "payout"])
    _event(claim, user, "approve", before, amount=claim.amount)
    _tell_claimant(claim, str(S.APPROVED.label))
    return claim


def record_payout_change(change: PayoutChanged, action: str) -> None:
    """A payout of a claim was confirmed, failed or reversed: the claim's history says so
    and its organisation is told (payouts tells us by event; it never calls us)."""
    if change.subject_kind != NOTICE_KIND:
        return
    claim = (
        Claim.objects.filter(public_id=change.subject_id)
        .select_related("policy", "organisation")
        .first()
    )
    if claim is None:
        return
    ClaimEvent.objects.create(
        claim=claim,
        actor_id=change.actor_id,
        action=action,
        from_status=claim.status,
        to_status=claim.status,
        reason=change.external_reference,
        amount=change.amount,
        rule_version=claim.rule_version,
    )
    _tell_claimant(claim, change.status)
