"""The market, my orders and an enterprise's orders."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nomadcloud.accounts.access import is_zone_operator, require_person, role_in
from nomadcloud.core.pages import (
    domain_errors,
)
from nomadcloud.orders import access, queries
from nomadcloud.orders.access import Action
from nomadcloud.orders.views.common import PAGE_SIZE, _principal

# --- lists ----------------------------------------------------------------------------------------


@login_required
@domain_errors
def order_list(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    user = require_person(principal)
    page = Paginator(queries.market(), PAGE_SIZE).get_page(request.GET.get("page"))
    organisations = queries.enterprises_of(user)
    return render(
        request,
        "orders/list.html",
        {
            "page": page,
            "taken": queries.orders_taken_by(user)[:50],
            "applications": queries.applications_of(user)[:50],
            "organisations": organisations,
            "operator": is_zone_operator(principal),
        },
    )


@login_required
@domain_errors
def organisation_orders(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    organisation = access.enterprise_for(principal, org_id, Action.VIEW)
    page = Paginator(queries.orders_of(organisation), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/organisation.html",
        {
            "org": organisation,
            "page": page,
            "can_edit": principal.can_write and role_in(principal, organisation) in access.EDITORS,
        },
    )
