"""The voucher programme's money, kept by the ``payouts`` app (never here): the budget of a
programme, the commitment made when a voucher is issued, the payout approved when its
redemption is verified, and the release of what a voucher will not use (expiry, revocation,
a redemption below the face value). Finance schedules, pays and confirms the payout on the
payouts pages; a voucher shows the payout's own status, so nothing reads "paid" before the
payment is confirmed with its external reference."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.payouts import services as payouts
from nomadcloud.payouts.models import Budget, Payout
from nomadcloud.vouchers.models import Programme, Redemption, Voucher

SUBJECT_KIND = "vouchers.voucher"
PAYEE_KIND = "accounts.organisation"


def budget_code(programme: Programme) -> str:
    return f"vouchers-{programme.code}"[:60]


def create_for(programme: Programme, *, actor: User | None) -> Budget:
    """The programme's budget for its year (called when the programme is created)."""
    return payouts.create_budget(
        programme_code=budget_code(programme),
        year=programme.year,
        amount=programme.budget_amount,
        owner=programme.department,
        actor=actor,
        name_zh=programme.name_zh,
        name_en=programme.name_en,
    )


def commit_for(voucher: Voucher, *, actor: User | None) -> None:
    """Reserve the face value at issue; refuses with ``budget_exceeded`` (the amount left)."""
    budget = voucher.programme.budget
    assert budget is not None, "a programme's budget is created with it"
    voucher.commitment = payouts.commit(
        budget,
        subject_kind=SUBJECT_KIND,
        subject_id=str(voucher.public_id),
        amount=voucher.face_value,
        actor=actor,
        reason=_("Data innovation voucher %(code)s") % {"code": voucher.code},
    )


def release_for(voucher: Voucher, *, actor: User | None, reason: str) -> None:
    """Give back what is left of the voucher's commitment (expiry, revocation)."""
    commitment = voucher.commitment
    if commitment is None:
        return
    commitment.refresh_from_db()
    if commitment.remaining > 0:
        payouts.release(commitment, actor=actor, reason=reason or "released")


def pay_for(voucher: Voucher, redemption: Redemption, *, actor: User | None) -> None:
    """Approve the payout of the redeemed amount to the provider and release the rest of the
    face value."""
    commitment = voucher.commitment
    assert commitment is not None, "an issued voucher has its commitment"
    redemption.payout = payouts.approve_payout(
        commitment,
        payee_kind=PAYEE_KIND,
        payee_id=str(voucher.provider.organisation.public_id),
        amount=redemption.amount,
        actor=actor,
    )
    left = voucher.face_value - redemption.amount
    if left > Decimal(0):
        commitment.refresh_from_db()
        payouts.release(
            commitment,
            amount=left,
            actor=actor,
            reason=_("Redeemed below the face value"),
        )


def payout_status(redemption: Redemption | None) -> tuple[str, str]:
    """The payout's status and its label as payouts words it ("" when there is none)."""
    payout = redemption.payout if redemption is not None else None
    if payout is None:
        return "", ""
    return payout.status, str(Payout.Status(payout.status).label)
