"""Reads for the finance officer's pages and API, scoped through ``access``."""

from __future__ import annotations

from django.db.models import QuerySet

from nomadcloud.accounts.principal import Principal
from nomadcloud.payouts import access
from nomadcloud.payouts.models import Budget, Payout


def payouts_for(
    principal: Principal, *, status: str = "", budget: Budget | None = None
) -> QuerySet[Payout]:
    payouts = access.visible_payouts(principal).order_by("-id")
    if status:
        payouts = payouts.filter(status=status)
    if budget is not None:
        payouts = payouts.filter(budget=budget)
    return payouts


def budgets_for(principal: Principal) -> QuerySet[Budget]:
    return access.visible_budgets(principal).order_by("-year", "programme_code")
