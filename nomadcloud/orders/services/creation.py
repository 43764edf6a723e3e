"""Creating an order (directly or from a demand) and editing its terms and milestones."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_write
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.core.inputs import parse_draft, with_changes
from nomadcloud.core.money import format_cny, to_cny
from nomadcloud.demands.models import Demand
from nomadcloud.orders.models import (
    Milestone,
    Order,
    OrderEvent,
    OrderSkill,
    Role,
)
from nomadcloud.orders.schemas import OrderChanges, OrderDraft
from nomadcloud.orders.services._common import EDITABLE, SCALAR_FIELDS, S, lock
from nomadcloud.training import cleaning

# --- the terms ------------------------------------------------------------------------------------


def _terms(draft: OrderDraft) -> dict[str, Any]:
    """The terms as stored, after the rules the draft cannot state alone: a title in one
    language, known skill codes, at least one milestone, amounts above zero and a total
    (computed from the milestones) that a stated total must equal to the cent."""
    if not draft.title_zh and not draft.title_en:
        raise invalid_field("title_zh", _("Give a title in Chinese or English."))
    skills = cleaning.skills(s.model_dump() for s in draft.skills)
    if not draft.milestones:
        raise invalid_field("milestones", _("Add at least one milestone."))
    milestones: list[dict[str, Any]] = []
    for i, item in enumerate(draft.milestones):
        if item.amount == 0:
            raise invalid_field(f"milestones.{i}.amount", _("The amount must be more than zero."))
        milestones.append(
            {"title": item.title, "amount": to_cny(item.amount), "due_on": item.due_on}
        )
    total = sum((m["amount"] for m in milestones), Decimal(0))
    if total >= cleaning.MAX_AMOUNT:
        raise invalid_field("milestones", _("This amount is too large."))
    if draft.total is not None and to_cny(draft.total) != total:
        raise invalid_field(
            "total",
            _("The milestones add up to %(sum)s, not %(total)s.")
            % {"sum": format_cny(total), "total": format_cny(draft.total)},
            code="total_mismatch",
        )
    return {
        "title_zh": draft.title_zh,
        "title_en": draft.title_en,
        "description_zh": draft.description_zh,
        "description_en": draft.description_en,
        "skills": skills,
        "milestones": milestones,
        "total": total,
    }


def fields_from_demand(demand: Demand) -> dict[str, Any]:
    """Initial fields of an order made from a demand: its titles, description and skills
    (the demand's minimum level becomes the level the work shows)."""
    return {
        "title_zh": demand.title_zh,
        "title_en": demand.title_en,
        "description_zh": demand.description_zh,
        "description_en": demand.description_en,
        "skills": [
            {"code": s.concept.code, "level": s.min_level}
            for s in demand.skills.select_related("concept")
        ],
    }


def current_fields(order: Order) -> dict[str, Any]:
    fields: dict[str, Any] = {f: getattr(order, f) for f in SCALAR_FIELDS}
    fields["skills"] = [
        {"code": s.concept.code, "level": s.level} for s in order.skills.select_related("concept")
    ]
    fields["milestones"] = [
        {"title": m.title, "amount": m.amount, "due_on": m.due_on} for m in order.milestones.all()
    ]
    return fields


def _apply(order: Order, clean: dict[str, Any]) -> None:
    for field in SCALAR_FIELDS:
        setattr(order, field, clean[field])
    order.total = clean["total"]
    order.save()
    OrderSkill.objects.filter(order=order).delete()
    OrderSkill.objects.bulk_create(
        OrderSkill(order=order, concept=concept, level=level) for concept, level in clean["skills"]
    )
    Milestone.objects.filter(order=order).delete()
    Milestone.objects.bulk_create(
        Milestone(order=order, position=i + 1, **m) for i, m in enumerate(clean["milestones"])
    )


def _summary(clean: dict[str, Any]) -> dict[str, Any]:
    return {
        "title_zh": clean["title_zh"],
        "title_en": clean["title_en"],
        "total": str(clean["total"]),
        "milestones": [
            [m["title"], str(m["amount"]), str(m["due_on"])] for m in clean["milestones"]
        ],
        "skills": [[c.code, level] for c, level in clean["skills"]],
    }


# --- creating and editing -------------------------------------------------------------------------


@transaction.atomic
def create_order(
    *,
    principal: Principal,
    organisation: Organisation,
    draft: OrderDraft,
    demand: Demand | None = None,
) -> Order:
    """A new order, as a draft. From a demand, missing titles, description and skills are
    taken from it (the demand must belong to the same enterprise)."""
    require_write(principal)
    if demand is not None:
        if demand.organisation_id != organisation.pk:
            raise invalid_field("demand", _("The demand belongs to another organisation."))
        missing = {k: v for k, v in fields_from_demand(demand).items() if not getattr(draft, k)}
        draft = parse_draft(OrderDraft, {**draft.model_dump(), **missing})
    clean = _terms(draft)
    order = Order(organisation=organisation, demand=demand, created_by=principal.user)
    _apply(order, clean)
    OrderEvent.objects.create(
        order=order,
        from_status="",
        to_status=S.DRAFT,
        role=Role.ENTERPRISE,
        actor=principal.user,
        api_token=principal.token,
    )
    audit.record(
        actor=principal.user,
        action="orders.order.create",
        obj=order,
        organisation=organisation,
        after={**_summary(clean), "demand": str(demand.public_id) if demand else None},
        token=principal.token,
    )
    return order


@transaction.atomic
def update_order(*, principal: Principal, order: Order, changes: OrderChanges) -> Order:
    """Change the terms while the order is a draft or open with no applications yet. A
    field the changes leave unset keeps its value; null clears a text or the skills."""
    require_write(principal)
    order = lock(order)
    if order.status not in EDITABLE:
        raise Conflict(
            _("An order that is “%(state)s” can no longer be changed.")
            % {"state": S(order.status).label},
            code="order_fixed",
        )
    current = current_fields(order)
    clean = _terms(with_changes(OrderDraft, current, changes))
    before, after = audit.changes(order, {k: clean[k] for k in SCALAR_FIELDS})
    summary_now = _summary(clean)
    summary_before = _summary(_terms(parse_draft(OrderDraft, current)))
    for key in ("milestones", "skills", "total"):
        if summary_before[key] != summary_now[key]:
            before[key], after[key] = summary_before[key], summary_now[key]
    if not after:
        return order
    _apply(order, clean)
    audit.record(
        actor=principal.user,
        action="orders.order.update",
        obj=order,
        organisation=order.organisation,
        before=before,
        after=after,
        token=principal.token,
    )
    return order
