"""The points API (mounted at /api/v1/points): the person's wallet (balances, lots, what
expires when, history, monthly statements), the scenarios and the rates in force (public),
exchanging work units for points (with a quote first and a client idempotency key), the zone
operator's programme (scenarios, rates, earning rules, campaigns, programme operators,
liability, expiry forecast, shortfalls) and batch transfers for programmes. Handlers only
translate HTTP to service calls."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES, PUBLIC, decode_cursor, encode_cursor
from nomadcloud.core.errors import invalid_field
from nomadcloud.core.i18n import localized
from nomadcloud.points import models as m
from nomadcloud.points.programme import batch
from nomadcloud.points.programme import queries as reports
from nomadcloud.points.programme import services as programme
from nomadcloud.points.schemas import (
    PointsBatchIn,
    PointsBatchOut,
    PointsCampaignIn,
    PointsCampaignOut,
    PointsExchangeIn,
    PointsExchangeOut,
    PointsExpiryOut,
    PointsForecastOut,
    PointsHistoryPageOut,
    PointsLiabilityOut,
    PointsLotOut,
    PointsProgrammeIn,
    PointsProgrammeOut,
    PointsQuoteIn,
    PointsQuoteOut,
    PointsRateIn,
    PointsRateOut,
    PointsRuleIn,
    PointsRuleOut,
    PointsScenarioIn,
    PointsScenarioOut,
    PointsScenarioPatch,
    PointsShortfallOut,
    PointsStatementOut,
    PointsWalletOut,
)
from nomadcloud.points.wallet import queries as wallet
from nomadcloud.points.wallet import services as exchange

router = Router(tags=["points"])
router.add_router("", "nomadcloud.points.merchants.api.router")  # merchants, payments, settlement


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


def _person(request: HttpRequest) -> Any:
    return require_person(Principal.of(request))


# ---- conversions -------------------------------------------------------------------------


def scenario_out(s: m.Scenario) -> dict[str, Any]:
    return {
        "code": s.code,
        "name": localized(s, "name"),
        "name_zh": s.name_zh,
        "name_en": s.name_en,
        "category": s.category,
        "category_label": s.get_category_display(),
        "asset": s.asset_id,
        "own_points": s.asset_id != "ZP",
        "active": s.active,
    }


def rate_out(r: m.Rate) -> dict[str, Any]:
    return {
        "id": r.pk,
        "scenario": r.scenario.code,
        "asset": r.scenario.asset_id,
        "points_per_work_unit": format(r.points_per_work_unit.normalize(), "f"),
        "valid_from": r.valid_from,
        "published_at": r.published_at,
        "note": r.note,
    }


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


def rule_out(r: m.EarningRule) -> dict[str, Any]:
    return {
        "id": r.pk,
        "asset": r.asset_id,
        "version": r.version,
        "valid_from": r.valid_from,
        "day_cap": r.day_cap,
        "week_cap": r.week_cap,
        "month_cap": r.month_cap,
        "lock_days": r.lock_days,
        "expiry_months": r.expiry_months,
        "expiry_days": r.expiry_days,
        "expiry_at_end_of": r.expiry_at_end_of,
        "note": r.note,
        "published_at": r.published_at,
    }


def campaign_out(c: m.Campaign) -> dict[str, Any]:
    return {
        "id": c.pk,
        "code": c.code,
        "version": c.version,
        "valid_from": c.valid_from,
        "asset": c.asset_id,
        "scenario": c.scenario.code if c.scenario else None,
        "name": localized(c, "name"),
        "kind": c.kind,
        "percent": str(c.percent) if c.percent is not None else None,
        "fixed_amount": c.fixed_amount,
        "starts_at": c.starts_at,
        "ends_at": c.ends_at,
        "active": c.active,
    }


# ---- public ------------------------------------------------------------------------------


@router.get("/scenarios", response=_errors({200: list[PointsScenarioOut]}), **PUBLIC)
def list_scenarios(request: HttpRequest) -> Any:
    """The active consumption scenarios and the points they take."""
    return [scenario_out(s) for s in programme.scenarios()]


@router.get("/rates", response=_errors({200: list[PointsRateOut]}), **PUBLIC)
def rates_in_force(request: HttpRequest) -> Any:
    """The exchange rate in force now for every active scenario that has one."""
    return [rate_out(rate) for _s, rate in programme.rates_in_force()]


# ---- the wallet --------------------------------------------------------------------------


@router.get("/wallet", response=_errors({200: PointsWalletOut}))
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


@router.get("/wallet/lots", response=_errors({200: list[PointsLotOut]}))
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


@router.get("/wallet/expiry", response=_errors({200: list[PointsExpiryOut]}))
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


@router.get("/wallet/history", response=_errors({200: PointsHistoryPageOut}))
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


@router.get("/wallet/statement", response=_errors({200: PointsStatementOut}))
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


@router.get("/exchanges", response=_errors({200: list[PointsExchangeOut]}))
def my_exchanges(request: HttpRequest) -> Any:
    """Your exchanges, newest first (the latest 200)."""
    return [exchange_out(x) for x in exchange.exchanges_of(_person(request))]


@router.post("/exchanges/quote", response=_errors({200: PointsQuoteOut}))
def quote(request: HttpRequest, payload: PointsQuoteIn) -> Any:
    """What exchanging these work units gives now (rate in force, points, bonus, lock,
    expiry, caps); nothing is applied. Refusals are the same as the exchange's."""
    user = _person(request)
    scenario = programme.scenario_for(payload.scenario)
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


