"""Demo money out: 市科工信局's 2026 talent rewards budget (人才奖励, plan 004 item 11) with
rewards committed to demo nomads and payouts in each state the finance officer meets: one
to schedule, one with the bank, one the bank reported paid (to confirm), one confirmed, one
the bank refused (to retry or reverse). The zone operator persona moves them; the payments
go to the fake bank. Idempotent: nothing is added once the budget exists."""

from __future__ import annotations

from decimal import Decimal

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.payouts import services
from nomadcloud.payouts.models import Budget

PROGRAMME = "talent-rewards"
YEAR = 2026
PERSON = "accounts.user"


def seed() -> dict[str, int]:
    owner = Organisation.objects.filter(code="kegongxin").first()
    operator = User.objects.filter(email__startswith="operator@").first()
    if owner is None or Budget.objects.filter(programme_code=PROGRAMME, year=YEAR).exists():
        return {"payouts": 0}
    nomads = list(User.objects.filter(is_nomad=True).order_by("id")[:5])
    budget = services.create_budget(
        programme_code=PROGRAMME,
        year=YEAR,
        amount=Decimal("500000.00"),
        owner=owner,
        actor=operator,
        name_zh="数字游民人才奖励",
        name_en="Digital nomad talent rewards",
    )
    made = 0
    for index, nomad in enumerate(nomads[:5]):
        commitment = services.commit(
            budget,
            subject_kind="demo.talent_reward",
            subject_id=f"reward-{index + 1}",
            amount=Decimal("20000.00"),
            actor=operator,
            reason="一年以上劳动合同奖励 / one-year contract reward",
        )
        payee = f"reject-{nomad.public_id}" if index == 4 else str(nomad.public_id)
        payout = services.approve_payout(
            commitment,
            payee_kind=PERSON,
            payee_id=payee,
            amount=Decimal("20000.00"),
            actor=operator,
        )
        made += 1
        if index == 0:
            continue  # approved: to schedule
        payout = services.schedule(payout, actor=operator)
        payout = services.send(payout, actor=operator)
        if index in (1, 4):
            continue  # with the bank; the last one refused by it
        payout = services.mark_paid(payout, external_reference=f"BOC-2026-{index:04d}")
        if index == 3 and operator is not None:
            services.confirm(payout, actor=operator)
    # One more reward committed and not yet paid, so "committed" is not empty.
    services.commit(
        budget,
        subject_kind="demo.talent_reward",
        subject_id="reward-6",
        amount=Decimal("50000.00"),
        actor=operator,
        reason="全年引进数字游民奖励 / yearly recruitment reward",
    )
    return {"payouts": made}
