"""Reviewing results: the items of a batch, one item, correcting (overriding) its result, and
the CSV and JSON Lines exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
)
from nomadcloud.core.pages import apply_error, domain_errors
from nomadcloud.datatasks import access, queries, services
from nomadcloud.datatasks.access import Action
from nomadcloud.datatasks.api import export_response
from nomadcloud.datatasks.forms import (
    ItemFilterForm,
    OverrideForm,
)
from nomadcloud.datatasks.models import Batch, Item
from nomadcloud.datatasks.views._common import ITEMS_PAGE_SIZE, _principal

# --- reviewing results ------------------------------------------------------------------------


@login_required
@domain_errors
def items(request: HttpRequest, batch_id: str) -> HttpResponse:
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.VIEW)
    form = ItemFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    confidence = data.get("max_confidence")
    filters = queries.ItemFilters(
        kind=data.get("kind", ""),
        max_confidence=confidence / 100 if confidence is not None else None,
        q=data.get("q", "").strip(),
    )
    rows = queries.items_for_review(batch, filters).order_by("position")
    page = Paginator(rows, ITEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "datatasks/items.html",
        {"batch": batch, "form": form, "page": page, "query": query.urlencode()},
    )


@login_required
@domain_errors
def item(request: HttpRequest, batch_id: str, item_id: int) -> HttpResponse:
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.VIEW)
    the_item = access.item_for(batch, item_id)
    return _item_page(request, principal, batch, the_item, OverrideForm(batch=batch))


def _item_page(
    request: HttpRequest,
    principal: Principal,
    batch: Batch,
    the_item: Item,
    form: OverrideForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "datatasks/item.html",
        {
            "batch": batch,
            "item": the_item,
            "answers": list(the_item.answers.select_related("worker").order_by("id")),
            "overrides": list(the_item.overrides.select_related("by").order_by("id")),
            "form": form,
            "can_review": access.allows(principal, batch.organisation, Action.REVIEW)
            and batch.status in {Batch.Status.OPEN, Batch.Status.CLOSED}
            and not the_item.is_gold,
        },
        status=status,
    )


@login_required
@require_POST
@domain_errors
def override(request: HttpRequest, batch_id: str, item_id: int) -> HttpResponse:
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.REVIEW)
    the_item = access.item_for(batch, item_id)
    form = OverrideForm(request.POST, batch=batch)
    if form.is_valid():
        try:
            services.override_result(
                principal=principal,
                item=the_item,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The result is corrected."))
            return redirect("datatasks:item", batch.public_id, the_item.pk)
    return _item_page(request, principal, batch, the_item, form, status=422)


def _export(request: HttpRequest, batch_id: str, fmt: str) -> HttpResponseBase:
    try:
        batch = access.batch_for(_principal(request), batch_id, Action.VIEW)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Forbidden as exc:
        return render(request, "core/error.html", {"message": exc.message}, status=403)
    return export_response(batch, fmt)


@login_required
@require_GET
def export_csv(request: HttpRequest, batch_id: str) -> HttpResponseBase:
    return _export(request, batch_id, "csv")


@login_required
@require_GET
def export_jsonl(request: HttpRequest, batch_id: str) -> HttpResponseBase:
    return _export(request, batch_id, "jsonl")
