"""The person's wallet page (usable on a phone): balances per asset, the exchange of work
units with a preview of the result at the rate in force before confirming, what will expire
and when, lots, history with reasons, exchanges, and the monthly statement (CSV too)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import DomainError
from nomadcloud.core.pages import apply_error, domain_errors
from nomadcloud.points import access
from nomadcloud.points.programme import queries as programme_queries
from nomadcloud.points.programme import services as programme
from nomadcloud.points.wallet import queries as wallet
from nomadcloud.points.wallet import services as exchange
from nomadcloud.points.wallet.forms import ConfirmExchangeForm, ExchangeForm, MonthForm

HISTORY_PAGE = 20


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _page(
    request: HttpRequest,
    *,
    form: ExchangeForm | None = None,
    quote: exchange.Quote | None = None,
    confirm: ConfirmExchangeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = access.wallet_owner(Principal.of(request))
    month_form = MonthForm(request.GET or None)
    month_value = month_form.cleaned_data.get("month") if month_form.is_valid() else None
    try:
        year, month = wallet.parse_month(month_value or None)
    except DomainError:
        year, month = wallet.parse_month(None)
    lines, more = wallet.history(user, before=_int(request.GET.get("before")), limit=HISTORY_PAGE)
    labels = programme.asset_labels()
    rates = [
        {
            "scenario": scenario,
            "rate": rate,
            "asset_label": labels.get(scenario.asset_id, scenario.asset_id),
        }
        for scenario, rate in programme_queries.rates_in_force()
    ]
    context: dict[str, Any] = {
        "balances": wallet.balances(user),
        "expiry": wallet.expiry_statement(user),
        "lots": wallet.lots(user),
        "history": lines,
        "more": more,
        "statement": wallet.statement(user, year, month),
        "month_form": month_form,
        "exchanges": [
            {
                "exchange": x,
                "work_units": programme.format_amount(x.work_units, exchange.WU_SCALE),
                "points": programme.format_amount(x.points, x.asset.scale),
                "bonus": programme.format_amount(x.bonus, x.asset.scale),
            }
            for x in exchange.exchanges_of(user)[:20]
        ],
        "rates": rates,
        "form": form or ExchangeForm(),
        "quote": quote,
        "quote_display": {
            "points": quote.formatted(quote.points),
            "bonus": quote.formatted(quote.bonus),
            "total": quote.formatted(quote.total),
        }
        if quote
        else None,
        "confirm": confirm,
        "can_write": Principal.of(request).can_write,
    }
    return render(request, "points/wallet.html", context, status=status)


@login_required
@require_GET
@domain_errors
def wallet_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
@domain_errors
def exchange_view(request: HttpRequest) -> HttpResponse:
    """Preview (the result at the rate in force, nothing applied), then confirm."""
    principal = Principal.of(request)
    user = access.wallet_owner(principal)
    if "confirm" in request.POST:
        confirm = ConfirmExchangeForm(request.POST)
        if not confirm.is_valid():
            return _page(request, form=confirm, status=422)
        data = confirm.cleaned_data
        try:
            record, _created = exchange.exchange(
                principal=principal,
                scenario=programme_queries.scenario_for(data["scenario"]),
                work_units=exchange.parse_work_units(data["work_units"]),
                key=data["key"],
                expected_rate=data["rate"],
            )
        except DomainError as exc:
            form = ExchangeForm(request.POST)
            form.is_valid()
            apply_error(form, exc)
            return _page(request, form=form, status=422)
        messages.success(
            request,
            _("Exchanged %(wu)s work units for %(points)s %(asset)s.")
            % {
                "wu": programme.format_amount(record.work_units, exchange.WU_SCALE),
                "points": programme.format_amount(record.points + record.bonus, record.asset.scale),
                "asset": programme.asset_label(record.asset_id),
            },
        )
        return redirect("points:wallet")
    form = ExchangeForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=422)
    try:
        quote = exchange.quote(
            user=user,
            scenario=programme_queries.scenario_for(form.cleaned_data["scenario"]),
            work_units=exchange.parse_work_units(form.cleaned_data["work_units"]),
        )
    except DomainError as exc:
        apply_error(form, exc)
        return _page(request, form=form, status=422)
    confirm = ConfirmExchangeForm(
        initial={
            "scenario": quote.scenario.code,
            "work_units": form.cleaned_data["work_units"],
            "key": uuid.uuid4().hex,
            "rate": quote.rate.pk,
        }
    )
    return _page(request, form=form, quote=quote, confirm=confirm)


@login_required
@require_GET
@domain_errors
def statement_csv(request: HttpRequest) -> HttpResponse:
    user = access.wallet_owner(Principal.of(request))
    year, month = wallet.parse_month((request.GET.get("month") or "")[:20] or None)
    body = wallet.statement_csv(user, year, month)
    response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="points-{year:04d}-{month:02d}.csv"'
    return response
