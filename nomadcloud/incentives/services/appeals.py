"""Appeals against a decision and clawbacks of amounts found undue."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, Forbidden, invalid_field
from nomadcloud.core.money import format_cny, to_cny
from nomadcloud.incentives import access
from nomadcloud.incentives.models import (
    Appeal,
    Claim,
    ClaimItem,
)
from nomadcloud.incentives.services.records import (
    S,
    _check_move,
    _claimant,
    _event,
    _lock,
    _tell_claimant,
    _text,
)


@transaction.atomic
def file_appeal(*, principal: Principal, claim: Claim, grounds: str) -> Appeal:
    """Against a rejection or the amount, within the policy's appeal window."""
    user = require_person(principal)
    _claimant(principal, claim)
    claim = _lock(claim)
    _check_move(claim, "appeal")
    decided = claim.decided_at or timezone.now()
    if timezone.now() > decided + timedelta(days=claim.policy.appeal_days):
        raise Conflict(_("The appeal window has closed."), code="appeal_window_closed")
    appeal = Appeal.objects.create(
        claim=claim, grounds=_text("grounds", grounds), previous_status=claim.status, filed_by=user
    )
    before = claim.status
    claim.status = S.APPEAL_REVIEW
    claim.save(update_fields=["status"])
    _event(claim, user, "appeal", before, reason=appeal.grounds)
    return appeal


@transaction.atomic
def decide_appeal(*, principal: Principal, claim: Claim, upheld: bool, reason: str) -> Appeal:
    """Another officer than the verifier decides. Upheld: the claim is verified again (the
    officer's exclusions reopened); dismissed: it returns to where it was."""
    user = access.require_officer(principal, claim)
    claim = _lock(claim)
    _check_move(claim, "decide_appeal")
    if claim.verified_by_id == user.pk:
        raise Forbidden(
            _("The officer who verified a claim may not decide its appeal."), code="four_eyes"
        )
    appeal = claim.appeals.filter(status=Appeal.Status.PENDING).first()
    if appeal is None:
        raise Conflict(_("No appeal is pending."), code="no_appeal")
    appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.DISMISSED
    appeal.reason = _text("reason", reason)
    appeal.decided_by = user
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    before = claim.status
    if upheld:
        claim.items.filter(state=ClaimItem.State.EXCLUDED, computed__in=("", "counted")).update(
            state=ClaimItem.State.PENDING,
            reason_code="",
            reason="",
            decided_by=None,
            decided_at=None,
        )
        claim.status = S.VERIFYING
    else:
        claim.status = appeal.previous_status
    claim.save(update_fields=["status"])
    _event(claim, user, "decide_appeal", before, reason=appeal.reason)
    _tell_claimant(claim, str(appeal.get_status_display()))
    return appeal


@transaction.atomic
def claw_back(*, principal: Principal, claim: Claim, amount: object, reason: str) -> Claim:
    """A later finding: part or all of an approved amount is undue. Recorded as an event
    with the amount (never a delete); the whole amount clawed back reverses the claim."""
    user = access.require_officer(principal, claim)
    claim = _lock(claim)
    _check_move(claim, "claw_back")
    try:
        value = to_cny(amount)
    except ValueError as exc:
        raise invalid_field("amount", str(exc)) from None
    remaining = claim.amount - claim.clawed_back
    if value <= 0 or value > remaining:
        raise invalid_field(
            "amount",
            _("Between ¥0.01 and the %(left)s not yet clawed back.")
            % {"left": format_cny(remaining)},
            code="clawback_too_large",
        )
    text = _text("reason", reason)
    before = claim.status
    claim.clawed_back += value
    if claim.clawed_back == claim.amount:
        claim.status = S.REVERSED
    claim.save(update_fields=["clawed_back", "status"])
    _event(claim, user, "claw_back", before, reason=text, amount=-value)
    _tell_claimant(claim, str(claim.get_status_display()))
    return claim