@router.post("/exchanges", response=_errors({200: PointsExchangeOut, 201: PointsExchangeOut}))
def create_exchange(request: HttpRequest, payload: PointsExchangeIn) -> Status[Any]:
    """Exchange work units for the points of a scenario at the rate in force: one linked
    transfer chain, all or nothing. ``key`` is yours: a retry with the same key, scenario and
    amount returns the original exchange (200) instead of a new one (201); with a different
    scenario or amount it is refused (409)."""
    principal = Principal.of(request)
    require_person(principal)
    scenario = programme.scenario_for(payload.scenario)
    record, created = exchange.exchange(
        principal=principal,
        scenario=scenario,
        work_units=exchange.parse_work_units(payload.work_units),
        key=payload.key,
        expected_rate=payload.rate_id,
    )
    return Status(201 if created else 200, exchange_out(record))


# ---- the zone operator -------------------------------------------------------------------


def _operator(request: HttpRequest, *, write: bool = False) -> Principal:
    principal = Principal.of(request)
    programme.operator(principal, write=write)
    return principal


@router.get("/operator/scenarios", response=_errors({200: list[PointsScenarioOut]}))
def operator_scenarios(request: HttpRequest) -> Any:
    """Every scenario, active or not (zone operator)."""
    _operator(request)
    return [scenario_out(s) for s in programme.scenarios(active_only=False)]


@router.post("/operator/scenarios", response=_errors({201: PointsScenarioOut}))
def create_scenario(request: HttpRequest, payload: PointsScenarioIn) -> Status[Any]:
    """Create a scenario spending zone points, or running its own points (``own_points``:
    an asset ``S-<CODE>`` is created with ``own_scale`` places and lots expiring
    ``own_expiry_months`` after crediting)."""
    principal = _operator(request, write=True)
    scenario = programme.create_scenario(principal=principal, **payload.dict())
    return Status(201, scenario_out(scenario))


@router.patch("/operator/scenarios/{code}", response=_errors({200: PointsScenarioOut}))
def update_scenario(request: HttpRequest, code: str, payload: PointsScenarioPatch) -> Any:
    """Rename, recategorise, deactivate (``active: false``) or reactivate a scenario."""
    principal = _operator(request, write=True)
    scenario = programme.scenario_by_code(code)
    updated = programme.update_scenario(
        principal=principal, scenario=scenario, **payload.dict(exclude_unset=True)
    )
    return scenario_out(updated)


class ScenarioQuery(Schema):
    scenario: str | None = None


@router.get("/operator/rates", response=_errors({200: list[PointsRateOut]}))
def rate_history(request: HttpRequest, filters: Query[ScenarioQuery]) -> Any:
    """Every published rate, latest first (of one scenario with ``scenario``)."""
    _operator(request)
    scenario = None
    if filters.scenario:
        scenario = programme.scenario_for(filters.scenario, active_only=False)
    return [rate_out(r) for r in programme.rate_history(scenario)]


@router.post("/operator/rates", response=_errors({201: PointsRateOut}))
def publish_rate(request: HttpRequest, payload: PointsRateIn) -> Status[Any]:
    """Publish a new dated rate (immutable; a correction is a new rate). It takes effect at
    ``valid_from`` (now by default, never in the past)."""
    principal = _operator(request, write=True)
    rate = programme.publish_rate(
        principal=principal,
        scenario=programme.scenario_for(payload.scenario, active_only=False),
        points_per_work_unit=payload.points_per_work_unit,
        valid_from=payload.valid_from,
        note=payload.note,
    )
    return Status(201, rate_out(rate))


@router.get("/operator/rules", response=_errors({200: list[PointsRuleOut]}))
def rules(request: HttpRequest) -> Any:
    """Every version of the earning rules, per asset, latest first."""
    _operator(request)
    return [rule_out(r) for r in programme.rule_history()]


@router.post("/operator/rules", response=_errors({201: PointsRuleOut}))
def publish_rule(request: HttpRequest, payload: PointsRuleIn) -> Status[Any]:
    """Publish a new version of an asset's earning rules: caps per person per day, week and
    month (smallest units), lock period in days, expiry of credited points."""
    principal = _operator(request, write=True)
    data = payload.dict()
    rule = programme.publish_rule(principal=principal, asset_code=data.pop("asset"), **data)
    return Status(201, rule_out(rule))


