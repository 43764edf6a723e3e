"""The programme API (mounted at /api/v1/points): the scenarios and the rates in force
(public), the zone operator's programme (scenarios, rates, earning rules, campaigns,
programme operators, liability, expiry forecast, shortfalls) and batch transfers for
programmes. Handlers only translate HTTP to service calls."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES
from nomadcloud.core.i18n import localized
from nomadcloud.points import access, book
from nomadcloud.points import models as m
from nomadcloud.points.programme import batch, queries
from nomadcloud.points.programme import services as programme
from nomadcloud.points.programme.schemas import (
    PointsBatchIn,
    PointsBatchOut,
    PointsCampaignIn,
    PointsCampaignOut,
    PointsForecastOut,
    PointsLiabilityOut,
    PointsProgrammeIn,
    PointsProgrammeOut,
    PointsRateIn,
    PointsRateOut,
    PointsRuleIn,
    PointsRuleOut,
    PointsScenarioIn,
    PointsScenarioOut,
    PointsScenarioPatch,
    PointsShortfallOut,
)

# Operation ids are explicit: they were derived from the module path before the points app
# grew wings (``nomadcloud.points.api``) and generated clients depend on them.
router = Router()


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


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
    return programme.format_amount(hundredths, book.WORK_UNIT_SCALE)


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


@router.get(
    "/scenarios",
    response=_errors({200: list[PointsScenarioOut]}),
    **PUBLIC,
    operation_id="nomadcloud_points_api_list_scenarios",
)
def list_scenarios(request: HttpRequest) -> Any:
    """The active consumption scenarios and the points they take."""
    return [scenario_out(s) for s in queries.scenarios()]


@router.get(
    "/rates",
    response=_errors({200: list[PointsRateOut]}),
    **PUBLIC,
    operation_id="nomadcloud_points_api_rates_in_force",
)
def rates_in_force(request: HttpRequest) -> Any:
    """The exchange rate in force now for every active scenario that has one."""
    return [rate_out(rate) for _s, rate in queries.rates_in_force()]


# ---- the zone operator -------------------------------------------------------------------


def _operator(request: HttpRequest, *, write: bool = False) -> Principal:
    principal = Principal.of(request)
    access.operator(principal, write=write)
    return principal


@router.get(
    "/operator/scenarios",
    response=_errors({200: list[PointsScenarioOut]}),
    operation_id="nomadcloud_points_api_operator_scenarios",
)
def operator_scenarios(request: HttpRequest) -> Any:
    """Every scenario, active or not (zone operator)."""
    _operator(request)
    return [scenario_out(s) for s in queries.scenarios(active_only=False)]


@router.post(
    "/operator/scenarios",
    response=_errors({201: PointsScenarioOut}),
    operation_id="nomadcloud_points_api_create_scenario",
)
def create_scenario(request: HttpRequest, payload: PointsScenarioIn) -> Status[Any]:
    """Create a scenario spending zone points, or running its own points (``own_points``:
    an asset ``S-<CODE>`` is created with ``own_scale`` places and lots expiring
    ``own_expiry_months`` after crediting)."""
    principal = _operator(request, write=True)
    scenario = programme.create_scenario(principal=principal, **payload.dict())
    return Status(201, scenario_out(scenario))


@router.patch(
    "/operator/scenarios/{code}",
    response=_errors({200: PointsScenarioOut}),
    operation_id="nomadcloud_points_api_update_scenario",
)
def update_scenario(request: HttpRequest, code: str, payload: PointsScenarioPatch) -> Any:
    """Rename, recategorise, deactivate (``active: false``) or reactivate a scenario."""
    principal = _operator(request, write=True)
    scenario = queries.scenario_by_code(code)
    updated = programme.update_scenario(
        principal=principal, scenario=scenario, **payload.dict(exclude_unset=True)
    )
    return scenario_out(updated)


class ScenarioQuery(Schema):
    scenario: str | None = None


@router.get(
    "/operator/rates",
    response=_errors({200: list[PointsRateOut]}),
    operation_id="nomadcloud_points_api_rate_history",
)
def rate_history(request: HttpRequest, filters: Query[ScenarioQuery]) -> Any:
    """Every published rate, latest first (of one scenario with ``scenario``)."""
    _operator(request)
    scenario = None
    if filters.scenario:
        scenario = queries.scenario_for(filters.scenario, active_only=False)
    return [rate_out(r) for r in queries.rate_history(scenario)]


@router.post(
    "/operator/rates",
    response=_errors({201: PointsRateOut}),
    operation_id="nomadcloud_points_api_publish_rate",
)
def publish_rate(request: HttpRequest, payload: PointsRateIn) -> Status[Any]:
    """Publish a new dated rate (immutable; a correction is a new rate). It takes effect at
    ``valid_from`` (now by default, never in the past)."""
    principal = _operator(request, write=True)
    rate = programme.publish_rate(
        principal=principal,
        scenario=queries.scenario_for(payload.scenario, active_only=False),
        points_per_work_unit=payload.points_per_work_unit,
        valid_from=payload.valid_from,
        note=payload.note,
    )
    return Status(201, rate_out(rate))


@router.get(
    "/operator/rules",
    response=_errors({200: list[PointsRuleOut]}),
    operation_id="nomadcloud_points_api_rules",
)
def rules(request: HttpRequest) -> Any:
    """Every version of the earning rules, per asset, latest first."""
    _operator(request)
    return [rule_out(r) for r in queries.rule_history()]


@router.post(
    "/operator/rules",
    response=_errors({201: PointsRuleOut}),
    operation_id="nomadcloud_points_api_publish_rule",
)
def publish_rule(request: HttpRequest, payload: PointsRuleIn) -> Status[Any]:
    """Publish a new version of an asset's earning rules: caps per person per day, week and
    month (smallest units), lock period in days, expiry of credited points."""
    principal = _operator(request, write=True)
    data = payload.dict()
    rule = programme.publish_rule(principal=principal, asset_code=data.pop("asset"), **data)
    return Status(201, rule_out(rule))


@router.get(
    "/operator/campaigns",
    response=_errors({200: list[PointsCampaignOut]}),
    operation_id="nomadcloud_points_api_campaigns",
)
def campaigns(request: HttpRequest) -> Any:
    """Every version of every campaign."""
    _operator(request)
    return [campaign_out(c) for c in queries.campaign_history()]


@router.post(
    "/operator/campaigns",
    response=_errors({201: PointsCampaignOut}),
    operation_id="nomadcloud_points_api_publish_campaign",
)
def publish_campaign(request: HttpRequest, payload: PointsCampaignIn) -> Status[Any]:
    """A new campaign, or a new version of one (same ``code``): a percentage or fixed bonus
    on exchanges between ``starts_at`` and ``ends_at``; ``active: false`` ends it."""
    principal = _operator(request, write=True)
    data = payload.dict()
    scenario_code = data.pop("scenario")
    scenario = queries.scenario_for(scenario_code, active_only=False) if scenario_code else None
    campaign = programme.publish_campaign(
        principal=principal, scenario=scenario, asset_code=data.pop("asset") or "", **data
    )
    return Status(201, campaign_out(campaign))


@router.get(
    "/operator/liability",
    response=_errors({200: list[PointsLiabilityOut]}),
    operation_id="nomadcloud_points_api_liability",
)
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
        for row in queries.liability()
    ]


@router.get(
    "/operator/forecast",
    response=_errors({200: list[PointsForecastOut]}),
    operation_id="nomadcloud_points_api_forecast",
)
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
        for row in queries.forecast()
    ]


@router.get(
    "/operator/shortfalls",
    response=_errors({200: list[PointsShortfallOut]}),
    operation_id="nomadcloud_points_api_shortfalls",
)
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
        for c in queries.shortfalls()
    ]


def programme_out(row: m.ProgrammeOperator) -> dict[str, Any]:
    return {
        "organisation": row.organisation.public_id,
        "organisation_name": str(row.organisation),
        "asset": row.asset_id,
        "active": row.active,
        "granted_at": row.granted_at,
    }


@router.get(
    "/operator/programmes",
    response=_errors({200: list[PointsProgrammeOut]}),
    operation_id="nomadcloud_points_api_programme_operators",
)
def programme_operators(request: HttpRequest) -> Any:
    """Organisations authorised to post batch transfers, per asset."""
    _operator(request)
    return [programme_out(row) for row in queries.programme_operators()]


@router.post(
    "/operator/programmes",
    response=_errors({200: PointsProgrammeOut}),
    operation_id="nomadcloud_points_api_authorise_programme",
)
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


@router.post(
    "/transfers/batch",
    response=_errors({200: PointsBatchOut}),
    operation_id="nomadcloud_points_api_transfers_batch",
)
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
