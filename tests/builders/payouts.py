"""Budgets for the payouts tests and the permission matrix."""

from __future__ import annotations

from decimal import Decimal

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.payouts import services
from nomadcloud.payouts.models import Budget, Commitment, Payout
from tests.builders.world import World


def budget(
    owner: Organisation,
    amount: str = "1000.00",
    *,
    code: str = "vouchers",
    year: int = 2026,
    actor: User | None = None,
) -> Budget:
    return services.create_budget(
        programme_code=code,
        year=year,
        amount=Decimal(amount),
        owner=owner,
        actor=actor,
        name_zh="数据创新券",
        name_en="Data innovation vouchers",
    )


def committed(b: Budget, amount: str = "300.00", subject: str = "v-1") -> Commitment:
    return services.commit(
        b,
        subject_kind="example.grant",
        subject_id=subject,
        amount=Decimal(amount),
        actor=None,
        reason="voucher issued",
    )


def approved(
    c: Commitment, amount: str = "100.00", payee: str = "acct-1", actor: User | None = None
) -> Payout:
    return services.approve_payout(
        c, payee_kind="accounts.organisation", payee_id=payee, amount=Decimal(amount), actor=actor
    )


def paid(c: Commitment, amount: str = "100.00", actor: User | None = None) -> Payout:
    """A payout the bank reported paid (not yet confirmed)."""
    payout = approved(c, amount, actor=actor)
    services.schedule(payout, actor=actor)
    payout = services.send(payout, actor=actor)
    return services.mark_paid(payout, external_reference=f"BANK-{payout.pk:06d}")


def acme_payout(w: World) -> Payout:
    """An approved payout out of Acme's budget (Acme pays: Olivia, its owner, is a finance
    officer; Rita, read-only, only sees it)."""
    existing = Payout.objects.filter(budget__owner=w.acme).first()
    if existing is not None:
        return existing
    b = budget(w.acme, "5000.00", code="acme-prizes")
    return approved(committed(b, "1000.00", subject="prize-1"), "800.00")
