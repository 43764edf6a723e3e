"""What the voucher use cases share: the voucher history, the row lock, telling people."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.notifications.services import notify
from nomadcloud.vouchers import access, notices
from nomadcloud.vouchers.models import (
    Redemption,
    Voucher,
    VoucherEvent,
)

V = Voucher.Status
R = Redemption.Status


def actor_of(principal: Principal) -> User | None:
    return principal.user


def record_event(
    voucher: Voucher,
    *,
    action: str,
    before: str,
    actor: User | None,
    reason: str = "",
    rule_version: str = "",
) -> None:
    VoucherEvent.objects.create(
        voucher=voucher,
        action=action,
        from_status=before,
        to_status=voucher.status,
        actor=actor,
        reason=reason,
        rule_version=rule_version,
    )


def locked(voucher: Voucher) -> Voucher:
    """The voucher re-read under a row lock (two requests cannot both move it)."""
    locked = Voucher.objects.select_for_update().get(pk=voucher.pk)
    voucher.status = locked.status
    return voucher


# --- telling people -------------------------------------------------------------------------


def tell(organisation: Organisation, kind: str, voucher: Voucher, params: dict[str, Any]) -> None:
    url = reverse("vouchers:voucher", args=[voucher.public_id])
    members = Membership.objects.filter(
        organisation=organisation, role__in=list(access.EDITORS)
    ).select_related("user")
    for membership in members:
        if membership.user.is_active:
            notify(membership.user, kind, params=params, url=url)


def tell_provider(voucher: Voucher, outcome: str, reason: str) -> None:
    tell(
        voucher.provider.organisation,
        notices.REDEMPTION_DECIDED.key,
        voucher,
        {"code": voucher.code, "outcome": outcome, "reason": reason},
    )
