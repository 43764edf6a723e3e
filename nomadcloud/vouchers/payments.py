"""What payouts tells the vouchers app (``payouts.events``, connected in ``VouchersConfig``):
a voucher's payout was confirmed with the bank's reference, failed, or was reversed. Each
becomes a line of the voucher's history, so the holder and the provider see the payment's
fate where they see the voucher; the payout's own state stays in payouts."""

from __future__ import annotations

from nomadcloud.accounts.models import User
from nomadcloud.payouts.events import PayoutChanged
from nomadcloud.vouchers.budget import SUBJECT_KIND
from nomadcloud.vouchers.models import Voucher, VoucherEvent


def _record(change: PayoutChanged, action: str) -> None:
    if change.subject_kind != SUBJECT_KIND:
        return
    voucher = Voucher.objects.filter(public_id=change.subject_id).first()
    if voucher is None:
        return
    actor = User.objects.filter(pk=change.actor_id).first() if change.actor_id else None
    VoucherEvent.objects.create(
        voucher=voucher,
        action=action,
        from_status=voucher.status,
        to_status=voucher.status,
        actor=actor,
        reason=f"{change.amount} {change.external_reference}".strip(),
    )


def on_payout_confirmed(change: PayoutChanged) -> None:
    _record(change, "payout_confirmed")


def on_payout_failed(change: PayoutChanged) -> None:
    _record(change, "payout_failed")


def on_payout_reversed(change: PayoutChanged) -> None:
    _record(change, "payout_reversed")
