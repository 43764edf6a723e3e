"""/api/v1/risk/: the zone operator's review queue of held work units and the decisions on
them. Anyone but a zone operator gets 404 (docs/risk.md)."""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.risk import access, queries, services
from nomadcloud.risk.schemas import DecisionIn, HeldFilters, HeldIssuanceOut

router = Router(tags=["risk"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


@router.get("/held-issuances", response=_errors({200: list[HeldIssuanceOut]}))
@paginate(CursorPagination)
def held_issuances(request: HttpRequest, filters: Query[HeldFilters], **kwargs: Any) -> Any:
    """Work units held by the risk engine, with the reasons (zone operator only)."""
    status = "" if filters.status == "all" else filters.status
    return queries.queue_for(Principal.of(request), status)


@router.get("/held-issuances/{held_id}", response=_errors({200: HeldIssuanceOut}))
def held_issuance(request: HttpRequest, held_id: UUID) -> Any:
    return access.held_for(Principal.of(request), held_id)


@router.post("/held-issuances/{held_id}/decision", response=_errors({200: HeldIssuanceOut}))
def decide(request: HttpRequest, held_id: UUID, payload: DecisionIn) -> Any:
    """Release (credit the units to the holder) or cancel (never credit them; the credential
    is revoked). Audited with who, when, the reason and the rule version."""
    principal = Principal.of(request)
    held = access.held_for(principal, held_id)
    decide_ = services.release if payload.release else services.cancel
    decided = decide_(principal=principal, held=held, reason=payload.reason)
    return access.held_for(principal, decided.public_id)
