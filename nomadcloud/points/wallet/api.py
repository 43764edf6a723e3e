"""The wallet API (mounted at /api/v1/points): the person's balances, lots, what expires
when, history and monthly statements, and exchanging work units for points (with a quote
first and a client idempotency key). Handlers only translate HTTP to service calls."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES, decode_cursor, encode_cursor
from nomadcloud.core.errors import invalid_field
from nomadcloud.points import access
from nomadcloud.points import models as m
from nomadcloud.points.programme import queries as programme_queries
from nomadcloud.points.programme import services as programme
from nomadcloud.points.programme.api import rate_out
from nomadcloud.points.wallet import queries as wallet
from nomadcloud.points.wallet import services as exchange
from nomadcloud.points.wallet.schemas import (
    PointsExchangeIn,
    PointsExchangeOut,
    PointsExpiryOut,
    PointsHistoryPageOut,
    PointsLotOut,
    PointsQuoteIn,
    PointsQuoteOut,
    PointsStatementOut,
    PointsWalletOut,
)

# Operation ids are explicit: they were derived from the module path before the points app
# grew wings (``nomadcloud.points.api``) and generated clients depend on them.
router = Router()


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


def _person(request: HttpRequest) -> Any:
    return access.wallet_owner(Principal.of(request))


def _wu(hundredths: int) -> str:
    return programme.format_amount(hundredths, exchange.WU_SCALE)


def exchange_out(x: m.Exchange) -> dict[str, Any]:
    return {
        "id": x.public_id,
        "key": x.key,
        "scenario": x.scenario.code,
        "asset": x.asset_id,
        "scale": x.asset.scale,
        "work_units": _wu(x.work_units),
        "points": x.points,
        "bonus": x.bonus,
        "rate_id": x.rate_id,
        "points_per_work_unit": format(x.rate.points_per_work_unit.normalize(), "f"),
        "rule_version": x.rule.version if x.rule else None,
        "campaign": f"{x.campaign.code} v{x.campaign.version}" if x.campaign else None,
        "lot_expires_at": x.lot_expires_at,
        "locked_until": x.locked_until,
        "lock": x.lock,
        "created_at": x.created_at,
        "transfers": [t for t in (x.wu_transfer, x.points_transfer, x.bonus_transfer) if t],
    }


def history_out(line: wallet.HistoryLine) -> dict[str, Any]:
    return {
        "id": line.tid,
        "kind": line.kind,
        "code": line.code,
        "reason": line.reason,
        "asset": line.asset.code,
        "timestamp": line.timestamp,
        "amount": line.amount,
        "amount_display": line.amount_display,
        "reference": line.reference,
        "pending": line.pending,
    }


# ---- the wallet --------------------------------------------------------------------------


@router.get(
    "/wallet",
    response=_errors({200: PointsWalletOut}),
    operation_id="nomadcloud_points_api_my_wallet",
)
def my_wallet(request: HttpRequest) -> Any:
    """Your balances per asset: posted balance, available, in payment holds, locked."""
    user = _person(request)
    return {
        "balances": [
            {
                "asset": b.asset.code,
                "label": b.label,
                "scale": b.asset.scale,
                "balance": b.balance,
                "available": b.available,
                "held": b.held,
                "locked": b.locked,
                "balance_display": b.balance_display,
                "available_display": b.available_display,
            }
            for b in wallet.balances(user)
        ]
    }


class AssetQuery(Schema):
    asset: str | None = None


@router.get(
    "/wallet/lots",
    response=_errors({200: list[PointsLotOut]}),
    operation_id="nomadcloud_points_api_my_lots",
)
def my_lots(request: HttpRequest, filters: Query[AssetQuery]) -> Any:
    """Your open lots, in the order they are spent (soonest expiry first)."""
    user = _person(request)
    return [
        {
            "id": line.lot.id,
            "asset": line.asset.code,
            "amount": line.lot.amount,
            "remaining": line.lot.remaining,
            "remaining_display": line.remaining_display,
            "created_at": line.lot.created_at,
            "expires_at": line.lot.expires_at,
            "expired": line.expired,
        }
        for line in wallet.lots(user, (filters.asset or "")[:128] or None)
    ]


@router.get(
    "/wallet/expiry",
    response=_errors({200: list[PointsExpiryOut]}),
    operation_id="nomadcloud_points_api_my_expiry",
)
def my_expiry(request: HttpRequest) -> Any:
    """What will expire and when (including locked points, with the expiry they carry)."""
    user = _person(request)
    return [
        {
            "asset": line.asset.code,
            "expires_at": line.expires_at,
            "amount": line.amount,
            "amount_display": line.amount_display,
            "locked": line.locked,
            "expired": line.expired,
        }
        for line in wallet.expiry_statement(user)
    ]


class HistoryQuery(Schema):
    asset: str | None = None
    cursor: str | None = None
    limit: int = 50


@router.get(
    "/wallet/history",
    response=_errors({200: PointsHistoryPageOut}),
    operation_id="nomadcloud_points_api_my_history",
)
def my_history(request: HttpRequest, filters: Query[HistoryQuery]) -> Any:
    """Your transfers, newest first, with their reasons in your language; page with
    ``next_cursor``."""
    user = _person(request)
    before = decode_cursor(filters.cursor) if filters.cursor else None
    if before is not None and not 0 < before < 2**63:
        raise invalid_field("cursor", _("This cursor is not valid; start from the first page."))
    limit = min(max(filters.limit, 1), 200)
    lines, more = wallet.history(
        user, asset_code=(filters.asset or "")[:128] or None, before=before, limit=limit
    )
    return {
        "items": [history_out(line) for line in lines],
        "next_cursor": encode_cursor(more) if more is not None else None,
    }


class MonthQuery(Schema):
    month: str | None = None


@router.get(
    "/wallet/statement",
    response=_errors({200: PointsStatementOut}),
    operation_id="nomadcloud_points_api_my_statement",
)
def my_statement(request: HttpRequest, filters: Query[MonthQuery]) -> Any:
    """Your monthly statement (``month=YYYY-MM``, default this month): per asset the opening
    balance, credits, debits and closing balance, and the month's transfers."""
    user = _person(request)
    year, month = wallet.parse_month((filters.month or "")[:20] or None)
    st = wallet.statement(user, year, month)
    return {
        "month": st.month_text,
        "lines": [
            {
                "asset": line.asset.code,
                "label": line.label,
                "scale": line.asset.scale,
                "opening": line.opening,
                "credits": line.credits,
                "debits": line.debits,
                "closing": line.closing,
            }
            for line in st.lines
        ],
        "transfers": [history_out(t) for t in st.transfers],
    }


