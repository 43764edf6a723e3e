"""/api/v1/payouts/: budgets and payouts for the paying organisation's finance officers and
the zone operator (docs/payouts.md). Others get 404."""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.payouts import access, queries, services
from nomadcloud.payouts.schemas import (
    BudgetOut,
    PayoutDetailOut,
    PayoutFilters,
    PayoutMove,
    PayoutOut,
)

router = Router(tags=["payouts"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


@router.get("/budgets", response=_errors({200: list[BudgetOut]}))
@paginate(CursorPagination)
def budgets(request: HttpRequest, **kwargs: Any) -> Any:
    """Budgets of the organisations you belong to: amount, committed, being paid, paid
    (confirmed) and available."""
    return queries.budgets_for(Principal.of(request))


@router.get("/budgets/{budget_id}", response=_errors({200: BudgetOut}))
def budget(request: HttpRequest, budget_id: UUID) -> Any:
    return access.budget_for(Principal.of(request), budget_id)


@router.get("/payouts", response=_errors({200: list[PayoutOut]}))
@paginate(CursorPagination)
def payouts(request: HttpRequest, filters: Query[PayoutFilters], **kwargs: Any) -> Any:
    """Payouts you may see, newest first; ``status`` filters. ``paid`` means reported by the
    bank and awaiting confirmation; only ``confirmed`` is paid."""
    return queries.payouts_for(Principal.of(request), status=filters.status)


@router.get("/payouts/{payout_id}", response=_errors({200: PayoutDetailOut}))
def payout(request: HttpRequest, payout_id: UUID) -> Any:
    return access.payout_for(Principal.of(request), payout_id)


@router.post("/payouts/{payout_id}/moves", response=_errors({200: PayoutDetailOut}))
def move(request: HttpRequest, payout_id: UUID, payload: PayoutMove) -> Any:
    """Move a payout (finance officers of the paying organisation and the zone operator):
    ``schedule``, ``send`` (to the bank), ``mark_paid`` (with the bank's reference),
    ``confirm``, ``fail``, ``retry``, ``reverse``. A move the payout's state does not allow
    is ``invalid_transition`` (409)."""
    principal = Principal.of(request)
    item = access.payout_for(principal, payout_id, move=True)
    user = access.require_finance_officer(principal, item.budget.owner)
    services.apply_move(item, actor=user, move=payload)
    return access.payout_for(principal, payout_id)
