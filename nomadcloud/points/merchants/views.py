"""Pages for paying at merchants: the nomad's Pay page (a one-time code as QR and digits),
the cashier's page (usable on a phone: enter code and amount, confirm or cancel, today's
payments, refunds), the merchant's page with its settlement statements (CSV), and the zone
operator's merchants page (registry, settlement rates, all statements of a day). Views
fetch objects through the access chokepoints, parse input with a form and call one
service."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from nomadcloud.accounts.access import is_zone_operator, require_person, require_zone_operator
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import DomainError, InvalidInput
from nomadcloud.core.pages import apply_error, confirm_page, domain_errors, require_confirmation
from nomadcloud.points import access
from nomadcloud.points import models as m
from nomadcloud.points.access import Action
from nomadcloud.points.merchants import queries
from nomadcloud.points.merchants.forms import (
    CashierForm,
    CodeForm,
    RateForm,
    RefundForm,
    RegisterForm,
    UpdateForm,
)
from nomadcloud.points.merchants.services import payments, settlement
from nomadcloud.points.merchants.services import registry as merchants
from nomadcloud.points.programme import queries as programme_queries
from nomadcloud.points.programme import services as programme


def _principal(request: HttpRequest) -> Principal:
    return Principal.of(request)


def _invalid(form: forms.Form) -> InvalidInput:
    fields = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
    return InvalidInput(_("Some fields are not valid."), fields=fields)


# ---- the nomad: Pay ----------------------------------------------------------------------


@login_required
@domain_errors
def pay(request: HttpRequest) -> HttpResponse:
    """GET: choose the points to pay with. POST: a new code, shown once (a reload makes a
    new one)."""
    principal = _principal(request)
    user = require_person(principal)
    assets = payments.spendable_assets()
    issued = None
    if request.method == "POST":
        form = CodeForm(request.POST)
        if not form.is_valid():
            raise _invalid(form)
        asset = payments.spendable_asset(form.cleaned_data["asset"])
        issued = payments.issue_code(principal=principal, asset=asset)
    recent = queries.recent_payments_of(user)
    return render(
        request,
        "points/merchant/pay.html",
        {
            "assets": [
                {
                    "code": a.code,
                    "label": programme.asset_label(a.code),
                    "balance": payments.amount_text(a, payments.balance(user, a)),
                }
                for a in assets
            ],
            "issued": issued,
            "recent": [
                {
                    "payment": p,
                    "status": queries.shown_status(p),
                    "amount": payments.amount_text(p.asset, p.amount),
                    "refunded": payments.amount_text(p.asset, p.refunded),
                }
                for p in recent
            ],
            "lifetime": max(1, settings.POINTS_PAYMENT_CODE_SECONDS // 60),
        },
    )


@login_required
@require_GET
def pay_status(request: HttpRequest, code_id: int) -> JsonResponse:
    """What became of one of the person's payment codes, polled by the Pay page (every 1.5 s
    by points/pay-status.js) so that it changes as soon as the cashier takes the payment.
    Answers only the person whose code it is: anyone else gets 404."""
    user = require_person(_principal(request))
    code = m.PaymentCode.objects.filter(pk=code_id, person=user).first()
    if code is None:
        raise Http404(_("No such payment code."))
    payment = queries.payment_of_code(code)
    now = timezone.now()
    body: dict[str, Any] = {"state": "waiting", "payment": None, "final": False}
    if payment is not None:
        status = queries.shown_status(payment, now)
        body["state"] = "taken"
        body["final"] = status != m.Payment.Status.HELD
        body["payment"] = {
            "id": str(payment.public_id),
            "status": status,
            "amount": payments.amount_text(payment.asset, payment.amount),
            "asset": payment.asset_id,
            "merchant": str(payment.merchant.organisation),
        }
        body["message"] = {
            "held": _("%(merchant)s took %(amount)s; waiting for the cashier to confirm."),
            "confirmed": _("Paid: %(amount)s to %(merchant)s."),
            "cancelled": _("%(merchant)s cancelled the payment; nothing was taken."),
            "expired": _("The payment timed out; the points went back."),
        }.get(status, "") % {
            "merchant": payment.merchant.organisation,
            "amount": f"{body['payment']['amount']} {programme.asset_label(payment.asset_id)}",
        }
    elif code.state == m.PaymentCode.State.REPLACED:
        body.update(state="replaced", final=True, message=_("A newer code replaced this one."))
    elif code.expires_at <= now:
        body.update(
            state="expired", final=True, message=_("This code has expired; make a new one.")
        )
    else:
        body["message"] = _("Waiting for the cashier to scan the code…")
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response


# ---- the cashier -------------------------------------------------------------------------


@login_required
@domain_errors
def cashier_home(request: HttpRequest) -> HttpResponse:
    """The merchants the person works for (one: straight to its cashier page)."""
    user = require_person(_principal(request))
    mine = queries.merchants_of(user)
    if len(mine) == 1:
        return redirect("points:merchant_cashier", mine[0].organisation.public_id)
    return render(request, "points/merchant/cashier_home.html", {"merchants": mine})


def _payment_rows(merchant: m.Merchant, day: date) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "payment": p,
            "status": queries.shown_status(p, now),
            "person": queries.masked_person(p),
            "amount": payments.amount_text(p.asset, p.amount),
            "refunded": payments.amount_text(p.asset, p.refunded),
            "refundable": payments.amount_text(p.asset, p.refundable),
        }
        for p in queries.payments_on(merchant, day)
    ]


def _cashier_page(
    request: HttpRequest, merchant: m.Merchant, form: CashierForm | None = None, status: int = 200
) -> HttpResponse:
    principal = _principal(request)
    asset = merchant.scenario.asset
    return render(
        request,
        "points/merchant/cashier.html",
        {
            "merchant": merchant,
            "org": merchant.organisation,
            "asset_label": programme.asset_label(asset.code),
            "scale": asset.scale,
            "can_take": access.can_take_payments(principal, merchant),
            "form": form or CashierForm(),
            "rows": _payment_rows(merchant, settlement.today()),
            "refund_form": RefundForm(),
        },
        status=status,
    )


@login_required
@domain_errors
def cashier(request: HttpRequest, org_id: uuid.UUID) -> HttpResponse:
    principal = _principal(request)
    if request.method != "POST":
        merchant = access.merchant_for(principal, org_id, Action.VIEW)
        return _cashier_page(request, merchant)
    merchant = access.merchant_for(principal, org_id, Action.CASHIER)
    form = CashierForm(request.POST)
    if form.is_valid():
        try:
            amount = merchants.parse_points(
                form.cleaned_data["amount"], merchant.scenario.asset.scale
            )
            payment = payments.start_payment(
                principal=principal,
                merchant=merchant,
                code=form.cleaned_data["code"],
                amount=amount,
            )
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            apply_error(form, exc)
        else:
            return redirect(
                "points:merchant_payment", merchant.organisation.public_id, payment.public_id
            )
    return _cashier_page(request, merchant, form, status=422)


@login_required
@domain_errors
def payment_detail(request: HttpRequest, org_id: uuid.UUID, payment_id: uuid.UUID) -> HttpResponse:
    principal = _principal(request)
    merchant = access.merchant_for(principal, org_id, Action.VIEW)
    payment = queries.payment_for(merchant, payment_id)
    return render(
        request,
        "points/merchant/payment.html",
        {
            "merchant": merchant,
            "org": merchant.organisation,
            "payment": payment,
            "status": queries.shown_status(payment),
            "person": queries.masked_person(payment),
            "amount": payments.amount_text(payment.asset, payment.amount),
            "refunded": payments.amount_text(payment.asset, payment.refunded),
            "refundable": payments.amount_text(payment.asset, payment.refundable),
            "refunds": [
                {"refund": r, "amount": payments.amount_text(payment.asset, r.amount)}
                for r in payment.refunds.all()
            ],
            "asset_label": programme.asset_label(payment.asset_id),
            "can_take": access.can_take_payments(principal, merchant),
            "refund_form": RefundForm(initial={"request_key": uuid.uuid4().hex}),
        },
    )


def _back_to_payment(payment: m.Payment) -> HttpResponse:
    return redirect(
        "points:merchant_payment", payment.merchant.organisation.public_id, payment.public_id
    )


@login_required
@require_POST
@domain_errors
def payment_confirm(request: HttpRequest, org_id: uuid.UUID, payment_id: uuid.UUID) -> HttpResponse:
    principal = _principal(request)
    merchant = access.merchant_for(principal, org_id, Action.CASHIER)
    payment = payments.confirm_payment(
        principal=principal, payment=queries.payment_for(merchant, payment_id)
    )
    messages.success(
        request,
        _("Payment of %(amount)s confirmed.")
        % {"amount": payments.amount_text(payment.asset, payment.amount)},
    )
    return redirect("points:merchant_cashier", merchant.organisation.public_id)


@login_required
@domain_errors
def payment_cancel(request: HttpRequest, org_id: uuid.UUID, payment_id: uuid.UUID) -> HttpResponse:
    """GET: what cancelling the held payment does (the amount going back); POST with the
    confirmation: cancel it."""
    principal = _principal(request)
    merchant = access.merchant_for(principal, org_id, Action.CASHIER)
    payment = queries.payment_for(merchant, payment_id)
    if request.method == "POST":
        require_confirmation(request)
        payments.cancel_payment(principal=principal, payment=payment)
        messages.success(request, _("Payment cancelled; the points went back to the customer."))
        return redirect("points:merchant_cashier", merchant.organisation.public_id)
    amount = payments.amount_text(payment.asset, payment.amount)
    return confirm_page(
        request,
        title=_("Cancel this payment?"),
        action=request.path,
        button=_("Cancel the payment (%(amount)s)") % {"amount": amount},
        back=_payment_url(payment),
        summary=[
            (_("Merchant"), str(merchant.organisation)),
            (_("Customer"), queries.masked_person(payment)),
            (_("Amount"), amount),
        ],
        consequences=[
            _("The hold is voided: %(amount)s go back to the customer's wallet.")
            % {"amount": amount},
            _("The cashier must take a new code to charge the customer again."),
        ],
    )


@login_required
@domain_errors
def payment_refund(request: HttpRequest, org_id: uuid.UUID, payment_id: uuid.UUID) -> HttpResponse:
    """GET (the payment page's refund form): what the refund does, with its amount; POST
    with the form and the confirmation: refund."""
    principal = _principal(request)
    merchant = access.merchant_for(principal, org_id, Action.CASHIER)
    payment = queries.payment_for(merchant, payment_id)
    form = RefundForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        raise _invalid(form)
    amount = merchants.parse_points(form.cleaned_data["amount"], payment.asset.scale)
    if request.method != "POST":
        return _refund_confirmation(request, payment, form.cleaned_data, amount)
    require_confirmation(request)
    refund = payments.refund_payment(
        principal=principal,
        payment=payment,
        amount=amount,
        reason=form.cleaned_data["reason"],
        request_key=form.cleaned_data["request_key"],
    )
    messages.success(
        request,
        _("Refunded %(amount)s; the customer has been told.")
        % {"amount": payments.amount_text(payment.asset, refund.amount)},
    )
    return _back_to_payment(payment)


def _payment_url(payment: m.Payment) -> str:
    return reverse(
        "points:merchant_payment", args=[payment.merchant.organisation.public_id, payment.public_id]
    )


def _refund_confirmation(
    request: HttpRequest, payment: m.Payment, data: dict[str, Any], amount: int
) -> HttpResponse:
    text = payments.amount_text(payment.asset, amount)
    return confirm_page(
        request,
        title=_("Refund %(amount)s?") % {"amount": text},
        action=request.path,
        button=_("Refund %(amount)s") % {"amount": text},
        back=_payment_url(payment),
        summary=[
            (_("Merchant"), str(payment.merchant.organisation)),
            (_("Customer"), queries.masked_person(payment)),
            (_("Payment"), payments.amount_text(payment.asset, payment.amount)),
            (_("Already refunded"), payments.amount_text(payment.asset, payment.refunded)),
            (_("Refund"), text),
            (_("Reason"), data["reason"]),
        ],
        consequences=[
            _("%(amount)s go back to the customer's wallet; the customer is told.")
            % {"amount": text},
            _("The refund is deducted from the merchant's statement of the day it is made."),
        ],
        fields={
            "amount": data["amount"],
            "reason": data["reason"],
            "request_key": data["request_key"] or uuid.uuid4().hex,
        },
    )


# ---- the merchant's page and statements --------------------------------------------------


@login_required
@domain_errors
def merchant_detail(request: HttpRequest, org_id: uuid.UUID) -> HttpResponse:
    principal = _principal(request)
    merchant = access.merchant_for(principal, org_id, Action.VIEW)
    asset = merchant.scenario.asset
    return render(
        request,
        "points/merchant/merchant.html",
        {
            "merchant": merchant,
            "org": merchant.organisation,
            "asset_label": programme.asset_label(asset.code),
            "awaiting": payments.amount_text(asset, queries.balance_of(merchant)),
            "rate": settlement.rate_in_force(asset.code, settlement.today()),
            "statements": [
                {
                    "statement": s,
                    "accepted": payments.amount_text(s.asset, s.accepted),
                    "refunded": payments.amount_text(s.asset, s.refunded),
                    "net": payments.amount_text(s.asset, s.net),
                }
                for s in queries.statements_of(merchant)
            ],
            "can_take": access.can_take_payments(principal, merchant),
            "operator": is_zone_operator(principal),
        },
    )


@login_required
@domain_errors
def statement_detail(
    request: HttpRequest, org_id: uuid.UUID, statement_id: uuid.UUID
) -> HttpResponse:
    merchant = access.merchant_for(_principal(request), org_id, Action.VIEW)
    statement = queries.statement_for(merchant, statement_id)
    asset = statement.asset
    return render(
        request,
        "points/merchant/statement.html",
        {
            "merchant": merchant,
            "org": merchant.organisation,
            "statement": statement,
            "asset_label": programme.asset_label(asset.code),
            "accepted": payments.amount_text(asset, statement.accepted),
            "refunded": payments.amount_text(asset, statement.refunded),
            "net": payments.amount_text(asset, statement.net),
            "settled": payments.amount_text(asset, statement.settled_points),
            "lines": [
                {"line": line, "points": payments.amount_text(asset, line.points)}
                for line in settlement.lines(statement)
            ],
        },
    )


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@domain_errors
def statement_csv(request: HttpRequest, org_id: uuid.UUID, statement_id: uuid.UUID) -> HttpResponse:
    merchant = access.merchant_for(_principal(request), org_id, Action.VIEW)
    statement = queries.statement_for(merchant, statement_id)
    return _csv_response(settlement.statement_csv(statement), settlement.csv_filename(statement))


# ---- the zone operator -------------------------------------------------------------------


def _day_param(request: HttpRequest) -> date:
    raw = request.GET.get("day")
    return settlement.parse_day(raw, "day") if raw else settlement.yesterday()


@login_required
@domain_errors
def registry(request: HttpRequest) -> HttpResponse:
    require_zone_operator(_principal(request))
    try:
        day = _day_param(request)
    except DomainError:
        day = settlement.yesterday()
    return render(
        request,
        "points/merchant/registry.html",
        {
            "merchants": [
                {
                    "merchant": mr,
                    "awaiting": payments.amount_text(mr.scenario.asset, queries.balance_of(mr)),
                }
                for mr in queries.registry()
            ],
            "candidates": queries.unregistered_merchant_organisations(),
            "scenarios": programme_queries.scenarios(),
            "assets": [
                {"code": a.code, "label": programme.asset_label(a.code)}
                for a in payments.spendable_assets()
            ],
            "rates": settlement.rates(),
            "day": day,
            "statements": [
                {
                    "statement": s,
                    "accepted": payments.amount_text(s.asset, s.accepted),
                    "refunded": payments.amount_text(s.asset, s.refunded),
                    "net": payments.amount_text(s.asset, s.net),
                }
                for s in queries.statements_on(day)
            ],
            "today": settlement.today(),
        },
    )


@login_required
@require_POST
@domain_errors
def register(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    require_zone_operator(principal)
    form = RegisterForm(request.POST)
    if not form.is_valid():
        raise _invalid(form)
    merchant = merchants.register_merchant(
        principal=principal,
        organisation=merchants.organisation_by_id(form.cleaned_data["organisation"]),
        scenario=programme_queries.scenario_for(form.cleaned_data["scenario"]),
    )
    messages.success(
        request,
        _("%(merchant)s now accepts %(asset)s.")
        % {
            "merchant": merchant.organisation,
            "asset": programme.asset_label(merchant.scenario.asset_id),
        },
    )
    return redirect("points:merchant_registry")


@login_required
@require_POST
@domain_errors
def update(request: HttpRequest, org_id: uuid.UUID) -> HttpResponse:
    principal = _principal(request)
    require_zone_operator(principal)
    merchant = access.merchant_for(principal, org_id, Action.VIEW)
    form = UpdateForm(request.POST)
    if not form.is_valid():
        raise _invalid(form)
    merchants.update_merchant(
        principal=principal,
        merchant=merchant,
        scenario=programme_queries.scenario_for(form.cleaned_data["scenario"]),
        active=form.cleaned_data["active"],
    )
    messages.success(request, _("The merchant is updated."))
    return redirect("points:merchant_registry")


@login_required
@require_POST
@domain_errors
def publish_rate(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    require_zone_operator(principal)
    form = RateForm(request.POST)
    if not form.is_valid():
        raise _invalid(form)
    rate = settlement.publish_rate(
        principal=principal,
        asset=payments.spendable_asset(form.cleaned_data["asset"]),
        effective_from=form.cleaned_data["effective_from"],
        cny_per_point=form.cleaned_data["cny_per_point"],
    )
    messages.success(
        request,
        _("Settlement rate published: %(rate)s CNY per point from %(day)s.")
        % {"rate": rate.cny_per_point, "day": rate.effective_from.isoformat()},
    )
    return redirect("points:merchant_registry")


@login_required
@domain_errors
def day_csv(request: HttpRequest) -> HttpResponse:
    require_zone_operator(_principal(request))
    day = _day_param(request)
    return _csv_response(
        settlement.statements_csv(queries.statements_on(day)),
        f"settlement-{day.isoformat()}.csv",
    )