# ---- exchange ----------------------------------------------------------------------------


@router.get(
    "/exchanges",
    response=_errors({200: list[PointsExchangeOut]}),
    operation_id="nomadcloud_points_api_my_exchanges",
)
def my_exchanges(request: HttpRequest) -> Any:
    """Your exchanges, newest first (the latest 200)."""
    return [exchange_out(x) for x in exchange.exchanges_of(_person(request))]


@router.post(
    "/exchanges/quote",
    response=_errors({200: PointsQuoteOut}),
    operation_id="nomadcloud_points_api_quote",
)
def quote(request: HttpRequest, payload: PointsQuoteIn) -> Any:
    """What exchanging these work units gives now (rate in force, points, bonus, lock,
    expiry, caps); nothing is applied. Refusals are the same as the exchange's."""
    user = _person(request)
    scenario = programme_queries.scenario_for(payload.scenario)
    q = exchange.quote(
        user=user,
        scenario=scenario,
        work_units=exchange.parse_work_units(payload.work_units),
    )
    return {
        "scenario": scenario.code,
        "asset": q.asset.code,
        "scale": q.asset.scale,
        "rate": rate_out(q.rate),
        "work_units": _wu(q.work_units),
        "points": q.points,
        "bonus": q.bonus,
        "total": q.total,
        "total_display": q.formatted(q.total),
        "campaign": f"{q.campaign.code} v{q.campaign.version}" if q.campaign else None,
        "rule_version": q.rule.version if q.rule else None,
        "lot_expires_at": q.lot_expires_at,
        "locked_until": q.locked_until,
        "available_work_units": _wu(q.available_work_units),
        "caps": [
            {"period": c.period, "cap": c.cap, "earned": c.earned, "left": c.left} for c in q.caps
        ],
    }


@router.post(
    "/exchanges",
    response=_errors({200: PointsExchangeOut, 201: PointsExchangeOut}),
    operation_id="nomadcloud_points_api_create_exchange",
)
def create_exchange(request: HttpRequest, payload: PointsExchangeIn) -> Status[Any]:
    """Exchange work units for the points of a scenario at the rate in force: one linked
    transfer chain, all or nothing. ``key`` is yours: a retry with the same key, scenario and
    amount returns the original exchange (200) instead of a new one (201); with a different
    scenario or amount it is refused (409)."""
    principal = Principal.of(request)
    access.wallet_owner(principal)
    scenario = programme_queries.scenario_for(payload.scenario)
    record, created = exchange.exchange(
        principal=principal,
        scenario=scenario,
        work_units=exchange.parse_work_units(payload.work_units),
        key=payload.key,
        expected_rate=payload.rate_id,
    )
    return Status(201 if created else 200, exchange_out(record))
