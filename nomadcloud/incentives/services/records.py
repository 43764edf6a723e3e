"""What every move of a claim shares: the claim locked and checked against the moves table, its
history (an event and an audit record), the claimant told, free text checked."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Membership, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.incentives import access, notices
from nomadcloud.incentives.models import (
    Claim,
    ClaimEvent,
    Policy,
)
from nomadcloud.incentives.transitions import MOVES
from nomadcloud.notifications.services import notify

S = Claim.Status


UNPAID = (S.DRAFT, S.SUBMITTED, S.VERIFYING, S.SUPPLEMENT_REQUESTED, S.VERIFIED, S.PUBLICITY)


MAX_TEXT = 4000


def _claimants(org_ids: Iterable[int]) -> dict[int, list[User]]:
    people: dict[int, list[User]] = {}
    for membership in Membership.objects.filter(
        organisation_id__in=list(org_ids), role__in=access.CLAIMANTS
    ).select_related("user"):
        people.setdefault(membership.organisation_id, []).append(membership.user)
    return people


def _text(field: str, value: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    clean = (value or "").strip()
    if required and not clean:
        raise invalid_field(field, _("This field is required."))
    if len(clean) > limit:
        raise invalid_field(field, _("At most %(n)s characters.") % {"n": limit})
    return clean


def _event(
    claim: Claim,
    actor: User | None,
    action: str,
    before: str,
    *,
    reason: str = "",
    amount: Decimal | None = None,
) -> None:
    ClaimEvent.objects.create(
        claim=claim,
        actor=actor,
        action=action,
        from_status=before,
        to_status=claim.status,
        reason=reason,
        amount=amount,
        rule_version=claim.rule_version,
    )
    audit.record(
        actor=actor,
        action=f"incentives.claim.{action}",
        obj=claim,
        organisation=claim.organisation,
        before={"status": before},
        after={"status": claim.status, **({"amount": str(amount)} if amount is not None else {})},
    )


def _tell_claimant(claim: Claim, what: str) -> None:
    for user in _claimants([claim.organisation_id]).get(claim.organisation_id, []):
        notify(
            user,
            notices.CLAIM_CHANGED.key,
            params={
                "policy_zh": claim.policy.title_zh,
                "policy_en": claim.policy.title_en,
                "year": claim.year,
                "status": what,
            },
            url=reverse("incentives:claim", args=[claim.public_id]),
        )


def _lock(claim: Claim) -> Claim:
    locked = (
        Claim.objects.select_for_update().select_related("policy", "organisation").get(pk=claim.pk)
    )
    claim.status = locked.status
    return locked


def _check_move(claim: Claim, move: str) -> None:
    if move not in MOVES[claim.status]:
        raise Conflict(
            _("This claim cannot do that now (it is %(status)s).")
            % {"status": claim.get_status_display()},
            code="wrong_state",
        )


def _claimant(principal: Principal, claim: Claim) -> User | None:
    access.check_claimant(principal, claim.organisation, access.Action.CLAIM)
    return principal.user


NOTICE_KIND = "incentives.claim"


def programme_code(policy: Policy) -> str:
    """The payouts programme of a policy (one budget per policy and year of facts)."""
    return f"incentives-{policy.code}"
