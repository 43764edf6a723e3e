"""The merchants part of /api/v1/points: payment codes (people), the cashier (hold, confirm,
cancel, refund, list), merchants' settlement statements (JSON and CSV), and the zone
operator's merchant registry, settlement rates and all statements of a day. Amounts are
integers in the asset's smallest unit (``amount_display`` shows them with decimal places);
CNY are decimal strings. Handlers only translate HTTP to service calls."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from nomadcloud.accounts.access import require_person, require_zone_operator
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import idempotency
from nomadcloud.core.api import ERROR_RESPONSES
from nomadcloud.core.i18n import localized
from nomadcloud.points import access
from nomadcloud.points import models as m
from nomadcloud.points.access import Action
from nomadcloud.points.merchants import queries
from nomadcloud.points.merchants.schemas import (
    MerchantIn,
    MerchantOut,
    MerchantPatch,
    MerchantPaymentIn,
    MerchantPaymentOut,
    MerchantPaymentQuery,
    MerchantRefundIn,
    MerchantRefundOut,
    MerchantStatementDetailOut,
    MerchantStatementOut,
    PayCodeIn,
    PayCodeOut,
    SettlementDayQuery,
    SettlementRateIn,
    SettlementRateOut,
)
from nomadcloud.points.merchants.services import payments, settlement
from nomadcloud.points.merchants.services import registry as merchants
from nomadcloud.points.programme import queries as programme_queries

# Operation ids are explicit: they were derived from the module path before the points app
# grew wings (``nomadcloud.points.merchant_api``) and generated clients depend on them.
router = Router(tags=["points: merchants"])

CSV_RESPONSE = {
    "responses": {
        200: {
            "description": "CSV (UTF-8 with a byte-order mark; stable English column names).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


# ---- serialisation -----------------------------------------------------------------------


def _merchant(merchant: m.Merchant) -> dict[str, Any]:
    scenario = merchant.scenario
    return {
        "organisation": merchant.organisation.public_id,
        "name": str(merchant.organisation),
        "scenario": scenario.code,
        "scenario_name": localized(scenario, "name"),
        "category": scenario.category,
        "asset": scenario.asset_id,
        "active": merchant.active,
        "awaiting_settlement": queries.balance_of(merchant),
    }


def _refund(refund: m.Refund, asset: m.Asset) -> dict[str, Any]:
    return {
        "id": refund.public_id,
        "amount": refund.amount,
        "amount_display": payments.amount_text(asset, refund.amount),
        "reason": refund.reason,
        "after_settlement": refund.from_settlement,
        "created_at": refund.created_at,
    }


def _payment(payment: m.Payment) -> dict[str, Any]:
    return {
        "id": payment.public_id,
        "status": queries.shown_status(payment),
        "person": queries.masked_person(payment),
        "asset": payment.asset_id,
        "amount": payment.amount,
        "amount_display": payments.amount_text(payment.asset, payment.amount),
        "refunded": payment.refunded,
        "refundable": payment.refundable,
        "created_at": payment.created_at,
        "expires_at": payment.expires_at,
        "resolved_at": payment.resolved_at,
        "settled": payment.statement_id is not None,
        "refunds": [_refund(r, payment.asset) for r in payment.refunds.all()],
    }


def _statement(statement: m.Statement) -> dict[str, Any]:
    organisation = statement.merchant.organisation
    return {
        "id": statement.public_id,
        "merchant": organisation.public_id,
        "merchant_name": str(organisation),
        "day": statement.day,
        "asset": statement.asset_id,
        "cny_per_point": str(statement.rate),
        "rate_effective_from": statement.rate_effective_from,
        "payments": statement.payments,
        "refunds": statement.refunds,
        "accepted": statement.accepted,
        "refunded": statement.refunded,
        "net": statement.net,
        "payable_cny": str(statement.payable_cny),
        "settled_points": statement.settled_points,
        "transfer_id": statement.transfer_id,
        "created_at": statement.created_at,
    }


def _rate(rate: m.SettlementRate) -> dict[str, Any]:
    return {
        "asset": rate.asset_id,
        "effective_from": rate.effective_from,
        "cny_per_point": str(rate.cny_per_point),
        "published_at": rate.published_at,
    }


def _csv(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---- paying ------------------------------------------------------------------------------


@router.post(
    "/pay/codes",
    response=_errors({201: PayCodeOut}),
    operation_id="nomadcloud_points_merchant_api_create_code",
)
def create_code(request: HttpRequest, payload: PayCodeIn) -> Status[Any]:
    """A new one-time payment code for an asset that merchants accept (valid for a few
    minutes, used once; it replaces your earlier code for the same asset)."""
    principal = Principal.of(request)
    require_person(principal)
    issued = payments.issue_code(principal=principal, asset=payments.spendable_asset(payload.asset))
    return Status(
        201,
        {
            "code": issued.code,
            "grouped": issued.grouped,
            "asset": issued.asset.code,
            "expires_at": issued.expires_at,
            "qr_svg": issued.qr_svg,
        },
    )


# ---- the operator's registry -------------------------------------------------------------


@router.get(
    "/merchants",
    response=_errors({200: list[MerchantOut]}),
    operation_id="nomadcloud_points_merchant_api_list_merchants",
)
def list_merchants(request: HttpRequest) -> Any:
    """Every registered merchant (the zone operator)."""
    require_zone_operator(Principal.of(request))
    return [_merchant(mr) for mr in queries.registry()]


@router.post(
    "/merchants",
    response=_errors({201: MerchantOut}),
    operation_id="nomadcloud_points_merchant_api_register_merchant",
)
def register_merchant(request: HttpRequest, payload: MerchantIn) -> Status[Any]:
    """Register a verified merchant organisation into a consumption scenario (the zone
    operator)."""
    principal = Principal.of(request)
    access.operator(principal, write=True)
    merchant = merchants.register_merchant(
        principal=principal,
        organisation=merchants.organisation_by_id(payload.organisation),
        scenario=programme_queries.scenario_for(payload.scenario),
    )
    return Status(201, _merchant(merchant))


@router.get(
    "/merchants/{org_id}",
    response=_errors({200: MerchantOut}),
    operation_id="nomadcloud_points_merchant_api_get_merchant",
)
def get_merchant(request: HttpRequest, org_id: UUID) -> Any:
    """A merchant: its scenario, asset and the points awaiting settlement (its members and
    the zone operator)."""
    return _merchant(access.merchant_for(Principal.of(request), org_id, Action.VIEW))


@router.patch(
    "/merchants/{org_id}",
    response=_errors({200: MerchantOut}),
    operation_id="nomadcloud_points_merchant_api_update_merchant",
)
def update_merchant(request: HttpRequest, org_id: UUID, payload: MerchantPatch) -> Any:
    """Move a merchant to another scenario, or stop/resume its accepting points (the zone
    operator)."""
    principal = Principal.of(request)
    access.operator(principal, write=True)
    merchant = access.merchant_for(principal, org_id, Action.VIEW)
    scenario = programme_queries.scenario_for(payload.scenario) if payload.scenario else None
    merchant = merchants.update_merchant(
        principal=principal, merchant=merchant, scenario=scenario, active=payload.active
    )
    return _merchant(merchant)


# ---- the cashier -------------------------------------------------------------------------


@router.post(
    "/merchants/{org_id}/payments",
    response=_errors({201: MerchantPaymentOut}),
    operation_id="nomadcloud_points_merchant_api_start_payment",
)
def start_payment(request: HttpRequest, org_id: UUID, payload: MerchantPaymentIn) -> Status[Any]:
    """Enter the customer's code and the amount: holds the points and shows the payer's
    masked name for confirmation (cashiers: owner, administrator, member)."""
    principal = Principal.of(request)
    merchant = access.merchant_for(principal, org_id, Action.CASHIER)
    payment = payments.start_payment(
        principal=principal, merchant=merchant, code=payload.code, amount=payload.amount
    )
    return Status(201, _payment(payment))


@router.get(
    "/merchants/{org_id}/payments",
    response=_errors({200: list[MerchantPaymentOut]}),
    operation_id="nomadcloud_points_merchant_api_list_payments",
)
def list_payments(request: HttpRequest, org_id: UUID, query: Query[MerchantPaymentQuery]) -> Any:
    """The payments taken on a zone day (default today), newest first."""
    merchant = access.merchant_for(Principal.of(request), org_id, Action.VIEW)
    day = query.day or settlement.today()
    return [_payment(p) for p in queries.payments_on(merchant, day)]


@router.get(
    "/merchants/{org_id}/payments/{payment_id}",
    response=_errors({200: MerchantPaymentOut}),
    operation_id="nomadcloud_points_merchant_api_get_payment",
)
def get_payment(request: HttpRequest, org_id: UUID, payment_id: UUID) -> Any:
    merchant = access.merchant_for(Principal.of(request), org_id, Action.VIEW)
    return _payment(queries.payment_for(merchant, payment_id))


@router.post(
    "/merchants/{org_id}/payments/{payment_id}/confirm",
    response=_errors({200: MerchantPaymentOut}),
    operation_id="nomadcloud_points_merchant_api_confirm_payment",
)
def confirm_payment(request: HttpRequest, org_id: UUID, payment_id: UUID) -> Any:
    """Confirm a held payment: the points are the merchant's."""
    principal = Principal.of(request)
    merchant = access.merchant_for(principal, org_id, Action.CASHIER)
    payment = queries.payment_for(merchant, payment_id)
    return _payment(payments.confirm_payment(principal=principal, payment=payment))