@router.get("/operator/campaigns", response=_errors({200: list[PointsCampaignOut]}))
def campaigns(request: HttpRequest) -> Any:
    """Every version of every campaign."""
    _operator(request)
    return [campaign_out(c) for c in programme.campaign_history()]


@router.post("/operator/campaigns", response=_errors({201: PointsCampaignOut}))
def publish_campaign(request: HttpRequest, payload: PointsCampaignIn) -> Status[Any]:
    """A new campaign, or a new version of one (same ``code``): a percentage or fixed bonus
    on exchanges between ``starts_at`` and ``ends_at``; ``active: false`` ends it."""
    principal = _operator(request, write=True)
    data = payload.dict()
    scenario_code = data.pop("scenario")
    scenario = programme.scenario_for(scenario_code, active_only=False) if scenario_code else None
    campaign = programme.publish_campaign(
        principal=principal, scenario=scenario, asset_code=data.pop("asset") or "", **data
    )
    return Status(201, campaign_out(campaign))


@router.get("/operator/liability", response=_errors({200: list[PointsLiabilityOut]}))
def liability(request: HttpRequest) -> Any:
    """Outstanding points per asset (− the sum of its system accounts), broken down into what
    persons can spend, hold in payments or have expired (not yet swept), what organisations
    and others hold, and the locked points on top."""
    _operator(request)
    return [
        {
            "asset": row.asset.code,
            "label": row.label,
            "scale": row.asset.scale,
            "outstanding": row.outstanding,
            "persons": row.persons,
            "persons_spendable": row.persons_spendable,
            "persons_held": row.persons_held,
            "persons_expired": row.persons_expired,
            "organisations": row.organisations,
            "others": row.others,
            "locked": row.locked,
            "with_locked": row.with_locked,
            "balanced": row.balanced,
        }
        for row in reports.liability()
    ]


@router.get("/operator/forecast", response=_errors({200: list[PointsForecastOut]}))
def forecast(request: HttpRequest) -> Any:
    """Points expiring in each of the next 12 months per asset (open lots, and locked points
    with the expiry they will carry), and what has expired but not yet been swept."""
    _operator(request)
    return [
        {
            "asset": row.asset.code,
            "label": row.label,
            "scale": row.asset.scale,
            "overdue": row.overdue,
            "months": [
                {"month": month, "expiring": lots, "locked": locked}
                for month, lots, locked in row.months
            ],
        }
        for row in reports.forecast()
    ]


@router.get("/operator/shortfalls", response=_errors({200: list[PointsShortfallOut]}))
def shortfalls(request: HttpRequest) -> Any:
    """Revoked proofs of work whose work units had already been exchanged: what could not be
    taken back."""
    _operator(request)
    return [
        {
            "credential": c.credential,
            "person": c.user.pseudonym,
            "amount": _wu(c.amount),
            "reclaimed": _wu(c.reclaimed),
            "shortfall": _wu(c.shortfall),
            "revoked_at": c.revoked_at,
        }
        for c in reports.shortfalls()
    ]


def programme_out(row: m.ProgrammeOperator) -> dict[str, Any]:
    return {
        "organisation": row.organisation.public_id,
        "organisation_name": str(row.organisation),
        "asset": row.asset_id,
        "active": row.active,
        "granted_at": row.granted_at,
    }


@router.get("/operator/programmes", response=_errors({200: list[PointsProgrammeOut]}))
def programme_operators(request: HttpRequest) -> Any:
    """Organisations authorised to post batch transfers, per asset."""
    _operator(request)
    return [programme_out(row) for row in programme.programme_operators()]


@router.post("/operator/programmes", response=_errors({200: PointsProgrammeOut}))
def authorise_programme(request: HttpRequest, payload: PointsProgrammeIn) -> Any:
    """Authorise an organisation (``active: true``) or withdraw its authority to post
    transfers of an asset through the batch endpoint with its API keys."""
    principal = _operator(request, write=True)
    row = programme.authorise_programme(
        principal=principal,
        organisation=programme.organisation_by_id(payload.organisation),
        asset_code=payload.asset,
        active=payload.active,
    )
    return programme_out(row)


# ---- batch transfers ---------------------------------------------------------------------


@router.post("/transfers/batch", response=_errors({200: PointsBatchOut}))
def transfers_batch(request: HttpRequest, payload: PointsBatchIn) -> Any:
    """Up to 8,000 transfer requests at once (``transfer``, ``hold``, ``post``, ``void``,
    ``reversal``; ``linked`` chains a request to the next: all or none), applied by the
    ledger. One result per request: ``created``, ``exists`` (a retry) or ``refused`` with a
    reason code and a localized message. For the zone operator, and for API keys of
    organisations authorised as programme operators of an asset (see docs/points.md)."""
    results = batch.submit_batch(
        principal=Principal.of(request),
        items=[batch.Item(**item.dict()) for item in payload.transfers],
    )
    return {"results": results}
