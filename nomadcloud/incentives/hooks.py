"""What incentives registers with the shared modules at start-up: its 公示 subject (who
decides objections to a claim's notice) and its handlers of the payouts events."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import publicity
from nomadcloud.core.models import PublicNotice
from nomadcloud.incentives import access, services
from nomadcloud.incentives.models import Claim
from nomadcloud.payouts import events as payout_events
from nomadcloud.payouts.events import PayoutChanged


def may_decide_objection(user: Any, notice: PublicNotice) -> bool:
    """The verifying department's officers decide objections to a claim's notice (not a
    member of the claiming organisation)."""
    if not isinstance(user, User):
        return False
    claim = (
        Claim.objects.filter(public_id=notice.subject_id)
        .select_related("policy", "organisation")
        .first()
    )
    if claim is None:
        return False
    principal = Principal.for_user(user)
    return (
        access.is_officer(principal, claim.policy)
        and access.role_in(principal, claim.organisation) is None
    )


def notice_url(subject_id: str) -> str:
    return reverse("incentives:publicity")


def _confirmed(change: PayoutChanged) -> None:
    services.record_payout_change(change, "payout_confirmed")


def _failed(change: PayoutChanged) -> None:
    services.record_payout_change(change, "payout_failed")


def _reversed(change: PayoutChanged) -> None:
    services.record_payout_change(change, "payout_reversed")


def register() -> None:
    publicity.register_subject(
        services.NOTICE_KIND, may_decide=may_decide_objection, url=notice_url
    )
    payout_events.payout_confirmed.connect(_confirmed, uid="incentives.payout_confirmed")
    payout_events.payout_failed.connect(_failed, uid="incentives.payout_failed")
    payout_events.payout_reversed.connect(_reversed, uid="incentives.payout_reversed")