@router.post(
    "/merchants/{org_id}/payments/{payment_id}/cancel",
    response=_errors({200: MerchantPaymentOut}),
    operation_id="nomadcloud_points_merchant_api_cancel_payment",
)
def cancel_payment(request: HttpRequest, org_id: UUID, payment_id: UUID) -> Any:
    """Cancel a held payment: the points go back to the customer."""
    principal = Principal.of(request)
    merchant = access.merchant_for(principal, org_id, Action.CASHIER)
    payment = queries.payment_for(merchant, payment_id)
    return _payment(payments.cancel_payment(principal=principal, payment=payment))


@router.post(
    "/merchants/{org_id}/payments/{payment_id}/refunds",
    response=_errors({201: MerchantRefundOut}),
    operation_id="nomadcloud_points_merchant_api_refund_payment",
)
def refund_payment(
    request: HttpRequest, org_id: UUID, payment_id: UUID, payload: MerchantRefundIn
) -> Status[Any]:
    """Refund all or part of what is left of a confirmed payment, with a reason; the
    customer is notified."""
    principal = Principal.of(request)
    merchant = access.merchant_for(principal, org_id, Action.CASHIER)
    payment = queries.payment_for(merchant, payment_id)
    refund = payments.refund_payment(
        principal=principal,
        payment=payment,
        amount=payload.amount,
        reason=payload.reason,
        request_key=request.headers.get(idempotency.HEADER, ""),
    )
    return Status(201, _refund(refund, payment.asset))


