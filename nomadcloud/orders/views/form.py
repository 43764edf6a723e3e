"""The order form: create and edit an order with its milestone rows."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from pydantic import ValidationError

from nomadcloud.accounts.models import Organisation
from nomadcloud.core.errors import DomainError
from nomadcloud.core.inputs import errors_by_field
from nomadcloud.core.pages import (
    apply_error,
    domain_errors,
)
from nomadcloud.demands.access import Action as DemandAction
from nomadcloud.demands.access import demand_for
from nomadcloud.orders import access, services
from nomadcloud.orders.access import Action
from nomadcloud.orders.forms import (
    ADD_ROW,
    OrderForm,
    initial_rows,
    milestone_rows,
)
from nomadcloud.orders.models import (
    Order,
)
from nomadcloud.orders.schemas import OrderChanges, OrderDraft
from nomadcloud.orders.views.common import _back, _principal

# --- the order form -------------------------------------------------------------------------------


def _order_form_page(
    request: HttpRequest,
    *,
    organisation: Organisation,
    order: Order | None,
    demand: Any,
    fields: dict[str, Any],
    save: Any,
) -> HttpResponse:
    """The order form: the terms and the milestones as rows (a formset; "add a row" is a
    submit button, so it works without JavaScript). ``save(draft)`` writes and answers."""
    posted = request.method == "POST"
    add_row = posted and ADD_ROW in request.POST
    form = OrderForm(request.POST if posted else None, initial=OrderForm.initial_for(fields))
    rows = milestone_rows(
        request.POST if posted else None, initial=initial_rows(fields), add_row=add_row
    )
    if posted and not add_row and form.is_valid() & rows.is_valid():
        draft = None
        try:
            draft = OrderDraft.model_validate({**form.cleaned_data, "milestones": rows.rows()})
        except ValidationError as exc:  # on the row and field it concerns, else on the form
            for name, problems in errors_by_field(exc).items():
                for problem in problems:
                    if not rows.show_error(name, problem):
                        target = name.split(".")[0]
                        form.add_error(target if target in form.fields else None, problem)
        if draft is not None:
            try:
                return save(form, draft)  # type: ignore[no-any-return]
            except DomainError as exc:
                apply_error(form, exc)
    refused = posted and not add_row and (bool(form.errors) or not rows.is_valid())
    status = 422 if refused or any(f.errors for f in rows.forms if rows.is_bound) else 200
    return render(
        request,
        "orders/form.html",
        {
            "form": form,
            "rows": rows,
            "add_row": ADD_ROW,
            "org": organisation,
            "order": order,
            "demand": demand,
        },
        status=status,
    )


@login_required
@domain_errors
def create(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    organisation = access.enterprise_for(principal, org_id, Action.EDIT)
    demand_id = request.GET.get("demand") or request.POST.get("demand") or ""
    demand = demand_for(principal, demand_id, DemandAction.EDIT) if demand_id else None

    def save(form: OrderForm, draft: OrderDraft) -> HttpResponse:
        order = services.create_order(
            principal=principal, organisation=organisation, demand=demand, draft=draft
        )
        messages.success(request, _("The order is saved as a draft."))
        return _back(order)

    return _order_form_page(
        request,
        organisation=organisation,
        order=None,
        demand=demand,
        fields=services.fields_from_demand(demand) if demand else {},
        save=save,
    )


@login_required
@domain_errors
def edit(request: HttpRequest, order_id: str) -> HttpResponse:
    principal = _principal(request)
    order = access.order_for(principal, order_id, Action.EDIT)

    def save(form: OrderForm, draft: OrderDraft) -> HttpResponse:
        # the form shows all the terms: each of them, and the milestones, are the changes
        changes = OrderChanges.of(draft, [*form.fields, "milestones"])
        services.update_order(principal=principal, order=order, changes=changes)
        messages.success(request, _("Saved."))
        return _back(order)

    return _order_form_page(
        request,
        organisation=order.organisation,
        order=order,
        demand=None,
        fields=services.current_fields(order),
        save=save,
    )
