"""What every orders page module shares."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from nomadcloud.accounts.principal import Principal
from nomadcloud.orders.models import (
    Order,
)

PAGE_SIZE = 20
S = Order.Status


def _principal(request: HttpRequest) -> Principal:
    return Principal.of(request)


def _back(order: Order) -> HttpResponse:
    return redirect("orders:detail", order.public_id)
