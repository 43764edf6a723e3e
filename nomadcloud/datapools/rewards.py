"""Contributor rewards (还数于民): a distribution run per pool and month pays each contributor
the charter's points per accepted row for every use of a version holding their rows — counted
from the period's UsageEvents — as one points-ledger transfer from zone-points issuance to
the person's account (double entry; the transfer id names the run and the person, so a retry
cannot pay twice). At most one run per (pool, period): the pool row is locked and a unique
constraint backs the lock, so two runs at once pay once (``already_distributed``).

Money (the charter's contributors' share of fees): when the steward gives the fees the
period's agreements brought and the budget (payouts app) they were paid into, the run commits
``fees × share %`` (to the cent) of that budget for itself and approves one payout per
contributor, split pro rata to the rows used by largest remainder so the lines sum exactly to
the share. The payouts then go through the finance officer's send / confirm (payouts app);
the statement shows their state, never "paid" before it is confirmed. All in the run's
transaction: a refused commitment (``budget_exceeded``) leaves nothing behind."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.datapools import access
from nomadcloud.datapools.charters import current_charter
from nomadcloud.datapools.models import DistributionRun, Pool, RewardLine, UsageEvent
from nomadcloud.datapools.transitions import Side
from nomadcloud.payouts import services as payouts
from nomadcloud.payouts.models import Budget
from nomadcloud.points import book
from nomadcloud.points.book import history
from nomadcloud.points.ledger import SystemRole

REWARD_CODE = "datapool_reward"
history.register(REWARD_CODE, gettext_lazy("Reward for data you contributed to a pool"))


def _period_bounds(period: str) -> tuple[datetime, datetime]:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
        raise invalid_field("period", _("Give the month as YYYY-MM."))
    year, month = int(period[:4]), int(period[5:])
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    return start, end


SUBJECT_KIND = "datapools.distributionrun"
PAYEE_KIND = "accounts.user"
CENT = Decimal("0.01")


def split_cents(total: Decimal, weights: dict[int, int]) -> dict[int, Decimal]:
    """``total`` yuan split pro rata to ``weights`` by largest remainder, to the cent: the
    parts sum exactly to ``total`` (ties go to the smaller key)."""
    cents = int((total / CENT).to_integral_value())
    whole = sum(weights.values())
    if whole <= 0 or cents <= 0:
        return dict.fromkeys(weights, Decimal("0.00"))
    base = {key: cents * w // whole for key, w in weights.items()}
    left = cents - sum(base.values())
    for key in sorted(weights, key=lambda k: (-(cents * weights[k] % whole), k))[:left]:
        base[key] += 1
    return {key: (Decimal(part) * CENT).quantize(CENT) for key, part in base.items()}


def distribute(
    *,
    principal: Principal,
    pool: Pool,
    period: str,
    fees: Decimal | None = None,
    budget: Budget | None = None,
) -> DistributionRun:
    start, end = _period_bounds(period)
    if end > timezone.now():
        raise invalid_field("period", _("A period is distributed once it has ended."))
    if fees is not None and fees < 0:
        raise invalid_field("fees", _("The fees cannot be negative."))
    if fees and budget is None:
        raise invalid_field("budget", _("Choose the budget the contributors are paid from."))
    try:
        return _distribute(
            principal=principal,
            pool=pool,
            period=period,
            start=start,
            end=end,
            fees=fees or Decimal("0.00"),
            budget=budget,
        )
    except IntegrityError as exc:  # the other run committed first
        raise _already(period) from exc


def _already(period: str) -> Conflict:
    return Conflict(
        _("The rewards of %(period)s have already been distributed.") % {"period": period},
        code="already_distributed",
    )


@transaction.atomic
def _distribute(
    *,
    principal: Principal,
    pool: Pool,
    period: str,
    start: datetime,
    end: datetime,
    fees: Decimal,
    budget: Budget | None,
) -> DistributionRun:
    pool = Pool.objects.select_for_update().select_related("steward").get(pk=pool.pk)
    access.require_side(principal, pool, Side.STEWARD)
    user = require_person(principal)
    if DistributionRun.objects.filter(pool=pool, period=period).exists():
        raise _already(period)
    charter = current_charter(pool)
    per_row = charter.points_per_row
    share = Decimal("0.00")
    if fees:
        if not charter.fee_share_percent:
            raise invalid_field("fees", _("The charter gives contributors no share of fees."))
        if budget is None or budget.owner_id != pool.steward_id:
            raise invalid_field("budget", _("Choose a budget of the pool's steward."))
        share = (fees * charter.fee_share_percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    uses = list(
        UsageEvent.objects.filter(negotiation__pool=pool, at__gte=start, at__lt=end)
        .select_related("negotiation__consumer", "version")
        .order_by("at", "pk")
    )
    rows: dict[int, int] = defaultdict(int)
    seen: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for use in uses:
        mine: dict[int, int] = defaultdict(int)
        for contributor_id, row_count in use.version.contributions.values_list(
            "contributor_id", "row_count"
        ):
            mine[contributor_id] += row_count
        for contributor_id, count in mine.items():
            rows[contributor_id] += count
            seen[contributor_id].append(
                {
                    "enterprise": str(use.negotiation.consumer),
                    "purpose": use.negotiation.policy["permission"][0]["constraint"][0][
                        "rightOperand"
                    ],
                    "mode": use.mode,
                    "version": use.version.number,
                    "rows": count,
                    "at": use.at.isoformat(),
                }
            )
    run = DistributionRun.objects.create(
        pool=pool,
        period=period,
        uses=len(uses),
        total_points=per_row * sum(rows.values()),
        fees=fees,
        run_by=user,
        run_at=timezone.now(),
    )
    amounts = split_cents(share, dict(rows))
    commitment = None
    if budget is not None and sum(amounts.values(), Decimal("0.00")) > 0:
        commitment = payouts.commit(
            budget,
            subject_kind=SUBJECT_KIND,
            subject_id=str(run.public_id),
            amount=share,
            actor=user,
            reason=f"{pool.public_id}:{period}",
        )
        run.commitment = commitment
        run.total_amount = share
        run.save(update_fields=["commitment", "total_amount"])
    if rows:
        ledger = book.ledger()
        people = User.objects.in_bulk(list(rows))
        for contributor_id, count in sorted(rows.items()):
            points = per_row * count
            transfer_id = f"dp:{run.public_id.hex}:{people[contributor_id].public_id.hex}"
            if points:
                account = book.person_account(people[contributor_id], book.ZONE_POINTS)
                result = ledger.transfer(
                    transfer_id,
                    ledger.system_account(SystemRole.ISSUANCE, book.ZONE_POINTS, account),
                    account,
                    points,
                    code=REWARD_CODE,
                    reference=f"{pool.public_id}:{period}",
                )
                if not result.ok:
                    raise Conflict(
                        _("The points ledger refused the reward: %(reason)s.")
                        % {"reason": result.reason},
                        code="ledger_refused",
                    )
            amount = amounts.get(contributor_id, Decimal("0.00"))
            payout = None
            if commitment is not None and amount > 0:
                payout = payouts.approve_payout(
                    commitment,
                    payee_kind=PAYEE_KIND,
                    payee_id=str(people[contributor_id].public_id),
                    amount=amount,
                    actor=user,
                )
            RewardLine.objects.create(
                run=run,
                contributor_id=contributor_id,
                rows_used=count,
                points=points,
                transfer_id=transfer_id,
                uses=seen[contributor_id],
                amount=amount,
                payout=payout,
            )
    audit.record(
        actor=user,
        action="datapools.rewards.distribute",
        obj=run,
        organisation=pool.steward,
        after={
            "period": period,
            "points": run.total_points,
            "amount": str(run.total_amount),
            "contributors": len(rows),
        },
    )
    return run
