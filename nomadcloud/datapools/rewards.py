"""Contributor rewards (还数于民): a distribution run per pool and month pays each contributor
the charter's points per accepted row for every use of a version holding their rows — counted
from the period's UsageEvents — as one points-ledger transfer from zone-points issuance to
the person's account (double entry; the transfer id names the run and the person, so a retry
cannot pay twice). At most one run per (pool, period): the pool row is locked and a unique
constraint backs the lock, so two runs at once pay once (``already_distributed``)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime
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


def distribute(*, principal: Principal, pool: Pool, period: str) -> DistributionRun:
    start, end = _period_bounds(period)
    if end > timezone.now():
        raise invalid_field("period", _("A period is distributed once it has ended."))
    try:
        return _distribute(principal=principal, pool=pool, period=period, start=start, end=end)
    except IntegrityError as exc:  # the other run committed first
        raise _already(period) from exc


def _already(period: str) -> Conflict:
    return Conflict(
        _("The rewards of %(period)s have already been distributed.") % {"period": period},
        code="already_distributed",
    )


@transaction.atomic
def _distribute(
    *, principal: Principal, pool: Pool, period: str, start: datetime, end: datetime
) -> DistributionRun:
    pool = Pool.objects.select_for_update().select_related("steward").get(pk=pool.pk)
    access.require_side(principal, pool, Side.STEWARD)
    user = require_person(principal)
    if DistributionRun.objects.filter(pool=pool, period=period).exists():
        raise _already(period)
    per_row = current_charter(pool).points_per_row
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
        run_by=user,
        run_at=timezone.now(),
    )
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
            RewardLine.objects.create(
                run=run,
                contributor_id=contributor_id,
                rows_used=count,
                points=points,
                transfer_id=transfer_id,
                uses=seen[contributor_id],
            )
    audit.record(
        actor=user,
        action="datapools.rewards.distribute",
        obj=run,
        organisation=pool.steward,
        after={"period": period, "points": run.total_points, "contributors": len(rows)},
    )
    return run