# ---- statements --------------------------------------------------------------------------


@router.get(
    "/merchants/{org_id}/statements",
    response=_errors({200: list[MerchantStatementOut]}),
    operation_id="nomadcloud_points_merchant_api_list_statements",
)
def list_statements(request: HttpRequest, org_id: UUID) -> Any:
    """The merchant's daily settlement statements, newest first."""
    merchant = access.merchant_for(Principal.of(request), org_id, Action.VIEW)
    return [_statement(s) for s in queries.statements_of(merchant)]


@router.get(
    "/merchants/{org_id}/statements/{statement_id}",
    response=_errors({200: MerchantStatementDetailOut}),
    operation_id="nomadcloud_points_merchant_api_get_statement",
)
def get_statement(request: HttpRequest, org_id: UUID, statement_id: UUID) -> Any:
    """A statement with its payments and refunds (points signed)."""
    merchant = access.merchant_for(Principal.of(request), org_id, Action.VIEW)
    statement = queries.statement_for(merchant, statement_id)
    return {
        **_statement(statement),
        "lines": [
            {"kind": line.kind, "reference": line.reference, "at": line.at, "points": line.points}
            for line in settlement.lines(statement)
        ],
    }


@router.get(
    "/merchants/{org_id}/statements/{statement_id}/csv",
    response=ERROR_RESPONSES,
    openapi_extra=CSV_RESPONSE,
    operation_id="nomadcloud_points_merchant_api_statement_csv",
)
def statement_csv(request: HttpRequest, org_id: UUID, statement_id: UUID) -> HttpResponse:
    """The statement as CSV: payments, refunds, then accepted, refunded and net (with the
    CNY payable)."""
    merchant = access.merchant_for(Principal.of(request), org_id, Action.VIEW)
    statement = queries.statement_for(merchant, statement_id)
    return _csv(settlement.statement_csv(statement), settlement.csv_filename(statement))


# ---- the operator: rates and all statements ------------------------------------------------


@router.get(
    "/settlement/rates",
    response=_errors({200: list[SettlementRateOut]}),
    operation_id="nomadcloud_points_merchant_api_list_rates",
)
def list_rates(request: HttpRequest) -> Any:
    """The published settlement rates (CNY per point), newest first per asset."""
    require_person(Principal.of(request))
    return [_rate(r) for r in settlement.rates()]


@router.post(
    "/settlement/rates",
    response=_errors({201: SettlementRateOut}),
    operation_id="nomadcloud_points_merchant_api_publish_rate",
)
def publish_rate(request: HttpRequest, payload: SettlementRateIn) -> Status[Any]:
    """Publish the settlement rate of an asset from a zone day on (the zone operator). Days
    already settled keep the rate their statements copied."""
    principal = Principal.of(request)
    access.operator(principal, write=True)
    asset = payments.spendable_asset(payload.asset)
    rate = settlement.publish_rate(
        principal=principal,
        asset=asset,
        effective_from=payload.effective_from,
        cny_per_point=payload.cny_per_point,
    )
    return Status(201, _rate(rate))


def _day(query: SettlementDayQuery) -> date:
    return query.day or settlement.yesterday()


@router.get(
    "/settlement/statements",
    response=_errors({200: list[MerchantStatementOut]}),
    operation_id="nomadcloud_points_merchant_api_day_statements",
)
def day_statements(request: HttpRequest, query: Query[SettlementDayQuery]) -> Any:
    """Every merchant's statements of a zone day (the zone operator; default yesterday)."""
    require_zone_operator(Principal.of(request))
    return [_statement(s) for s in queries.statements_on(_day(query))]


@router.get(
    "/settlement/statements/csv",
    response=ERROR_RESPONSES,
    openapi_extra=CSV_RESPONSE,
    operation_id="nomadcloud_points_merchant_api_day_statements_csv",
)
def day_statements_csv(request: HttpRequest, query: Query[SettlementDayQuery]) -> HttpResponse:
    """Every merchant's statements of a zone day as CSV, one row each."""
    require_zone_operator(Principal.of(request))
    day = _day(query)
    return _csv(
        settlement.statements_csv(queries.statements_on(day)),
        f"settlement-{day.isoformat()}.csv",
    )
